/* One complete family. */
#include <stdint.h>
#include "asyncabi/abi.h"

void ffi_demo_rust_future_poll_u64(uint64_t h, UniffiRustFutureContinuationCallback cb, uint64_t d);
void ffi_demo_rust_future_cancel_u64(uint64_t h);
uint64_t ffi_demo_rust_future_complete_u64(uint64_t h, RustCallStatus *s);
void ffi_demo_rust_future_free_u64(uint64_t h);
