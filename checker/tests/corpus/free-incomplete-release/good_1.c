/* Releases everything on every path; null checks are fine. */
#include <stdlib.h>
#include <unistd.h>
#include "asyncabi/annotations.h"

struct op { int fd; char *buf; };

AA_FREE_FN void op_free(struct op *o)
{
    if (!o) {
        return;
    }
    if (o->fd >= 0) {
        close(o->fd);
    }
    if (o->buf) {
        free(o->buf);
    }
    free(o);
}
