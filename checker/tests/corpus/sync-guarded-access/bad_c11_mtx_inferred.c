/* C11 mtx and a complete callback stored in a struct invoked under the lock */
#include <stdint.h>
#include <threads.h>
#include "asyncabi/abi.h"
struct pending { UniffiForeignFutureCompleteU32 complete; uint64_t data; };
struct svc { mtx_t mu; struct pending p[4]; int n; };
void svc_flush(struct svc *s)
{
    mtx_lock(&s->mu);
    for (int i = 0; i < s->n; i++) {
        UniffiForeignFutureResultU32 r = {0};
        s->p[i].complete(s->p[i].data, r); // expect: lock-callback-under-lock@9
    }
    s->n = 0;
    mtx_unlock(&s->mu);
}
int svc_count(struct svc *s) { return s->n; } // expect: sync-guarded-access@42
