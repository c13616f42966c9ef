/* The address of a __thread counter as continuation data. */
#include <stdint.h>
#include "asyncabi/ffi.h"

ASYNCABI_DECLARE_FFI(demo)

static __thread int64_t polls;
void on_wake(uint64_t data, int8_t code);

void drive(uint64_t h)
{
    ffi_demo_rust_future_poll_i64(h, on_wake, (uint64_t)(uintptr_t)&polls); // expect: send-thread-local@5
}
