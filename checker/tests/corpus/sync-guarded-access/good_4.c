/* Accesses under a lock taken through a wrapper function. */
#include <pthread.h>
#include "asyncabi/annotations.h"

struct AA_SHARED counter {
    pthread_mutex_t mu;
    long value AA_GUARDED_BY(mu);
};

static void counter_lock(struct counter *c) { pthread_mutex_lock(&c->mu); }
static void counter_unlock(struct counter *c) { pthread_mutex_unlock(&c->mu); }

long counter_add(struct counter *c, long d)
{
    counter_lock(c);
    c->value += d;
    long v = c->value;
    counter_unlock(c);
    return v;
}
