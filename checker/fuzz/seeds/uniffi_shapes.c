#include <stdint.h>
typedef struct RustBuffer { uint64_t capacity; uint64_t len; uint8_t *data; } RustBuffer;
typedef struct RustCallStatus { int8_t code; RustBuffer errorBuf; } RustCallStatus;
typedef void (*UniffiRustFutureContinuationCallback)(uint64_t, int8_t);
uint64_t uniffi_app_fn_func_fetch(RustBuffer url);
void ffi_app_rust_future_poll_rust_buffer(uint64_t h, UniffiRustFutureContinuationCallback cb, uint64_t d);
void ffi_app_rust_future_cancel_rust_buffer(uint64_t h);
RustBuffer ffi_app_rust_future_complete_rust_buffer(uint64_t h, RustCallStatus *s);
void ffi_app_rust_future_free_rust_buffer(uint64_t h);
typedef struct UniffiVTableCallbackInterfaceParser {
    void (*uniffi_free)(uint64_t handle);
    uint64_t (*uniffi_clone)(uint64_t handle);
} UniffiVTableCallbackInterfaceParser;
void uniffi_app_fn_init_callback_vtable_parser(const UniffiVTableCallbackInterfaceParser *vt);
