/* waker.c: wakers are references to a future core; waking goes through its scheduler. */
#include <stdlib.h>

#include "future_core.h"
#include "observe_internal.h"

void aa_waker_wake(aa_waker *waker)
{
    if (waker == NULL) {
        return;
    }
    aa_future *core = aa__waker_core(waker);
    aa__continuation cont = aa__scheduler_wake(&core->sched);
    if (aa__observing()) {
        /* handle, type and vtable are written before the first waker exists, never again. */
        const char *name = core->vtable ? core->vtable->name : NULL;
        aa__emit_slow(AA_OP_WAKE, (aa_type)core->type, core->handle, 0, 0, name);
        aa__continuation_invoke(cont, (aa_type)core->type, core->handle, name);
        return;
    }
    if (cont.callback != NULL) {
        cont.callback(cont.data, cont.code);
    }
}

aa_waker *aa_waker_retain(aa_waker *waker)
{
    /* Relaxed: a new reference is made from an existing one, which already keeps it alive. */
    atomic_fetch_add_explicit(&aa__waker_core(waker)->refs, 1, memory_order_relaxed);
    return waker;
}

void aa_waker_release(aa_waker *waker)
{
    if (waker != NULL) {
        aa__core_release(aa__waker_core(waker));
    }
}

void aa_waker_wake_and_release(aa_waker *waker)
{
    aa_waker_wake(waker);
    aa_waker_release(waker);
}
