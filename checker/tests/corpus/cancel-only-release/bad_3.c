/* A waker reference dropped only on cancel (free releases a different one). */
#include <stdlib.h>
#include "asyncabi/waker.h"
#include "asyncabi/annotations.h"

struct timer_state { aa_waker *waker; aa_waker *backup; };

static void drop_wakers(struct timer_state *s)
{
    aa_waker_release(s->waker);
}

AA_CANCEL_FN void timer_cancel(struct timer_state *s)
{
    drop_wakers(s); // expect: cancel-only-release@5
}

AA_FREE_FN void timer_free(struct timer_state *s)
{
    aa_waker_release(s->backup);
    free(s);
}
