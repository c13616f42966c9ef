/* The error path returns without freeing the future. */
#include "prelude.h"

int run(uint16_t ms)
{
    uint64_t h = uniffi_demo_fn_func_sleep(ms);
    uint64_t slot = new_slot();
    if (!slot) {
        return -1; // expect: binding-handle-leak@9
    }
    ffi_demo_rust_future_poll_void(h, on_continuation, slot);
    wait_for_ready(slot);
    RustCallStatus st = {0};
    ffi_demo_rust_future_complete_void(h, &st);
    ffi_demo_rust_future_free_void(h);
    return st.code;
}
