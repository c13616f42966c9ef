/* complete without the status out-parameter, and a family tag UniFFI does not have. */
#include <stdint.h>
#include "asyncabi/abi.h"

void ffi_demo_rust_future_poll_f64(uint64_t h, UniffiRustFutureContinuationCallback cb, uint64_t d);
void ffi_demo_rust_future_cancel_f64(uint64_t h);
double ffi_demo_rust_future_complete_f64(uint64_t h); // expect: abi-future-signature@8
void ffi_demo_rust_future_free_f64(uint64_t h);
void ffi_demo_rust_future_free_string(uint64_t h); // expect: abi-future-signature@6, abi-future-family-incomplete@6
