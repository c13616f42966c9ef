/* A double free on the error path. */
#include "prelude.h"

int run(RustBuffer who)
{
    uint64_t h = uniffi_demo_fn_func_say_after(1, who);
    uint64_t slot = new_slot();
    if (!slot) {
        ffi_demo_rust_future_free_rust_buffer(h);
    }
    ffi_demo_rust_future_free_rust_buffer(h); // expect: binding-use-after-free@5
    return 0;
}
