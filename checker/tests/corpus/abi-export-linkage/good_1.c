/* The runtime's ASYNCABI_EXPORT gives default visibility. */
#include "asyncabi/ffi.h"

ASYNCABI_EXPORT uint32_t ffi_demo_uniffi_contract_version(void)
{
    return 29;
}
static int helper(int x) { return x; }
int use_helper(void) { return helper(1); }
