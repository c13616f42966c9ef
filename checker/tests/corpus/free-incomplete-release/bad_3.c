/* The runtime's drop function (from the vtable) returns early when cancelled. */
#include <stdlib.h>
#include "asyncabi/future.h"
#include "asyncabi/waker.h"

struct sleeper { int cancelled; aa_waker *waker; };

static aa_poll sleeper_poll(aa_future *f, void *state) { (void)f; (void)state; return AA_READY; }
static void sleeper_drop(void *state)
{
    struct sleeper *s = state;
    if (s->cancelled) {
        free(s);
        return; // expect: free-incomplete-release@9
    }
    aa_waker_release(s->waker);
    free(s);
}
static const aa_future_vtable sleeper_vt = {sleeper_poll, sleeper_drop, "sleeper"};
const aa_future_vtable *sleeper_vtable(void) { return &sleeper_vt; }
