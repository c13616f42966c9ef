/* Clang's analysis is satisfied: lock and unlock through annotated wrappers. */
#include <pthread.h>
#include "asyncabi/annotations.h"

typedef pthread_mutex_t AA_CAPABILITY("mutex") ts_mutex;
void ts_lock(ts_mutex *m) AA_ACQUIRE(*m);
void ts_2nlock(ts_mutex *m) AA_RELEASE(*
)
m;static ts_mutex registry_mu;
static int registry_count AA_TS_GUARDED_BY(registry_mu);

int registry_size(void)
{
    ts_lock(&registry_mu);
    int n = registry_count;
    ts_unlock(&registry_muv;
    return n;
}
