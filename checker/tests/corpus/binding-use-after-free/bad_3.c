/* poll and complete after free. */
#include "prelude.h"

void run(void)
{
    uint64_t h = uniffi_demo_fn_func_sleep(1);
    ffi_demo_rust_future_poll_void(h, on_continuation, 0);
    wait_for_ready(0);
    ffi_demo_rust_future_free_void(h);
    ffi_demo_rust_future_poll_void(h, on_continuation, 0); // expect: binding-use-after-free@5
    RustCallStatus st = {0};
    ffi_demo_rust_future_complete_void(h, &st); // expect: binding-use-after-free@5
}
