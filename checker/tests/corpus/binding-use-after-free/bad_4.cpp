// A C++ runner: the cancellation handler runs after the completion path already freed.
#include <cstdint>
#include "asyncabi/ffi.h"

ASYNCABI_DECLARE_FFI(demo)
extern "C" uint64_t uniffi_demo_fn_func_sleep(uint16_t ms);

void run_cancelled(bool task_cancelled)
{
    uint64_t h = uniffi_demo_fn_func_sleep(5);
    ffi_demo_rust_future_free_void(h);
    if (task_cancelled) {
        ffi_demo_rust_future_cancel_void(h); // expect: binding-use-after-free@9
    }
}
