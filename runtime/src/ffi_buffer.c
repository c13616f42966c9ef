/* ffi_buffer.c: the rustbuffer_* scaffolding a binding calls (behind ASYNCABI_DEFINE_FFI).
 *
 * These are sync exports, so failures travel in RustCallStatus (code 2 with a message), never
 * as a crash: the binding may pass any size or a negative length. On success the status is
 * left untouched, as uniffi-rs leaves it: the binding initialises it before every call.
 */
#include <stdio.h>
#include <string.h>

#include "asyncabi/ffi.h"

static void aa__fail(RustCallStatus *out_status, const char *message)
{
    if (out_status != NULL) {
        out_status->code = UNIFFI_CALL_UNEXPECTED_ERROR;
        out_status->errorBuf = aa_buffer_from_bytes(message, strlen(message));
    }
}

/* Larger requests are refused with status 2 instead of aborting inside the allocator. */
#define AA__FFI_MAX_BUFFER ((uint64_t)INT32_MAX)

RustBuffer aa_ffi_rustbuffer_alloc(uint64_t size, RustCallStatus *out_status)
{
    if (size > AA__FFI_MAX_BUFFER) {
        aa__fail(out_status, "rustbuffer_alloc: size exceeds i32::MAX");
        return (RustBuffer){0, 0, NULL};
    }
    return aa_buffer_alloc(size);
}

RustBuffer aa_ffi_rustbuffer_from_bytes(ForeignBytes bytes, RustCallStatus *out_status)
{
    if (bytes.len < 0 || (bytes.len > 0 && bytes.data == NULL)) {
        aa__fail(out_status, "rustbuffer_from_bytes: negative length or NULL data");
        return (RustBuffer){0, 0, NULL};
    }
    return aa_buffer_from_bytes(bytes.data, (uint64_t)bytes.len);
}

void aa_ffi_rustbuffer_free(RustBuffer buf, RustCallStatus *out_status)
{
    (void)out_status; /* cannot fail; success leaves the status untouched */
    aa_buffer_free(buf);
}

RustBuffer aa_ffi_rustbuffer_reserve(RustBuffer buf, uint64_t additional,
                                     RustCallStatus *out_status)
{
    if (buf.len > buf.capacity || buf.len > AA__FFI_MAX_BUFFER ||
        additional > AA__FFI_MAX_BUFFER - buf.len) {
        aa__fail(out_status, "rustbuffer_reserve: len exceeds capacity or size exceeds i32::MAX");
        return buf;
    }
    return aa_buffer_reserve(buf, additional);
}
