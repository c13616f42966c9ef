/* asyncabi/future.h: a future driven by a C poll function, exported as a UniFFI future handle.
 *
 * Lifecycle, in the words of the ABI (docs/abi.md):
 *   aa_future_new()            the export creates it and returns its handle; nothing runs yet
 *   aa_future_poll()           the binding polls; the producer's poll function runs
 *   aa_future_cancel()         optional; wakes the binding with READY, complete() gives status 3
 *   aa_future_complete()       once, after READY; moves the result out
 *   aa_future_free()           exactly once, last, in every state
 *
 * The producer writes a poll function in state-machine style. It runs with no runtime lock
 * held, never concurrently with itself for one future, and may stash a waker
 * (aa_future_waker) to be woken later from any thread.
 */
#ifndef ASYNCABI_FUTURE_H
#define ASYNCABI_FUTURE_H

#include <stddef.h>
#include <stdint.h>

#include "asyncabi/abi.h"
#include "asyncabi/types.h"
#include "asyncabi/waker.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aa_future aa_future;

typedef enum aa_poll {
    AA_PENDING = 0, /* not done; the poll function arranged for a waker to fire */
    AA_READY = 1    /* done; the poll function called one of aa_future_return_* first */
} aa_poll;

/* What a producer's future does. `state` is the producer's own data, passed back unchanged. */
typedef struct aa_future_vtable {
    /* Advance the future. Must not block. Before returning AA_READY, call exactly one of
     * aa_future_return_value / _error / _unexpected; READY without a result is reported as an
     * unexpected error. */
    aa_poll (*poll)(aa_future *future, void *state);
    /* Release `state`. Called exactly once: after the poll that returned READY, or from
     * aa_future_complete() (after a cancel) or aa_future_free() if one comes first, whatever
     * the state (never from cancel). May be NULL. */
    void (*drop)(void *state);
    /* A short name for traces and misuse reports (e.g. the export's name). May be NULL. */
    const char *name;
} aa_future_vtable;

/* Creates a future of family `type` and returns its handle (never 0); 0 only on allocation
 * failure. The vtable must outlive the future; `state` is owned by the future from now on. */
uint64_t aa_future_new(aa_type type, const aa_future_vtable *vtable, void *state);

/* Creates a future that is ready at once with `value` (convenience for always-ready exports). */
uint64_t aa_future_new_ready(aa_type type, aa_value value);

/* --- Called by the producer's poll function --- */

/* Sets a successful result; `value` must be of the future's family (ignored for void). */
void aa_future_return_value(aa_future *future, aa_value value);
/* Sets a typed error (status 1); takes ownership of `serialized_error`. */
void aa_future_return_error(aa_future *future, RustBuffer serialized_error);
/* Sets an unexpected error (status 2) with a copy of the UTF-8 `message` (NULL: empty). */
void aa_future_return_unexpected(aa_future *future, const char *message);
/* Returns a new reference to this future's waker; release it with aa_waker_release(). */
aa_waker *aa_future_waker(aa_future *future);
/* Returns the handle of `future`, for traces. */
uint64_t aa_future_handle(const aa_future *future);

/* --- The four ABI entry points, family-checked; ASYNCABI_DEFINE_FFI wraps them --- */

/* poll: runs the poll function unless done or cancelled; invokes `callback` exactly once. */
void aa_future_poll(aa_type type, uint64_t handle, UniffiRustFutureContinuationCallback callback,
                    uint64_t callback_data);
/* cancel: moves the scheduler to Cancelled and invokes any stored continuation with READY. */
void aa_future_cancel(aa_type type, uint64_t handle);
/* complete: moves the result out; *out_status is written only on failure (codes 1-3: error,
 * unexpected, cancelled) and left untouched on success, like uniffi-rs. */
aa_value aa_future_complete(aa_type type, uint64_t handle, RustCallStatus *out_status);
/* free: invokes any stored continuation with READY, drops the state, retires the handle. */
void aa_future_free(aa_type type, uint64_t handle);

/* Number of futures created and not yet freed in this process (for leak tests). */
uint64_t aa_future_live_count(void);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_FUTURE_H */
