/* A compound literal inside a function lives in that call's frame, like a local. */
#include <stdint.h>
#include <stdlib.h>
#include "asyncabi/future.h"

struct job { int kind; };
static aa_poll job_poll(aa_future *f, void *state) { (void)f; (void)state; return AA_READY; }
static const aa_future_vtable job_vt = {job_poll, NULL, "job"};

uint64_t uniffi_demo_fn_func_ping(void)
{
    return aa_future_new(AA_TYPE_VOID, &job_vt, &(struct job){.kind = 1}); // expect: send-automatic-address@12
}
