/* cancel joins the worker thread. */
#include <pthread.h>
#include <stdint.h>
#include "asyncabi/annotations.h"

struct task { pthread_t worker; _Atomic int stop; };

AA_CANCEL_FN void task_cancel(struct task *t)
{
    t->stop = 1;
    pthread_join(t->worker, NULL); // expect: cancel-wait-ack@5
}
