/* Whatever the state, the same releases. */
#include <stdlib.h>
#include "asyncabi/annotations.h"

enum state { RUNNING, DONE };
struct fut { enum state state; char *buf; char *result; };

AA_FREE_FN void fut_free(struct fut *f)
{
    if (f->state == DONE) {
        free(f->result);
        free(f->buf);
    } else {
        free(f->buf);
        free(f->result);
    }
    free(f);
}
