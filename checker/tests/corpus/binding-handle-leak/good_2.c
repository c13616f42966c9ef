/* Handed on: returned to the caller, or given to an owner that frees it later. */
#include "prelude.h"

uint64_t start(uint16_t ms)
{
    uint64_t h = uniffi_demo_fn_func_sleep(ms);
    ffi_demo_rust_future_poll_void(h, on_continuation, 0);
    return h;
}

void start_owned(uint16_t ms)
{
    uint64_t h = uniffi_demo_fn_func_sleep(ms);
    keep_for_later(h);
}

int run_checked(uint16_t ms)
{
    uint64_t h = uniffi_demo_fn_func_sleep(ms);
    if (!h) {
        return -1; /* 0 is the export's allocation failure: there is no future to free */
    }
    ffi_demo_rust_future_free_void(h);
    return 0;
}
