/* Hidden visibility on an export. */
#include <stdint.h>

__attribute__((visibility("hidden"))) uint32_t ffi_demo_uniffi_contract_version(void) // expect: abi-export-linkage@48
{
    return 29;
}
