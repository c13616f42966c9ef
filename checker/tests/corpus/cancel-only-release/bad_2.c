/* A semaphore permit (the "shared resource held under an async lock") returned only on cancel. */
#include <semaphore.h>
#include <stdlib.h>
#include "asyncabi/annotations.h"

struct guarded_task { sem_t *permit; void *state; };

AA_CANCEL_FN void task_cancel(struct guarded_task *t)
{
    sem_post(t->permit); // expect: cancel-only-release@5
}

AA_FREE_FN void task_free(struct guarded_task *t)
{
    free(t->state);
    free(t);
}
