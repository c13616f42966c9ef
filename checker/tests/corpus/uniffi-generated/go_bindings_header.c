/* Shape of a uniffi-bindgen-go header for a namespace "kv" (UniFFI 0.30, contract 30):
 * shared structs under UNIFFI_SHARED_H, one guard per FFI definition, static trampolines that
 * call through the callback pointers (cgo cannot call C function pointers directly). */
#include <stdbool.h>
#include <stdint.h>

#ifndef UNIFFI_SHARED_H
#define UNIFFI_SHARED_H
typedef struct RustBuffer {
	uint64_t capacity;
	uint64_t len;
	uint8_t *data;
} RustBuffer;
typedef struct ForeignBytes {
	int32_t len;
	const uint8_t *data;
} ForeignBytes;
typedef struct RustCallStatus {
	int8_t code;
	RustBuffer errorBuf;
} RustCallStatus;
#endif

#ifndef UNIFFI_FFIDEF_RUST_FUTURE_CONTINUATION_CALLBACK
#define UNIFFI_FFIDEF_RUST_FUTURE_CONTINUATION_CALLBACK
typedef void (*UniffiRustFutureContinuationCallback)(uint64_t data, int8_t poll_result);
static void call_UniffiRustFutureContinuationCallback(
				UniffiRustFutureContinuationCallback cb, uint64_t data, int8_t poll_result)
{
	return cb(data, poll_result);
}
#endif
#ifndef UNIFFI_FFIDEF_FOREIGN_FUTURE_DROPPED_CALLBACK
#define UNIFFI_FFIDEF_FOREIGN_FUTURE_DROPPED_CALLBACK
typedef void (*UniffiForeignFutureDroppedCallback)(uint64_t handle);
static void call_UniffiForeignFutureDroppedCallback(UniffiForeignFutureDroppedCallback cb, uint64_t handle)
{
	return cb(handle);
}
#endif
typedef void (*UniffiCallbackInterfaceFree)(uint64_t handle);
typedef uint64_t (*UniffiCallbackInterfaceClone)(uint64_t handle);
typedef struct UniffiForeignFutureDroppedCallbackStruct {
    uint64_t handle;
    UniffiForeignFutureDroppedCallback free;
} UniffiForeignFutureDroppedCallbackStruct;
typedef struct UniffiForeignFutureResultU64 {
    uint64_t returnValue;
    RustCallStatus callStatus;
} UniffiForeignFutureResultU64;
typedef void (*UniffiForeignFutureCompleteU64)(uint64_t callback_data, UniffiForeignFutureResultU64 result);
static void call_UniffiForeignFutureCompleteU64(
				UniffiForeignFutureCompleteU64 cb, uint64_t callback_data, UniffiForeignFutureResultU64 result)
{
	return cb(callback_data, result);
}
typedef struct UniffiForeignFutureResultRustBuffer {
    RustBuffer returnValue;
    RustCallStatus callStatus;
} UniffiForeignFutureResultRustBuffer;
typedef void (*UniffiForeignFutureCompleteRustBuffer)(uint64_t callback_data, UniffiForeignFutureResultRustBuffer result);
typedef struct UniffiForeignFutureResultVoid {
    RustCallStatus callStatus;
} UniffiForeignFutureResultVoid;
typedef void (*UniffiForeignFutureCompleteVoid)(uint64_t callback_data, UniffiForeignFutureResultVoid result);

typedef void (*UniffiCallbackInterfaceStoreMethod0)(uint64_t uniffi_handle, RustBuffer key, UniffiForeignFutureCompleteRustBuffer uniffi_future_callback, uint64_t uniffi_callback_data, UniffiForeignFutureDroppedCallbackStruct* uniffi_out_dropped_callback);
typedef void (*UniffiCallbackInterfaceStoreMethod1)(uint64_t uniffi_handle, RustBuffer key, RustBuffer value, UniffiForeignFutureCompleteVoid uniffi_future_callback, uint64_t uniffi_callback_data, UniffiForeignFutureDroppedCallbackStruct* uniffi_out_dropped_callback);
typedef void (*UniffiCallbackInterfaceStoreMethod2)(uint64_t uniffi_handle, uint64_t* uniffi_out_return, RustCallStatus* callStatus);
typedef struct UniffiVTableCallbackInterfaceStore {
    UniffiCallbackInterfaceFree uniffiFree;
    UniffiCallbackInterfaceClone uniffiClone;
    UniffiCallbackInterfaceStoreMethod0 get;
    UniffiCallbackInterfaceStoreMethod1 put;
    UniffiCallbackInterfaceStoreMethod2 len;
} UniffiVTableCallbackInterfaceStore;

uint64_t uniffi_kv_fn_clone_db(uint64_t handle, RustCallStatus *out_status);
void uniffi_kv_fn_free_db(uint64_t handle, RustCallStatus *out_status);
uint64_t uniffi_kv_fn_constructor_db_open(RustBuffer path);
uint64_t uniffi_kv_fn_method_db_get(uint64_t ptr, RustBuffer key);
uint64_t uniffi_kv_fn_method_db_put(uint64_t ptr, RustBuffer key, RustBuffer value);
uint64_t uniffi_kv_fn_method_db_len(uint64_t ptr, RustCallStatus *out_status);
void uniffi_kv_fn_init_callback_vtable_store(UniffiVTableCallbackInterfaceStore* vtable);
uint64_t uniffi_kv_fn_func_open_with_store(uint64_t store);
RustBuffer ffi_kv_rustbuffer_alloc(uint64_t size, RustCallStatus *out_status);
RustBuffer ffi_kv_rustbuffer_from_bytes(ForeignBytes bytes, RustCallStatus *out_status);
void ffi_kv_rustbuffer_free(RustBuffer buf, RustCallStatus *out_status);
RustBuffer ffi_kv_rustbuffer_reserve(RustBuffer buf, uint64_t additional, RustCallStatus *out_status);
void ffi_kv_rust_future_poll_u64(uint64_t handle, UniffiRustFutureContinuationCallback callback, uint64_t callback_data);
void ffi_kv_rust_future_cancel_u64(uint64_t handle);
void ffi_kv_rust_future_free_u64(uint64_t handle);
uint64_t ffi_kv_rust_future_complete_u64(uint64_t handle, RustCallStatus *out_status);
void ffi_kv_rust_future_poll_rust_buffer(uint64_t handle, UniffiRustFutureContinuationCallback callback, uint64_t callback_data);
void ffi_kv_rust_future_cancel_rust_buffer(uint64_t handle);
void ffi_kv_rust_future_free_rust_buffer(uint64_t handle);
RustBuffer ffi_kv_rust_future_complete_rust_buffer(uint64_t handle, RustCallStatus *out_status);
void ffi_kv_rust_future_poll_void(uint64_t handle, UniffiRustFutureContinuationCallback callback, uint64_t callback_data);
void ffi_kv_rust_future_cancel_void(uint64_t handle);
void ffi_kv_rust_future_free_void(uint64_t handle);
void ffi_kv_rust_future_complete_void(uint64_t handle, RustCallStatus *out_status);
uint16_t uniffi_kv_checksum_method_db_get(void);
uint32_t ffi_kv_uniffi_contract_version(void);
