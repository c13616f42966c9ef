/* A state-dependent action that names no resource (an async lock handed on only when held)
 * is not a release of a field: only releases of a named resource must happen on every path. */
#include <stdlib.h>
#include "asyncabi/annotations.h"
#include "asyncabi/waker.h"

enum phase { WAITING, HOLDING, DONE };
struct res { enum phase phase; aa_waker *waker; };

void lock_release(void);

AA_FREE_FN void res_drop(struct res *s)
{
    if (s->phase == HOLDING) {
        lock_release();
    }
    aa_waker_release(s->waker);
    free(s);
}
