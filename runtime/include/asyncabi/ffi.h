/* asyncabi/ffi.h: defines, for one namespace, every scaffolding symbol a UniFFI binding calls.
 *
 * ASYNCABI_DEFINE_FFI(ns) in exactly one .c file of a producer defines, with UniFFI's names:
 *   ffi_<ns>_rust_future_{poll,cancel,complete,free}_<t>  for the 12 families <t>
 *   ffi_<ns>_uniffi_contract_version
 *   ffi_<ns>_rustbuffer_{alloc,from_bytes,free,reserve}
 * Each is a thin, family-checked wrapper over the runtime (future.h, buffer.h). A constructor
 * seeds the library's handles with its namespace (aa_set_library_namespace, object.h).
 * ASYNCABI_DEFINE_FFI_VIA(ns, futures, buffers) defines them over another implementation.
 * ASYNCABI_DECLARE_FFI(ns) declares the same set (for a header or a C driver).
 */
#ifndef ASYNCABI_FFI_H
#define ASYNCABI_FFI_H

#include <stdint.h>

#include "asyncabi/abi.h"
#include "asyncabi/annotations.h"
#include "asyncabi/buffer.h"
#include "asyncabi/future.h"
#include "asyncabi/object.h"

#define ASYNCABI_FFI_DECLARE_FAMILY_(ns, tag, T)                                               \
    void ffi_##ns##_rust_future_poll_##tag(uint64_t handle,                                    \
                                           UniffiRustFutureContinuationCallback callback,      \
                                           uint64_t callback_data);                            \
    void ffi_##ns##_rust_future_cancel_##tag(uint64_t handle);                                 \
    T ffi_##ns##_rust_future_complete_##tag(uint64_t handle, RustCallStatus *out_status);      \
    void ffi_##ns##_rust_future_free_##tag(uint64_t handle);

#define ASYNCABI_FFI_DEFINE_FAMILY_(ns, impl, tag, T, type, member)                            \
    ASYNCABI_EXPORT void ffi_##ns##_rust_future_poll_##tag(                                    \
        uint64_t handle, UniffiRustFutureContinuationCallback callback, uint64_t callback_data) \
    {                                                                                          \
        impl##_poll(type, handle, callback, callback_data);                                    \
    }                                                                                          \
    ASYNCABI_EXPORT void ffi_##ns##_rust_future_cancel_##tag(uint64_t handle)                  \
    {                                                                                          \
        impl##_cancel(type, handle);                                                           \
    }                                                                                          \
    ASYNCABI_EXPORT T ffi_##ns##_rust_future_complete_##tag(uint64_t handle,                   \
                                                            RustCallStatus *out_status)        \
    {                                                                                          \
        return impl##_complete(type, handle, out_status).member;                               \
    }                                                                                          \
    ASYNCABI_EXPORT void ffi_##ns##_rust_future_free_##tag(uint64_t handle)                    \
    {                                                                                          \
        impl##_free(type, handle);                                                             \
    }

/* The rows of families.h, in the shapes above. `ctx` is the namespace, or (ns, impl). */
#define ASYNCABI_FFI_DECLARE_VALUE_(ns, tag, Suffix, ENUM, CType, member)                      \
    ASYNCABI_FFI_DECLARE_FAMILY_(ns, tag, CType)
#define ASYNCABI_FFI_DECLARE_VOID_(ns, tag, Suffix, ENUM)                                     \
    ASYNCABI_FFI_DECLARE_FAMILY_(ns, tag, void)
#define ASYNCABI_FFI_APPLY_(M, ...) M(__VA_ARGS__)
#define ASYNCABI_FFI_UNPACK_(ns, impl) ns, impl
#define ASYNCABI_FFI_DEFINE_VALUE_(ctx, tag, Suffix, ENUM, CType, member)                      \
    ASYNCABI_FFI_APPLY_(ASYNCABI_FFI_DEFINE_FAMILY_, ASYNCABI_FFI_UNPACK_ ctx, tag, CType,     \
                        AA_TYPE_##ENUM, member)

#define ASYNCABI_DECLARE_FFI(ns)                                                               \
    ASYNCABI_VALUE_FAMILIES(ASYNCABI_FFI_DECLARE_VALUE_, ns)                                   \
    ASYNCABI_VOID_FAMILY(ASYNCABI_FFI_DECLARE_VOID_, ns)                                       \
    uint32_t ffi_##ns##_uniffi_contract_version(void);                                         \
    RustBuffer ffi_##ns##_rustbuffer_alloc(uint64_t size, RustCallStatus *out_status);         \
    RustBuffer ffi_##ns##_rustbuffer_from_bytes(ForeignBytes bytes, RustCallStatus *out_status); \
    void ffi_##ns##_rustbuffer_free(RustBuffer buf, RustCallStatus *out_status);               \
    RustBuffer ffi_##ns##_rustbuffer_reserve(RustBuffer buf, uint64_t additional,              \
                                             RustCallStatus *out_status);

