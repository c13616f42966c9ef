/* A shared scheduler with a plain state word. */
#include <pthread.h>
#include <stdint.h>
#include "asyncabi/annotations.h"

struct AA_SHARED scheduler {
    pthread_mutex_t mu;
    int state; // expect: sync-unguarded-field@9
    _Atomic int wakes;
};
