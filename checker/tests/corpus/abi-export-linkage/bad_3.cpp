// A C++ producer that forgot extern "C".
#include <cstdint>

__attribute__((visibility("default"))) uint64_t uniffi_demo_fn_func_ping(uint32_t n) // expect: abi-export-linkage@49
{
    return n;
}