/* ASYNCABI_DEFINE_FFI_VIA(ns, futures, buffers): the same symbols, forwarding to
 * <futures>_{poll,cancel,complete,free} (the signatures of aa_future_poll etc.) and to
 * <buffers>_rustbuffer_{alloc,from_bytes,free,reserve} (those of aa_ffi_rustbuffer_*). A layer
 * that observes the ABI (the fixtures' monitor) wraps the runtime this way instead of
 * spelling the 52 symbols again. The void family has no value, so it is written out. */
#define ASYNCABI_DEFINE_FFI_VIA(ns, futures, buffers)                                          \
    __attribute__((constructor(101))) static void aa_library_namespace_##ns(void)              \
    {                                                                                          \
        (void)aa_set_library_namespace(#ns);                                                   \
    }                                                                                          \
    ASYNCABI_VALUE_FAMILIES(ASYNCABI_FFI_DEFINE_VALUE_, (ns, futures))                         \
    ASYNCABI_EXPORT void ffi_##ns##_rust_future_poll_void(                                     \
        uint64_t handle, UniffiRustFutureContinuationCallback callback, uint64_t callback_data) \
    {                                                                                          \
        futures##_poll(AA_TYPE_VOID, handle, callback, callback_data);                         \
    }                                                                                          \
    ASYNCABI_EXPORT void ffi_##ns##_rust_future_cancel_void(uint64_t handle)                   \
    {                                                                                          \
        futures##_cancel(AA_TYPE_VOID, handle);                                                \
    }                                                                                          \
    ASYNCABI_EXPORT void ffi_##ns##_rust_future_complete_void(uint64_t handle,                 \
                                                              RustCallStatus *out_status)      \
    {                                                                                          \
        (void)futures##_complete(AA_TYPE_VOID, handle, out_status);                            \
    }                                                                                          \
    ASYNCABI_EXPORT void ffi_##ns##_rust_future_free_void(uint64_t handle)                     \
    {                                                                                          \
        futures##_free(AA_TYPE_VOID, handle);                                                  \
    }                                                                                          \
    ASYNCABI_EXPORT uint32_t ffi_##ns##_uniffi_contract_version(void)                          \
    {                                                                                          \
        return ASYNCABI_UNIFFI_CONTRACT_VERSION;                                               \
    }                                                                                          \
    ASYNCABI_EXPORT RustBuffer ffi_##ns##_rustbuffer_alloc(uint64_t size,                      \
                                                           RustCallStatus *out_status)         \
    {                                                                                          \
        return buffers##_rustbuffer_alloc(size, out_status);                                   \
    }                                                                                          \
    ASYNCABI_EXPORT RustBuffer ffi_##ns##_rustbuffer_from_bytes(ForeignBytes bytes,            \
                                                                RustCallStatus *out_status)    \
    {                                                                                          \
        return buffers##_rustbuffer_from_bytes(bytes, out_status);                             \
    }                                                                                          \
    ASYNCABI_EXPORT void ffi_##ns##_rustbuffer_free(RustBuffer buf, RustCallStatus *out_status) \
    {                                                                                          \
        buffers##_rustbuffer_free(buf, out_status);                                            \
    }                                                                                          \
    ASYNCABI_EXPORT RustBuffer ffi_##ns##_rustbuffer_reserve(                                  \
        RustBuffer buf, uint64_t additional, RustCallStatus *out_status)                       \
    {                                                                                          \
        return buffers##_rustbuffer_reserve(buf, additional, out_status);                      \
    }

/* The plain form: straight to the runtime. */
#define ASYNCABI_DEFINE_FFI(ns) ASYNCABI_DEFINE_FFI_VIA(ns, aa_future, aa_ffi)

#ifdef __cplusplus
extern "C" {
#endif

/* The RustBuffer scaffolding behind ASYNCABI_DEFINE_FFI; each leaves *out_status (may be NULL)
 * untouched on success, like uniffi-rs, and sets status 2 with a message when the request
 * cannot be met. */
RustBuffer aa_ffi_rustbuffer_alloc(uint64_t size, RustCallStatus *out_status);
/* Copies a foreign byte slice into a new buffer; a negative len is an error (status 2). */
RustBuffer aa_ffi_rustbuffer_from_bytes(ForeignBytes bytes, RustCallStatus *out_status);
/* Frees a buffer; freeing {0, 0, NULL} is a no-op. */
void aa_ffi_rustbuffer_free(RustBuffer buf, RustCallStatus *out_status);
/* Grows a buffer so `additional` more bytes fit; returns the (possibly moved) buffer. */
RustBuffer aa_ffi_rustbuffer_reserve(RustBuffer buf, uint64_t additional,
                                     RustCallStatus *out_status);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_FFI_H */
