/* Released on both paths (the free path must not depend on cancel having run). */
#include <stdlib.h>
#include <unistd.h>
#include "asyncabi/annotations.h"

struct conn { int fd; };

AA_CANCEL_FN void conn_cancel(struct conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
}

AA_FREE_FN void conn_free(struct conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c);
}
