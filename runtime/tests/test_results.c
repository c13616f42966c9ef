/* What complete returns for each outcome: a value of each family, a typed error (status 1
 * with the producer's buffer), an unexpected error (status 2 with the message), a poll that
 * says READY without a result (status 2), and a result set twice (the last wins, the first
 * is freed). */
#include <string.h>

#include "harness.h"

typedef struct outcome {
    int kind; /* 0 value, 1 typed error, 2 unexpected, 3 no result, 4 twice */
} outcome;

static aa_poll outcome_poll(aa_future *f, void *state)
{
    outcome *o = state;
    aa_value v;
    memset(&v, 0, sizeof v);
    switch (o->kind) {
    case 0:
        v.i64 = -77;
        aa_future_return_value(f, v);
        break;
    case 1:
        aa_future_return_error(f, aa_buffer_from_bytes("\x00\x00\x00\x02", 4));
        break;
    case 2:
        aa_future_return_unexpected(f, "boom");
        break;
    case 3:
        break;
    case 4:
        aa_future_return_error(f, aa_buffer_from_bytes("first", 5));
        v.i64 = 5;
        aa_future_return_value(f, v);
        break;
    }
    CHECK(aa_future_handle(f) != 0);
    return AA_READY;
}

static const aa_future_vtable outcome_vtable = {outcome_poll, NULL, "outcome"};

static RustCallStatus run(int kind, aa_value *out)
{
    outcome o = {kind};
    uint64_t h = aa_future_new(AA_TYPE_I64, &outcome_vtable, &o);
    th_log log = {0};
    aa_future_poll(AA_TYPE_I64, h, th_continuation, th_data(&log));
    CHECK_EQ(atomic_load(&log.ready), 1);
    RustCallStatus st = {0, {0, 0, NULL}};
    *out = aa_future_complete(AA_TYPE_I64, h, &st);
    aa_future_free(AA_TYPE_I64, h);
    return st;
}

static bool buffer_is(RustBuffer b, const char *text)
{
    return b.len == strlen(text) && memcmp(b.data, text, b.len) == 0;
}

int main(void)
{
    th_misuse_install();
    aa_value v;
    RustCallStatus st = run(0, &v);
    CHECK_EQ(st.code, 0);
    CHECK_EQ(v.i64, -77);

    st = run(1, &v);
    CHECK_EQ(st.code, UNIFFI_CALL_ERROR);
    CHECK_EQ(st.errorBuf.len, 4);
    CHECK_EQ(st.errorBuf.data[3], 2);
    CHECK_EQ(v.i64, 0);
    aa_buffer_free(st.errorBuf);

    st = run(2, &v);
    CHECK_EQ(st.code, UNIFFI_CALL_UNEXPECTED_ERROR);
    CHECK(buffer_is(st.errorBuf, "boom"));
    aa_buffer_free(st.errorBuf);

    st = run(3, &v);
    CHECK_EQ(st.code, UNIFFI_CALL_UNEXPECTED_ERROR);
    CHECK(st.errorBuf.len > 0);
    aa_buffer_free(st.errorBuf);

    st = run(4, &v);
    CHECK_EQ(st.code, 0);
    CHECK_EQ(v.i64, 5);

    /* Success leaves *out_status untouched, as uniffi-rs does: the binding resets it before
     * every call, so a stale code here would survive (the monitor reports such a binding). */
    {
        uint64_t h = aa_future_new_ready(AA_TYPE_U8, (aa_value){.u8 = 9});
        th_log log = {0};
        aa_future_poll(AA_TYPE_U8, h, th_continuation, th_data(&log));
        RustCallStatus sentinel = {UNIFFI_CALL_CANCELLED, {7, 7, NULL}};
        CHECK_EQ(aa_future_complete(AA_TYPE_U8, h, &sentinel).u8, 9);
        CHECK_EQ(sentinel.code, UNIFFI_CALL_CANCELLED);
        CHECK_EQ(sentinel.errorBuf.len, 7);
        aa_future_free(AA_TYPE_U8, h);
    }

    /* Every family round-trips its value through new_ready + complete. */
    for (int t = 0; t < AA_TYPE_COUNT_; t++) {
        aa_value in;
        memset(&in, 0, sizeof in);
        in.u64 = 0x1122334455667788ull;
        if (t == AA_TYPE_RUST_BUFFER) {
            in.rust_buffer = aa_buffer_from_bytes("rb", 2);
        }
        uint64_t h = aa_future_new_ready((aa_type)t, in);
        CHECK_EQ((h >> 52) & 0xF, t); /* the family travels in the handle */
        th_log log = {0};
        aa_future_poll((aa_type)t, h, th_continuation, th_data(&log));
        aa_value out = aa_future_complete((aa_type)t, h, &st);
        CHECK_EQ(st.code, 0);
        if (t == AA_TYPE_RUST_BUFFER) {
            CHECK(buffer_is(out.rust_buffer, "rb"));
            aa_buffer_free(out.rust_buffer);
        } else if (t != AA_TYPE_VOID) {
            CHECK(out.u64 == in.u64);
        }
        aa_future_free((aa_type)t, h);
    }
    CHECK_EQ(aa_future_new((aa_type)AA_TYPE_COUNT_, &outcome_vtable, NULL), 0);
    CHECK_EQ(aa_future_new(AA_TYPE_U8, NULL, NULL), 0);
    CHECK_EQ(th_misuse_total(), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
