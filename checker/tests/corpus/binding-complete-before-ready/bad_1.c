/* complete right after export, no poll at all. */
#include "prelude.h"

void run(void)
{
    uint64_t h = uniffi_demo_fn_func_sleep(1);
    RustCallStatus st = {0};
    ffi_demo_rust_future_complete_void(h, &st); // expect: binding-complete-before-ready@5
    ffi_demo_rust_future_free_void(h);
}
