/* Every field is atomic, const, a lock, or guarded by one. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "asyncabi/annotations.h"

struct AA_SHARED scheduler {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state AA_GUARDED_BY(mu);
    _Atomic(uint64_t) wakes;
    atomic_int refs;
    const char *const name;
    _Atomic int counters[4];
};
