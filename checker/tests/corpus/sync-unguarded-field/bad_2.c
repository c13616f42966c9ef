/* Guarded by a mutex that is not in the struct. */
#include <pthread.h>
#include "asyncabi/annotations.h"

typedef struct AA_SHARED queue {
    pthread_mutex_t lock;
    int head AA_GUARDED_BY(lock);
    int tail AA_GUARDED_BY(mu); // expect: sync-unguarded-field@9
} queue;
