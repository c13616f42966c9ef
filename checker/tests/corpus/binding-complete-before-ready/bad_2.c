/* One poll, then complete, without waiting for the continuation. */
#include "prelude.h"

int run(RustBuffer who)
{
    uint64_t h = uniffi_demo_fn_func_say_after(1, who);
    ffi_demo_rust_future_poll_rust_buffer(h, on_continuation, 7);
    RustCallStatus st = {0};
    RustBuffer r = ffi_demo_rust_future_complete_rust_buffer(h, &st); // expect: binding-complete-before-ready@20
    (void)r;
    ffi_demo_rust_future_free_rust_buffer(h);
    return st.code;
}
