/* ASYNCABI_DEFINE_FFI(ns) defines every symbol a binding calls, and they work: the future
 * entry points of several families, the contract version, and rustbuffer_* incl. errors. */
#include <string.h>

#include "harness.h"

ASYNCABI_DECLARE_FFI(th)
ASYNCABI_DEFINE_FFI(th)

static void check_buffers(void)
{
    /* Success leaves the status untouched, as uniffi-rs does: a sentinel code survives. */
    RustCallStatus st = {7, {0, 0, NULL}};
    RustBuffer b = ffi_th_rustbuffer_alloc(10, &st);
    CHECK_EQ(st.code, 7);
    CHECK(b.data != NULL);
    CHECK_EQ(b.capacity, 10);
    CHECK_EQ(b.len, 0);
    b = ffi_th_rustbuffer_reserve(b, 100, &st);
    CHECK_EQ(st.code, 7);
    CHECK(b.capacity >= 100);
    ffi_th_rustbuffer_free(b, &st);
    CHECK_EQ(st.code, 7);

    const uint8_t bytes[3] = {1, 2, 3};
    b = ffi_th_rustbuffer_from_bytes((ForeignBytes){3, bytes}, &st);
    CHECK_EQ(st.code, 7);
    CHECK_EQ(b.len, 3);
    CHECK(memcmp(b.data, bytes, 3) == 0);
    ffi_th_rustbuffer_free(b, &st);

    /* A negative length is an error, not a crash; the message is a buffer to free. */
    st = (RustCallStatus){0};
    b = ffi_th_rustbuffer_from_bytes((ForeignBytes){-1, bytes}, &st);
    CHECK_EQ(st.code, UNIFFI_CALL_UNEXPECTED_ERROR);
    CHECK(b.data == NULL);
    CHECK(st.errorBuf.len > 0);
    ffi_th_rustbuffer_free(st.errorBuf, NULL);

    st = (RustCallStatus){0};
    b = ffi_th_rustbuffer_alloc((uint64_t)1 << 40, &st);
    CHECK_EQ(st.code, UNIFFI_CALL_UNEXPECTED_ERROR);
    CHECK(b.data == NULL);
    ffi_th_rustbuffer_free(st.errorBuf, NULL);

    /* Freeing the empty buffer is a no-op; alloc(0) owns nothing. */
    st = (RustCallStatus){0};
    b = ffi_th_rustbuffer_alloc(0, &st);
    CHECK(b.data == NULL);
    ffi_th_rustbuffer_free(b, &st);
    CHECK_EQ(st.code, 0);
}

int main(void)
{
    th_misuse_install();
    CHECK_EQ(ffi_th_uniffi_contract_version(), ASYNCABI_UNIFFI_CONTRACT_VERSION);
    check_buffers();

    /* u32: ready future through the scaffolding. */
    aa_value v = {.u32 = 7};
    uint64_t h = aa_future_new_ready(AA_TYPE_U32, v);
    th_log log = {0};
    ffi_th_rust_future_poll_u32(h, th_continuation, th_data(&log));
    CHECK_EQ(atomic_load(&log.ready), 1);
    RustCallStatus st = {0, {0, 0, NULL}};
    CHECK_EQ(ffi_th_rust_future_complete_u32(h, &st), 7);
    CHECK_EQ(st.code, 0);
    ffi_th_rust_future_free_u32(h);

    /* rust_buffer family: the value is a buffer the binding frees. */
    aa_value bv;
    bv.rust_buffer = aa_buffer_from_bytes("hi", 2);
    h = aa_future_new_ready(AA_TYPE_RUST_BUFFER, bv);
    ffi_th_rust_future_poll_rust_buffer(h, th_continuation, th_data(&log));
    RustBuffer rb = ffi_th_rust_future_complete_rust_buffer(h, &st);
    CHECK_EQ(rb.len, 2);
    CHECK(memcmp(rb.data, "hi", 2) == 0);
    ffi_th_rust_future_free_rust_buffer(h);
    ffi_th_rustbuffer_free(rb, &st);

    /* void family, pending then woken, then cancel after complete is harmless. */
    th_manual *m;
    _Atomic int drops = 0;
    h = th_manual_new(AA_TYPE_VOID, &drops, &m);
    ffi_th_rust_future_poll_void(h, th_continuation, th_data(&log));
    CHECK_EQ(th_total(&log), 2);
    th_manual_set_ready(m);
    CHECK_EQ(atomic_load(&log.wake), 1);
    ffi_th_rust_future_poll_void(h, th_continuation, th_data(&log));
    CHECK_EQ(atomic_load(&log.ready), 3);
    CHECK_EQ(atomic_load(&drops), 1);
    ffi_th_rust_future_complete_void(h, &st);
    CHECK_EQ(st.code, 0);
    ffi_th_rust_future_cancel_void(h);
    ffi_th_rust_future_free_void(h);

    /* Family mismatch through the scaffolding: poll_u8 on an i64 future. */
    h = aa_future_new_ready(AA_TYPE_I64, (aa_value){.i64 = -5});
    ffi_th_rust_future_poll_u8(h, th_continuation, th_data(&log));
    CHECK_EQ(atomic_load(&log.ready), 4);
    CHECK_EQ(th_misuse_count(AA_MISUSE_WRONG_FAMILY), 1);
    ffi_th_rust_future_poll_i64(h, th_continuation, th_data(&log));
    CHECK_EQ(ffi_th_rust_future_complete_i64(h, &st), -5);
    ffi_th_rust_future_free_i64(h);

    CHECK_EQ(th_misuse_total(), 1);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
