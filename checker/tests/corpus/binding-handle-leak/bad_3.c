/* A loop that starts futures and frees none of them (the "cancellation leaked the future" bug). */
#include "prelude.h"

void start_many(int n)
{
    for (int i = 0; i < n; i++) {
        uint64_t h = uniffi_demo_fn_func_sleep((uint16_t)i); // expect: binding-handle-leak@22
        ffi_demo_rust_future_poll_void(h, on_continuation, (uint64_t)i);
        ffi_demo_rust_future_cancel_void(h);
    }
}
