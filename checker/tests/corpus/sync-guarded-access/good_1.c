/* Every access holds the right mutex; init and destroy are exempt (no other thread yet). */
#include <pthread.h>
#include "asyncabi/annotations.h"

struct AA_SHARED slot {
    pthread_mutex_t mu;
    int value AA_GUARDED_BY(mu);
};

void slot_init(struct slot *s)
{
    pthread_mutex_init(&s->mu, NULL);
    s->value = 0;
}

int slot_swap(struct slot *s, int v)
{
    pthread_mutex_lock(&s->mu);
    int old = s->value;
    s->value = v;
    if (old < 0) {
        pthread_mutex_unlock(&s->mu);
        return -1;
    }
    pthread_mutex_unlock(&s->mu);
    return old;
}
