/* A binding passes the address of a local as continuation data, then returns. */
#include <stdint.h>
#include "asyncabi/ffi.h"

ASYNCABI_DECLARE_FFI(demo)

void on_wake(uint64_t data, int8_t code);

void start(uint64_t handle)
{
    int8_t last_code = -1;
    ffi_demo_rust_future_poll_u8(handle, on_wake, (uint64_t)(uintptr_t)&last_code); // expect: send-automatic-address@5
}
