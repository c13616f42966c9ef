/* Cancel releases nothing; free releases everything. */
#include <stdlib.h>
#include <unistd.h>
#include "asyncabi/annotations.h"

struct conn { int fd; _Atomic int cancelled; };

AA_CANCEL_FN void conn_cancel(struct conn *c)
{
    c->cancelled = 1;
}

AA_FREE_FN void conn_free(struct conn *c)
{
    close(c->fd);
    free(c);
}
