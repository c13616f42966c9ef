/* complete_u16 returns the wrong type. */
#include <stdint.h>
#include "asyncabi/abi.h"

void ffi_demo_rust_future_poll_u16(uint64_t h, UniffiRustFutureContinuationCallback cb, uint64_t d);
void ffi_demo_rust_future_cancel_u16(uint64_t h);
uint32_t ffi_demo_rust_future_complete_u16(uint64_t h, RustCallStatus *s); // expect: abi-future-signature@10
void ffi_demo_rust_future_free_u16(uint64_t h);
