/* Waiting is fine outside the cancel path (e.g. a shutdown function). */
#include <pthread.h>
#include "asyncabi/annotations.h"

struct task { pthread_t worker; _Atomic int stop; };

AA_CANCEL_FN void task_cancel(struct task *t) { t->stop = 1; }

void task_shutdown(struct task *t)
{
    t->stop = 1;
    pthread_join(t->worker, NULL);
}
