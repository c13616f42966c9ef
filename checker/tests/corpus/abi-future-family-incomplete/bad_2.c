/* The void family has only poll and complete: cancel and free are missing. */
#include <stdint.h>
#include "asyncabi/abi.h"

void ffi_demo_rust_future_complete_void(uint64_t handle, RustCallStatus *out_status); // expect: abi-future-family-incomplete@6
void ffi_demo_rust_future_poll_void(uint64_t handle, UniffiRustFutureContinuationCallback cb, uint64_t data);
