/* The u8 family has no cancel. */
#include <stdint.h>
#include "asyncabi/abi.h"

void ffi_demo_rust_future_poll_u8(uint64_t handle, UniffiRustFutureContinuationCallback cb, uint64_t data); // expect: abi-future-family-incomplete@6
uint8_t ffi_demo_rust_future_complete_u8(uint64_t handle, RustCallStatus *out_status);
void ffi_demo_rust_future_free_u8(uint64_t handle);
