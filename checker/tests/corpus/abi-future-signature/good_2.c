/* Written out by hand, with typedef'd spellings of the same types. */
#include <stdint.h>
#include "asyncabi/abi.h"

typedef uint64_t handle_t;
typedef float real32;
void ffi_demo_rust_future_poll_f32(handle_t h, void (*cb)(uint64_t, int8_t), uint64_t d);
void ffi_demo_rust_future_cancel_f32(handle_t h);
real32 ffi_demo_rust_future_complete_f32(handle_t h, RustCallStatus *s);
void ffi_demo_rust_future_free_f32(handle_t h);
