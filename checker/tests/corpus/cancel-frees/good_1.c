/* cancel only flips a flag and wakes; free releases. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include "asyncabi/annotations.h"

struct job { atomic_int cancelled; char *buf; };

AA_CANCEL_FN void job_cancel(struct job *j)
{
    atomic_store_explicit(&j->cancelled, 1, memory_order_release);
}

AA_FREE_FN void job_free(struct job *j)
{
    free(j->buf);
    free(j);
}
