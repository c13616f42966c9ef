/* Reading a thread-local's value into the state copies it: fine. */
#include <stdint.h>
#include "asyncabi/annotations.h"

struct AA_FUTURE_STATE req { int seed; };
static _Thread_local int tls_seed = 7;

void req_init(struct req *r)
{
    r->seed = tls_seed;
}
