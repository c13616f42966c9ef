/* A process-wide static is shared by every thread: fine for Send (Sync is another matter). */
#include <stdint.h>
#include "asyncabi/future.h"

static char shared_buf[256];
static aa_poll p(aa_future *f, void *state) { (void)f; (void)state; return AA_READY; }
static const aa_future_vtable vt = {p, NULL, "static"};

uint64_t uniffi_demo_fn_func_static(void)
{
    static _Thread_local int calls;
    calls++;
    return aa_future_new(AA_TYPE_VOID, &vt, shared_buf);
}
