/* cancel frees the future: the binding's later complete() and free() use freed memory. */
#include <stdint.h>
#include <stdlib.h>
#include "asyncabi/annotations.h"

struct job { uint64_t handle; char *buf; };

AA_CANCEL_FN void job_cancel(struct job *j)
{
    free(j->buf); // expect: cancel-frees@5
    free(j); // expect: cancel-frees@5
}
