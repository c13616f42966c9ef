/* asyncabi/foreign.h: awaiting an async method that the foreign side implements.
 *
 * The producer calls a vtable method, passing the completion callback, its data and a dropped
 * struct obtained here, then awaits the call from its own future's poll function:
 *
 *   aa_foreign_call *call = aa_foreign_call_new(AA_TYPE_U64, aa_future_waker(f));
 *   vtable->method(obj, arg, aa_foreign_call_complete_u64, aa_foreign_call_data(call),
 *                  aa_foreign_call_dropped(call));
 *   ... later, in poll:
 *   if (aa_foreign_call_poll(call, &value, &status) == AA_PENDING) return AA_PENDING;
 *   ... and when the producer's side goes away (always, in every state):
 *   aa_foreign_call_drop(call);
 *
 * Guarantees: the completion may arrive on any thread, before or after the drop; a second
 * completion, also one after everything was released, is reported as misuse
 * (foreign-complete-twice), never UB: it never frees the first completion's buffers again (a
 * binding that replays its result), frees fresh ones while it can tell them apart, and
 * otherwise leaves them; the dropped callback is invoked exactly once, by
 * aa_foreign_call_drop().
 */
#ifndef ASYNCABI_FOREIGN_H
#define ASYNCABI_FOREIGN_H

#include <stdint.h>

#include "asyncabi/abi.h"
#include "asyncabi/future.h"
#include "asyncabi/types.h"
#include "asyncabi/waker.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aa_foreign_call aa_foreign_call;

/* Which ABI profile a foreign call speaks. */
typedef enum aa_profile {
    AA_PROFILE_0_29_2 = 0, /* dropped-callback struct pre-filled by the producer */
    AA_PROFILE_LEGACY = 1  /* 0.26 to 0.29.1: UniffiForeignFuture out-parameter */
} aa_profile;

/* Starts the producer's side of one foreign call of family `type`; takes ownership of
 * `waker` (woken once when the result arrives). Returns NULL on allocation failure (the
 * waker reference is then released). */
aa_foreign_call *aa_foreign_call_new(aa_type type, aa_waker *waker);
/* The `callback_data` to pass to the vtable method for this call. */
uint64_t aa_foreign_call_data(const aa_foreign_call *call);
/* The dropped struct to pass (profile 0.29.2+), pre-filled with a no-op. */
UniffiForeignFutureDroppedCallbackStruct *aa_foreign_call_dropped(aa_foreign_call *call);
/* The out-parameter to pass (legacy profile), pre-filled with a no-op free. */
UniffiForeignFuture *aa_foreign_call_legacy_out(aa_foreign_call *call);
/* AA_READY once the foreign side completed: moves the value and status out (once). */
aa_poll aa_foreign_call_poll(aa_foreign_call *call, aa_value *out_value,
                             RustCallStatus *out_status);
/* Ends the producer's side: invokes the dropped callback (or legacy free) exactly once and
 * releases the call; a completion that arrives later is absorbed safely. */
void aa_foreign_call_drop(aa_foreign_call *call);

/* The completion callbacks to hand to the foreign side, one per family (families.h):
 * void aa_foreign_call_complete_<tag>(uint64_t data, UniffiForeignFutureResult<Suffix> result). */
#define AA_FOREIGN_COMPLETE_DECL_(ctx, tag, Suffix, ...)                                       \
    void aa_foreign_call_complete_##tag(uint64_t data, UniffiForeignFutureResult##Suffix result);
ASYNCABI_VALUE_FAMILIES(AA_FOREIGN_COMPLETE_DECL_, _)
ASYNCABI_VOID_FAMILY(AA_FOREIGN_COMPLETE_DECL_, _)
#undef AA_FOREIGN_COMPLETE_DECL_

/* Number of foreign calls not yet fully released (for leak tests). */
uint64_t aa_foreign_call_live_count(void);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_FOREIGN_H */
