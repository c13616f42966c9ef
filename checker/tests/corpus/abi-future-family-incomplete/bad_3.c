/* rust_buffer is complete, i32 lacks free. */
#include <stdint.h>
#include "asyncabi/abi.h"

void ffi_demo_rust_future_poll_rust_buffer(uint64_t h, UniffiRustFutureContinuationCallback cb, uint64_t d);
void ffi_demo_rust_future_cancel_rust_buffer(uint64_t h);
RustBuffer ffi_demo_rust_future_complete_rust_buffer(uint64_t h, RustCallStatus *s);
void ffi_demo_rust_future_free_rust_buffer(uint64_t h);
void ffi_demo_rust_future_poll_i32(uint64_t h, UniffiRustFutureContinuationCallback cb, uint64_t d); // expect: abi-future-family-incomplete@6
void ffi_demo_rust_future_cancel_i32(uint64_t h);
int32_t ffi_demo_rust_future_complete_i32(uint64_t h, RustCallStatus *s);
