/* Freed on every path, including the early error path. */
#include "prelude.h"

int run(uint16_t ms)
{
    uint64_t h = uniffi_demo_fn_func_sleep(ms);
    uint64_t slot = new_slot();
    if (!slot) {
        ffi_demo_rust_future_free_void(h);
        return -1;
    }
    ffi_demo_rust_future_poll_void(h, on_continuation, slot);
    wait_for_ready(slot);
    RustCallStatus st = {0};
    ffi_demo_rust_future_complete_void(h, &st);
    ffi_demo_rust_future_free_void(h);
    return st.code;
}
