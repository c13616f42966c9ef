/* free takes a 32-bit handle; cancel returns an int. */
#include <stdint.h>
#include "asyncabi/abi.h"

void ffi_demo_rust_future_poll_i8(uint64_t h, UniffiRustFutureContinuationCallback cb, uint64_t d);
int ffi_demo_rust_future_cancel_i8(uint64_t h); // expect: abi-future-signature@5
int8_t ffi_demo_rust_future_complete_i8(uint64_t h, RustCallStatus *s);
void ffi_demo_rust_future_free_i8(uint32_t h); // expect: abi-future-signature@6
