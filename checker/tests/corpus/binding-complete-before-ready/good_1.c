/* Poll until the continuation reports READY, then complete. */
#include "prelude.h"

extern volatile int8_t last_code;

void run(void)
{
    uint64_t h = uniffi_demo_fn_func_sleep(1);
    do {
        ffi_demo_rust_future_poll_void(h, on_continuation, 0);
        wait_for_ready(0);
    } while (last_code != UNIFFI_RUST_FUTURE_POLL_READY);
    RustCallStatus st = {0};
    ffi_demo_rust_future_complete_void(h, &st);
    ffi_demo_rust_future_free_void(h);
}
