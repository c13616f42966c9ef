// A C++ producer with extern "C".
#include <cstdint>

extern "C" __attribute__((visibility("default"))) uint64_t uniffi_demo_fn_func_ping(uint32_t n)
{
    return n;
}
