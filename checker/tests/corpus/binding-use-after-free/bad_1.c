/* Swift-style cancel after the handle was already freed. */
#include "prelude.h"

void run(void)
{
    uint64_t h = uniffi_demo_fn_func_sleep(1);
    ffi_demo_rust_future_free_void(h);
    ffi_demo_rust_future_cancel_void(h); // expect: binding-use-after-free@5
}
