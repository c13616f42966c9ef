/* Exactly one free on each branch. */
#include "prelude.h"

int run(int abandon)
{
    uint64_t h = uniffi_demo_fn_func_sleep(1);
    if (abandon) {
        ffi_demo_rust_future_free_void(h);
        return 1;
    }
    ffi_demo_rust_future_poll_void(h, on_continuation, 0);
    wait_for_ready(0);
    RustCallStatus st = {0};
    ffi_demo_rust_future_complete_void(h, &st);
    ffi_demo_rust_future_free_void(h);
    return 0;
}
