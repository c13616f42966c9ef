/* Waits on one path only. */
#include "prelude.h"

void run(int patient)
{
    uint64_t h = uniffi_demo_fn_func_sleep(1);
    uint64_t slot = new_slot();
    ffi_demo_rust_future_poll_void(h, on_continuation, slot);
    if (patient) {
        wait_for_ready(slot);
    }
    RustCallStatus st = {0};
    ffi_demo_rust_future_complete_void(h, &st); // expect: binding-complete-before-ready@5
    ffi_demo_rust_future_free_void(h);
}
