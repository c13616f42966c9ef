// checker-args: --profile 30
/* The legacy `pointer` family under the 0.29.2 profile (objects are u64 handles there). */

#include <stdint.h>

typedef struct RustBuffer { uint64_t capacity; uint64_t len; uint8_t *data; } RustBuffer;
typedef struct RustCallStatus { int8_t code; RustBuffer errorBuf; } RustCallStatus;
typedef void (*UniffiRustFutureContinuationCallback)(uint64_t, int8_t);

void *uniffi_app_fn_constructor_client_new(RustCallStatus *out_status);
uint64_t uniffi_app_fn_method_client_fetch(void *ptr, RustBuffer url);
void ffi_app_rust_future_poll_pointer(uint64_t handle, UniffiRustFutureContinuationCallback cb, uint64_t data); // expect: abi-future-signature@6
void ffi_app_rust_future_cancel_pointer(uint64_t handle); // expect: abi-future-signature@6
void *ffi_app_rust_future_complete_pointer(uint64_t handle, RustCallStatus *out_status); // expect: abi-future-signature@7
void ffi_app_rust_future_free_pointer(uint64_t handle); // expect: abi-future-signature@6
