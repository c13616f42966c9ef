/* future_core.h: the object behind a rust-future handle, which is also its waker.
 *
 * One allocation per future. References: one held by the handle (released by free), one per
 * waker the producer holds, and one held briefly by a poll that stores a continuation. The
 * scheduler lives here, so a waker that outlives the handle still finds a valid (Cancelled)
 * scheduler and its wake is a no-op.
 *
 * Fields other than `sched` and `refs` are only touched by ABI calls that hold the slot's
 * BUSY bit (poll, complete, free) and by the producer's poll function running inside poll,
 * so they need no lock: the BUSY CAS orders consecutive calls.
 */
#ifndef AA__FUTURE_CORE_H
#define AA__FUTURE_CORE_H

#include <stdatomic.h>
#include <stdint.h>

#include "asyncabi/future.h"
#include "handle_table.h"
#include "observe_internal.h"
#include "scheduler.h"

enum {
    AA__FUT_HAS_RESULT = 1u << 0,      /* result/status hold an unconsumed outcome */
    AA__FUT_READY_DELIVERED = 1u << 1, /* a poll invoked its continuation with READY */
    AA__FUT_COMPLETED = 1u << 2,       /* complete() moved the outcome out */
    AA__FUT_DROPPED = 1u << 3          /* vtable->drop(state) ran (or there was none) */
};

struct aa_future {
    aa__scheduler sched;
    _Atomic uint32_t refs;
    uint8_t type;   /* aa_type */
    int8_t status;  /* RustCallStatus code of the outcome, when HAS_RESULT */
    uint8_t flags;  /* AA__FUT_* */
    const aa_future_vtable *vtable;
    void *state;
    uint64_t handle;
    aa_value result; /* the value (status 0), or the error / message buffer (status 1, 2) */
};

/* A waker is a future core seen through its scheduler; these convert between the two. */
static inline aa_waker *aa__core_as_waker(aa_future *core)
{
    return (aa_waker *)(void *)core;
}
static inline aa_future *aa__waker_core(aa_waker *waker)
{
    return (aa_future *)(void *)waker;
}

/* Returns the core's memory (its slot's payload) and its slot to the handle table; the handle
 * was retired before. */
static inline void aa__core_recycle(aa_future *core)
{
    uint64_t handle = core->handle;
    AA__POISON(core, sizeof *core);
    aa__handle_recycle(handle);
}

/* Drops one reference; the last frees the core. */
static inline void aa__core_release(aa_future *core)
{
    /* acq_rel: the release half orders this holder's uses before the decrement, the acquire
     * half makes the last decrement see every other holder's: all uses happen-before free.
     * (Arc uses release + an acquire fence; TSan does not model fences, and on x86 the RMW
     * costs the same either way.) */
    if (atomic_fetch_sub_explicit(&core->refs, 1, memory_order_acq_rel) == 1) {
        aa__core_recycle(core);
    }
}

/* Invokes a continuation (if any) and, when `observing` (aa__observing(), read once by the
 * entry point), reports it. Call with no lock held. */
static inline void aa__continuation_invoke_obs(aa__continuation cont, bool observing,
                                               aa_type type, uint64_t handle, const char *name)
{
    if (cont.callback == NULL) {
        return;
    }
    if (observing) {
        aa__continuation_invoke_observed(cont.callback, cont.data, cont.code, type, handle, name);
        return;
    }
    cont.callback(cont.data, cont.code);
}

/* Invokes a continuation (if any) and reports it. Call with no lock held. */
static inline void aa__continuation_invoke(aa__continuation cont, aa_type type, uint64_t handle,
                                           const char *name)
{
    aa__continuation_invoke_obs(cont, aa__observing(), type, handle, name);
}

#endif /* AA__FUTURE_CORE_H */
