/* A helper frees the handle (cancel, then free); polling it afterwards is a use after free. */
#include <stdint.h>
#include "asyncabi/abi.h"
uint64_t uniffi_m_fn_method_client_fetch(uint64_t self, RustBuffer url);
void ffi_m_rust_future_poll_rust_buffer(uint64_t, UniffiRustFutureContinuationCallback, uint64_t);
RustBuffer ffi_m_rust_future_complete_rust_buffer(uint64_t, RustCallStatus *);
void ffi_m_rust_future_free_rust_buffer(uint64_t);
void ffi_m_rust_future_cancel_rust_buffer(uint64_t);
void wait_until_ready(uint64_t handle);
static void drop_future(uint64_t h) { ffi_m_rust_future_cancel_rust_buffer(h); ffi_m_rust_future_free_rust_buffer(h); }
RustBuffer fetch(uint64_t client, RustBuffer url, int give_up)
{
    uint64_t fut = uniffi_m_fn_method_client_fetch(client, url);
    RustBuffer out = {0, 0, 0};
    if (give_up) {
        drop_future(fut);
        (void)0;
        return out;
    }
    wait_until_ready(fut);
    RustCallStatus st = {0};
    out = ffi_m_rust_future_complete_rust_buffer(fut, &st);
    drop_future(fut);
    ffi_m_rust_future_poll_rust_buffer(fut, 0, 0); // expect: binding-use-after-free@5
    return out;
}
