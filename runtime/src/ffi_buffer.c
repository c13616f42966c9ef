/* ffi_buffer.c: the rustbuffer_* scaffolding a binding calls (behind ASYNCABI_DEFINE_FFI).
 *
 * These are sync exports, so failures travel in RustCallStatus (code 2 with a message), never
 * as a crash: the binding may pass any size or a negative length. On success the status is
 * left untouched, as uniffi-rs leaves it: the binding initialises it before every call.
 */
#include <stdio.h>
#include <string.h>

#include "asyncabi/ffi.h"
#include "observe_internal.h"

static void aa__fail(RustCallStatus *out_status, const char *message)
{
    if (out_status != NULL) {
        out_status->code = UNIFFI_CALL_UNEXPECTED_ERROR;
        out_status->errorBuf = aa_buffer_from_bytes(message, strlen(message));
    }
}

/* Larger requests are refused with status 2 instead of aborting inside the allocator. */
#define AA__FFI_MAX_BUFFER ((uint64_t)INT32_MAX)

static RustBuffer aa__rustbuffer_alloc(uint64_t size, RustCallStatus *out_status)
{
    if (size > AA__FFI_MAX_BUFFER) {
        aa__fail(out_status, "rustbuffer_alloc: size exceeds i32::MAX");
        return (RustBuffer){0, 0, NULL};
    }
    /* As UniFFI's RustBuffer::new_with_size: `size` zeroed bytes with len == capacity == size,
     * and a non-NULL data pointer even for size 0 (UniFFI's is a dangling one). Kotlin's
     * generated code writes through `len` and refuses a NULL data pointer (empty strings). */
    RustBuffer buffer = aa_buffer_alloc(size);
    memset(buffer.data, 0, (size_t)size);
    buffer.len = size;
    return buffer;
}

static RustBuffer aa__rustbuffer_from_bytes(ForeignBytes bytes, RustCallStatus *out_status)
{
    if (bytes.len < 0 || (bytes.len > 0 && bytes.data == NULL)) {
        aa__fail(out_status, "rustbuffer_from_bytes: negative length or NULL data");
        return (RustBuffer){0, 0, NULL};
    }
    return aa_buffer_from_bytes(bytes.data, (uint64_t)bytes.len);
}

static void aa__rustbuffer_free(RustBuffer buf, RustCallStatus *out_status)
{
    (void)out_status; /* cannot fail; success leaves the status untouched */
    aa_buffer_free(buf);
}

static RustBuffer aa__rustbuffer_reserve(RustBuffer buf, uint64_t additional,
                                         RustCallStatus *out_status)
{
    if (buf.len > buf.capacity || buf.len > AA__FFI_MAX_BUFFER ||
        additional > AA__FFI_MAX_BUFFER - buf.len) {
        aa__fail(out_status, "rustbuffer_reserve: len exceeds capacity or size exceeds i32::MAX");
        return buf;
    }
    return aa_buffer_reserve(buf, additional);
}

/* --- The exported calls: the bodies above, with enter and leave events when observed --- */

#define AA__RB_ENTER(op, data)                                                                 \
    aa__emit_enter((op), AA_TYPE_RUST_BUFFER, 0, (data), NULL, out_status)
#define AA__RB_LEAVE(op, data)                                                                 \
    aa__emit_at((op), AA_PHASE_LEAVE, AA_TYPE_RUST_BUFFER, 0, (data),                          \
                out_status != NULL ? out_status->code : 0, NULL)

RustBuffer aa_ffi_rustbuffer_alloc(uint64_t size, RustCallStatus *out_status)
{
    if (__builtin_expect(!aa__observing(), 1)) {
        return aa__rustbuffer_alloc(size, out_status);
    }
    AA__RB_ENTER(AA_OP_RUSTBUFFER_ALLOC, size);
    RustBuffer buffer = aa__rustbuffer_alloc(size, out_status);
    AA__RB_LEAVE(AA_OP_RUSTBUFFER_ALLOC, size);
    return buffer;
}

RustBuffer aa_ffi_rustbuffer_from_bytes(ForeignBytes bytes, RustCallStatus *out_status)
{
    if (__builtin_expect(!aa__observing(), 1)) {
        return aa__rustbuffer_from_bytes(bytes, out_status);
    }
    uint64_t len = (uint64_t)(int64_t)bytes.len;
    AA__RB_ENTER(AA_OP_RUSTBUFFER_FROM_BYTES, len);
    RustBuffer buffer = aa__rustbuffer_from_bytes(bytes, out_status);
    AA__RB_LEAVE(AA_OP_RUSTBUFFER_FROM_BYTES, len);
    return buffer;
}

void aa_ffi_rustbuffer_free(RustBuffer buf, RustCallStatus *out_status)
{
    if (__builtin_expect(!aa__observing(), 1)) {
        aa__rustbuffer_free(buf, out_status);
        return;
    }
    AA__RB_ENTER(AA_OP_RUSTBUFFER_FREE, buf.len);
    aa__rustbuffer_free(buf, out_status);
    AA__RB_LEAVE(AA_OP_RUSTBUFFER_FREE, buf.len);
}

RustBuffer aa_ffi_rustbuffer_reserve(RustBuffer buf, uint64_t additional,
                                     RustCallStatus *out_status)
{
    if (__builtin_expect(!aa__observing(), 1)) {
        return aa__rustbuffer_reserve(buf, additional, out_status);
    }
    AA__RB_ENTER(AA_OP_RUSTBUFFER_RESERVE, additional);
    RustBuffer buffer = aa__rustbuffer_reserve(buf, additional, out_status);
    AA__RB_LEAVE(AA_OP_RUSTBUFFER_RESERVE, additional);
    return buffer;
}
