/* A per-thread buffer handed to a future: it belongs to whichever thread created it. */
#include <stdint.h>
#include "asyncabi/future.h"

static _Thread_local char tls_buf[256];
static aa_poll p(aa_future *f, void *state) { (void)f; (void)state; return AA_READY; }
static const aa_future_vtable vt = {p, NULL, "tls"};

uint64_t uniffi_demo_fn_func_tls(void)
{
    return aa_future_new(AA_TYPE_VOID, &vt, tls_buf); // expect: send-thread-local@12
}
