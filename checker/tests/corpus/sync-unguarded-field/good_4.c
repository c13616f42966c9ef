/* A field guarded by a global mutex (the struct sits in a global list). */
#include <pthread.h>
#include "asyncabi/annotations.h"

static pthread_mutex_t pending_mu = PTHREAD_MUTEX_INITIALIZER;

struct AA_SHARED pending {
    _Atomic int refs;
    struct pending *next AA_GUARDED_BY(pending_mu);
};
