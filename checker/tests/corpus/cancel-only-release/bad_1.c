/* The socket is closed only when cancelled: Python and Kotlin bindings never call cancel. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "asyncabi/annotations.h"

struct conn { int fd; char *buf; };

AA_CANCEL_FN void conn_cancel(struct conn *c)
{
    close(c->fd); // expect: cancel-only-release@5
}

AA_FREE_FN void conn_free(struct conn *c)
{
    free(c->buf);
    free(c);
}
