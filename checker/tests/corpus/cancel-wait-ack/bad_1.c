/* cancel blocks on a condition variable until the worker acknowledges. */
#include <pthread.h>
#include "asyncabi/annotations.h"

struct task { pthread_mutex_t mu; pthread_cond_t cv; int cancel_requested, acked; };

AA_CANCEL_FN void task_cancel(struct task *t)
{
    pthread_mutex_lock(&t->mu);
    t->cancel_requested = 1;
    while (!t->acked) {
        pthread_cond_wait(&t->cv, &t->mu); // expect: cancel-wait-ack@9
    }
    pthread_mutex_unlock(&t->mu);
}
