/* free skips the buffer when the future already completed. */
#include <stdlib.h>
#include "asyncabi/annotations.h"

enum state { RUNNING, DONE };
struct fut { enum state state; char *buf; };

AA_FREE_FN void fut_free(struct fut *f)
{
    if (f->state == DONE) {
        return; // expect: free-incomplete-release@9
    }
    free(f->buf);
    free(f);
}
