/* Through a helper in the same file, and into an AA_FREE_FN. */
#include <stdint.h>
#include <stdlib.h>
#include "asyncabi/annotations.h"

struct req { char *body; };

AA_FREE_FN void req_free(struct req *r)
{
    free(r->body);
    free(r);
}

static void reset(struct req *r)
{
    free(r->body);
    r->body = NULL;
}

AA_CANCEL_FN void req_cancel(struct req *r, int hard)
{
    reset(r); // expect: cancel-frees@5
    if (hard) {
        req_free(r); // expect: cancel-frees@9
    }
}
