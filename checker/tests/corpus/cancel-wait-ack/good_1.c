/* cancel requests and returns; the worker observes the flag. */
#include <pthread.h>
#include <stdatomic.h>
#include "asyncabi/annotations.h"

struct task { pthread_mutex_t mu; pthread_cond_t cv; atomic_int cancel_requested; };

AA_CANCEL_FN void task_cancel(struct task *t)
{
    atomic_store_explicit(&t->cancel_requested, 1, memory_order_release);
    pthread_mutex_lock(&t->mu);
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
}
