/* A guarded field read without its mutex. */
#include <pthread.h>
#include "asyncabi/annotations.h"

struct AA_SHARED slot {
    pthread_mutex_t mu;
    int value AA_GUARDED_BY(mu);
};

int slot_get(struct slot *s)
{
    return s->value; // expect: sync-guarded-access@15
}

int slot_get_locked(struct slot *s)
{
    pthread_mutex_lock(&s->mu);
    int v = s->value;
    pthread_mutex_unlock(&s->mu);
    return v;
}
