/* asyncabi/abi.h: the C types of the UniFFI async ABI, as a foreign binding sees them.
 *
 * These are layout contracts, not conveniences: every struct here must match what UniFFI's
 * bindings generate byte for byte (docs/abi.md is the normative description). Names follow
 * UniFFI's generated C headers so that a header written for a Rust producer also fits a
 * producer built on asyncabi.
 */
#ifndef ASYNCABI_ABI_H
#define ASYNCABI_ABI_H

#include <stdint.h>

#include "asyncabi/families.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The UniFFI contract version a producer built with this runtime reports through
 * ffi_<ns>_uniffi_contract_version(). 30 is the first release line with this layout (objects
 * as u64 handles, 12 future families, vtables starting with free and clone): bindings of
 * 0.29.x expect pointers and a 13th family, see docs/abi.md section 10. */
#ifndef ASYNCABI_UNIFFI_CONTRACT_VERSION
#define ASYNCABI_UNIFFI_CONTRACT_VERSION 30
#endif

/* A byte buffer owned by the producer's allocator (freed with ffi_<ns>_rustbuffer_free). */
typedef struct RustBuffer {
    uint64_t capacity;
    uint64_t len;
    uint8_t *data;
} RustBuffer;

/* A borrowed byte slice passed from the foreign side (ffi_<ns>_rustbuffer_from_bytes). */
typedef struct ForeignBytes {
    int32_t len;
    const uint8_t *data;
} ForeignBytes;

/* Outcome of a call: code plus, for codes 1 and 2, a serialized error or a message. */
typedef struct RustCallStatus {
    int8_t code;
    RustBuffer errorBuf;
} RustCallStatus;

enum {
    UNIFFI_CALL_SUCCESS = 0,          /* the value is valid */
    UNIFFI_CALL_ERROR = 1,            /* errorBuf holds the serialized typed error */
    UNIFFI_CALL_UNEXPECTED_ERROR = 2, /* errorBuf holds a UTF-8 message (may be empty) */
    UNIFFI_CALL_CANCELLED = 3         /* the future was cancelled before it produced a value */
};

/* Codes passed to a continuation callback. WAKE was named MAYBE_READY before 0.29.2. */
enum {
    UNIFFI_RUST_FUTURE_POLL_READY = 0, /* call complete() next */
    UNIFFI_RUST_FUTURE_POLL_WAKE = 1   /* call poll() again */
};
#define UNIFFI_RUST_FUTURE_POLL_MAYBE_READY UNIFFI_RUST_FUTURE_POLL_WAKE

/* Invoked exactly once per poll() call, on any thread, possibly inside poll() itself. */
typedef void (*UniffiRustFutureContinuationCallback)(uint64_t data, int8_t poll_result);

/* --- Foreign futures: async methods implemented on the foreign side (profile 0.29.2+) --- */

/* Invoked by the producer exactly once when its side of a foreign call is dropped. */
typedef void (*UniffiForeignFutureDroppedCallback)(uint64_t handle);

/* Pre-filled by the producer with a no-op; a binding that can cancel overwrites it. */
typedef struct UniffiForeignFutureDroppedCallbackStruct {
    uint64_t handle;
    UniffiForeignFutureDroppedCallback free;
} UniffiForeignFutureDroppedCallbackStruct;

/* --- Legacy profile (0.26 to 0.29.1): the binding fills this out-parameter instead --- */
typedef void (*UniffiForeignFutureFree)(uint64_t handle);
typedef struct UniffiForeignFuture {
    uint64_t handle;
    UniffiForeignFutureFree free;
} UniffiForeignFuture;

/* One result struct and one completion callback type per return-type family (families.h). */
#define ASYNCABI_DECLARE_FOREIGN_RESULT(Suffix, T)                                             \
    typedef struct UniffiForeignFutureResult##Suffix {                                         \
        T return_value;                                                                        \
        RustCallStatus call_status;                                                            \
    } UniffiForeignFutureResult##Suffix;                                                       \
    typedef void (*UniffiForeignFutureComplete##Suffix)(uint64_t callback_data,                \
                                                        UniffiForeignFutureResult##Suffix result);

#define ASYNCABI_FOREIGN_RESULT_(ctx, tag, Suffix, ENUM, CType, member)                        \
    ASYNCABI_DECLARE_FOREIGN_RESULT(Suffix, CType)
ASYNCABI_VALUE_FAMILIES(ASYNCABI_FOREIGN_RESULT_, _)
#undef ASYNCABI_FOREIGN_RESULT_

typedef struct UniffiForeignFutureResultVoid {
    RustCallStatus call_status;
} UniffiForeignFutureResultVoid;
typedef void (*UniffiForeignFutureCompleteVoid)(uint64_t callback_data,
                                                UniffiForeignFutureResultVoid result);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_ABI_H */
