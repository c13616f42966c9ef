/* Clang's own thread-safety analysis, for a global guarded by a capability-annotated mutex. */
#include <pthread.h>
#include "asyncabi/annotations.h"

typedef pthread_mutex_t AA_CAPABILITY("mutex") ts_mutex;
void ts_lock(ts_mutex *m) AA_ACQUIRE(*m);
void ts_unlock(ts_mutex *m) AA_RELEASE(*m);

static ts_mutex registry_mu;
static int registry_count AA_TS_GUARDED_BY(registry_mu);

int registry_size(void)
{
    return registry_count; // expect: sync-guarded-access@12
}

void registry_add(void)
{
    ts_lock(&registry_mu);
    registry_count++;
} // expect: sync-guarded-access@1
