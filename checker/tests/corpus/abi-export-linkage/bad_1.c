/* A static scaffolding function: the binding's dlsym finds nothing. */
#include <stdint.h>
#include "asyncabi/abi.h"

static void ffi_demo_rustbuffer_free(RustBuffer buf, RustCallStatus *status) // expect: abi-export-linkage@13
{
    (void)buf;
    (void)status;
}
void keep(void) { ffi_demo_rustbuffer_free((RustBuffer){0, 0, 0}, 0); }
