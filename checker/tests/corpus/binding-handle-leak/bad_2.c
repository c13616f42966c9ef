/* Never freed at all; and freed only when the call succeeded. */
#include "prelude.h"

void fire_and_forget(void)
{
    uint64_t h = uniffi_demo_fn_func_sleep(10); // expect: binding-handle-leak@18
    ffi_demo_rust_future_poll_void(h, on_continuation, 0);
}

int run(RustBuffer who)
{
    uint64_t h;
    h = uniffi_demo_fn_func_say_after(5, who);
    uint64_t slot = new_slot();
    ffi_demo_rust_future_poll_rust_buffer(h, on_continuation, slot);
    wait_for_ready(slot);
    RustCallStatus st = {0};
    RustBuffer out = ffi_demo_rust_future_complete_rust_buffer(h, &st);
    (void)out;
    if (st.code == UNIFFI_CALL_SUCCESS) {
        ffi_demo_rust_future_free_rust_buffer(h);
    }
    return st.code; // expect: binding-handle-leak@5
}
