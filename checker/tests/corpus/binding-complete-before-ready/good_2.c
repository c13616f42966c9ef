/* A poll loop; the READY check is the loop condition. */
#include "prelude.h"

int8_t last_result(void);

void run(void)
{
    uint64_t h = uniffi_demo_fn_func_sleep(1);
    for (;;) {
        ffi_demo_rust_future_poll_void(h, on_continuation, 0);
        if (last_result() == UNIFFI_RUST_FUTURE_POLL_READY) {
            break;
        }
    }
    RustCallStatus st = {0};
    ffi_demo_rust_future_complete_void(h, &st);
    ffi_demo_rust_future_free_void(h);
}
