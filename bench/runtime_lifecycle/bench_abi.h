/* bench_abi.h: what the lifecycle driver needs from an implementation of the async ABI.
 *
 * Everything is the binding's view (a future handle and the four entry points) plus two
 * producer-side hooks: start a future that stays pending until `trigger`, and trigger it from
 * any thread. So the same driver can measure libasyncabi and, later, UniFFI's RustFuture
 * (a Rust cdylib exporting the same shapes) side by side.
 */
#ifndef BENCH_ABI_H
#define BENCH_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "asyncabi/abi.h"

typedef struct bench_abi {
    const char *name;
    /* An async export whose future is pending until trigger() (u64 family). */
    uint64_t (*start_pending)(void);
    /* An async export whose future is ready on its first poll (u64 family). */
    uint64_t (*start_ready)(void);
    /* Makes the most recently started pending future ready and wakes it; any thread. */
    void (*trigger)(void);
    void (*poll)(uint64_t handle, UniffiRustFutureContinuationCallback cb, uint64_t data);
    uint64_t (*complete)(uint64_t handle, RustCallStatus *status);
    void (*free)(uint64_t handle);
    /* Static runtime bytes per pending future (0 if unknown), for the report. */
    size_t bytes_per_future;
    /* The size a malloc baseline should allocate to compare like with like (0: use
     * bench_asyncabi's, so that every implementation is compared with the same baseline). */
    size_t core_size;
} bench_abi;

extern const bench_abi bench_asyncabi;
#ifdef BENCH_HAVE_UNIFFI
extern const bench_abi bench_uniffi; /* impl_uniffi.c: UniFFI 0.32.2's RustFuture */
#endif

#endif
