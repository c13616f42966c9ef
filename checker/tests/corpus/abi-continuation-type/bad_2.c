/* poll takes a continuation with the arguments swapped. */
#include <stdint.h>
#include "asyncabi/abi.h"

typedef void (*my_cont)(int8_t code, uint64_t data); // expect: abi-continuation-type@16
void ffi_demo_rust_future_poll_u32(uint64_t h, my_cont cb, uint64_t d);
void ffi_demo_rust_future_cancel_u32(uint64_t h);
uint32_t ffi_demo_rust_future_complete_u32(uint64_t h, RustCallStatus *s);
void ffi_demo_rust_future_free_u32(uint64_t h);
