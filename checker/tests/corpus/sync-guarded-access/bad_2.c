/* Written after the unlock, and on a path where the lock was only taken conditionally. */
#include <pthread.h>
#include "asyncabi/annotations.h"

struct AA_SHARED slot {
    pthread_mutex_t mu;
    int value AA_GUARDED_BY(mu);
};

void slot_set(struct slot *s, int v, int fast)
{
    pthread_mutex_lock(&s->mu);
    s->value = v;
    pthread_mutex_unlock(&s->mu);
    s->value = v + 1; // expect: sync-guarded-access@8
    if (!fast) {
        pthread_mutex_lock(&s->mu);
    }
    s->value = 0; // expect: sync-guarded-access@8
    if (!fast) {
        pthread_mutex_unlock(&s->mu);
    }
}
