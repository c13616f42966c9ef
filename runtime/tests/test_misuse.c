/* Misuse is reported with the right code and survived: double free, poll / complete / cancel
 * after free, complete twice, complete before READY, poll after complete, wrong family,
 * unknown handles (0, forged, never issued), a foreign-call id used as a future handle, and the
 * default hook (one line on stderr) works too. */
#include <string.h>

#include "harness.h"

static int expect(aa_misuse_code code, int before)
{
    CHECK_EQ(th_misuse_count(code), before + 1);
    CHECK_EQ(th_misuse_last(), code);
    return before + 1;
}

int main(void)
{
    th_misuse_install();
    RustCallStatus st;
    th_log log = {0};
    th_manual *m;
    _Atomic int drops = 0;

    /* --- stale: double free, poll / complete / cancel after free --- */
    uint64_t h = th_manual_new(AA_TYPE_U64, &drops, &m);
    aa_future_free(AA_TYPE_U64, h);
    int stale = 0;
    aa_future_free(AA_TYPE_U64, h);
    stale = expect(AA_MISUSE_STALE_HANDLE, stale);
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    stale = expect(AA_MISUSE_STALE_HANDLE, stale);
    CHECK_EQ(atomic_load(&log.ready), 1); /* a bad handle still gets READY: never hangs */
    st = (RustCallStatus){0};
    aa_value v = aa_future_complete(AA_TYPE_U64, h, &st);
    stale = expect(AA_MISUSE_STALE_HANDLE, stale);
    CHECK_EQ(v.u64, 0);
    CHECK_EQ(st.code, UNIFFI_CALL_UNEXPECTED_ERROR);
    CHECK(st.errorBuf.len > 0);
    aa_buffer_free(st.errorBuf);
    aa_future_cancel(AA_TYPE_U64, h);
    stale = expect(AA_MISUSE_STALE_HANDLE, stale);
    CHECK_EQ(atomic_load(&drops), 1);

    /* The slot is reused by the next future: the old handle stays stale, the new one works. */
    uint64_t h2 = th_manual_new(AA_TYPE_U64, &drops, &m);
    CHECK(h2 != h);
    aa_future_free(AA_TYPE_U64, h);
    stale = expect(AA_MISUSE_STALE_HANDLE, stale);
    aa_future_free(AA_TYPE_U64, h2);
    CHECK_EQ(atomic_load(&drops), 2);

    /* --- complete twice, complete before READY, poll after complete --- */
    h = th_manual_new(AA_TYPE_I32, &drops, &m);
    aa_future_poll(AA_TYPE_I32, h, th_continuation, th_data(&log));
    aa_future_complete(AA_TYPE_I32, h, &st);
    expect(AA_MISUSE_COMPLETE_BEFORE_READY, 0);
    CHECK_EQ(st.code, UNIFFI_CALL_UNEXPECTED_ERROR);
    aa_buffer_free(st.errorBuf);
    th_manual_set_ready(m);
    aa_future_poll(AA_TYPE_I32, h, th_continuation, th_data(&log));
    st = (RustCallStatus){0};
    CHECK_EQ(aa_future_complete(AA_TYPE_I32, h, &st).i32, 42); /* still usable after it */
    CHECK_EQ(st.code, 0);
    aa_future_complete(AA_TYPE_I32, h, &st);
    expect(AA_MISUSE_COMPLETE_TWICE, 0);
    CHECK_EQ(st.code, UNIFFI_CALL_UNEXPECTED_ERROR);
    {
        /* The status-2 message names the misuse (the buffer is not NUL-terminated). */
        char text[300] = {0};
        memcpy(text, st.errorBuf.data, st.errorBuf.len < 299 ? st.errorBuf.len : 299);
        CHECK(strstr(text, "complete-twice") != NULL);
    }
    aa_buffer_free(st.errorBuf);
    th_log after = {0};
    aa_future_poll(AA_TYPE_I32, h, th_continuation, th_data(&after));
    expect(AA_MISUSE_POLL_AFTER_COMPLETE, 0);
    CHECK_EQ(atomic_load(&after.ready), 1);
    aa_future_free(AA_TYPE_I32, h);

    /* A ready future completed without any poll: reported, the value still delivered. */
    h = aa_future_new_ready(AA_TYPE_U8, (aa_value){.u8 = 3});
    CHECK_EQ(aa_future_complete(AA_TYPE_U8, h, &st).u8, 3);
    expect(AA_MISUSE_COMPLETE_BEFORE_READY, 1);
    aa_future_free(AA_TYPE_U8, h);

    /* --- wrong family: nothing happens to the future, which then works normally --- */
    h = aa_future_new_ready(AA_TYPE_F32, (aa_value){.f32 = 1.0f});
    int fam = 0;
    th_log wrong = {0};
    aa_future_poll(AA_TYPE_F64, h, th_continuation, th_data(&wrong));
    fam = expect(AA_MISUSE_WRONG_FAMILY, fam);
    CHECK_EQ(atomic_load(&wrong.ready), 1);
    aa_future_complete(AA_TYPE_RUST_BUFFER, h, &st);
    fam = expect(AA_MISUSE_WRONG_FAMILY, fam);
    aa_buffer_free(st.errorBuf);
    aa_future_cancel(AA_TYPE_VOID, h);
    fam = expect(AA_MISUSE_WRONG_FAMILY, fam);
    aa_future_free(AA_TYPE_I8, h);
    fam = expect(AA_MISUSE_WRONG_FAMILY, fam);
    CHECK_EQ(aa_future_live_count(), 1);
    aa_future_poll(AA_TYPE_F32, h, th_continuation, th_data(&log));
    CHECK(aa_future_complete(AA_TYPE_F32, h, &st).f32 == 1.0f);
    aa_future_free(AA_TYPE_F32, h);

    /* --- unknown handles --- */
    int invalid = 0;
    aa_future_free(AA_TYPE_U64, 0);
    invalid = expect(AA_MISUSE_INVALID_HANDLE, invalid);
    aa_future_poll(AA_TYPE_U64, 0xdeadbeef, th_continuation, th_data(&log));
    invalid = expect(AA_MISUSE_INVALID_HANDLE, invalid);
    /* Right magic and kind, a slot index far beyond anything allocated. */
    uint64_t forged = (h & ~(uint64_t)0x0FFFFFFF) | 0x0FFFFFF0;
    aa_future_cancel(AA_TYPE_F32, forged);
    invalid = expect(AA_MISUSE_INVALID_HANDLE, invalid);
    /* A handle one generation *ahead* of its slot was never issued. */
    uint64_t ahead = h + ((uint64_t)5 << 28);
    aa_future_complete(AA_TYPE_F32, ahead, &st);
    invalid = expect(AA_MISUSE_INVALID_HANDLE, invalid);
    aa_buffer_free(st.errorBuf);
    /* complete with a NULL status pointer survives too. */
    aa_future_complete(AA_TYPE_F32, ahead, NULL);
    invalid = expect(AA_MISUSE_INVALID_HANDLE, invalid);

    /* A foreign call's complete_data is not a future handle, and vice versa. */
    h = th_manual_new(AA_TYPE_U64, &drops, &m);
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    aa_foreign_call *call = aa_foreign_call_new(AA_TYPE_U64, aa_waker_retain(m->waker));
    uint64_t id = aa_foreign_call_data(call);
    aa_future_poll(AA_TYPE_U64, id, th_continuation, th_data(&log));
    invalid = expect(AA_MISUSE_INVALID_HANDLE, invalid);
    aa_foreign_call_complete_u64(h, (UniffiForeignFutureResultU64){1, {0, {0, 0, NULL}}});
    expect(AA_MISUSE_FOREIGN_COMPLETE_STALE, 0);
    aa_foreign_call_complete_u64(id, (UniffiForeignFutureResultU64){1, {0, {0, 0, NULL}}});
    aa_foreign_call_drop(call);
    aa_future_free(AA_TYPE_U64, h);
    CHECK_EQ(aa_foreign_call_live_count(), 0);

    /* --- the default hook prints one line and survives --- */
    aa_set_misuse_hook(NULL, NULL);
    aa_future_free(AA_TYPE_U64, 0);
    th_misuse_install();

    CHECK_EQ(strcmp(aa_misuse_name(AA_MISUSE_STALE_HANDLE), "stale-handle"), 0);
    CHECK_EQ(strcmp(aa_misuse_name((aa_misuse_code)99), "?"), 0);
    CHECK_EQ(strcmp(aa_op_name(AA_OP_POLL), "poll"), 0);
    CHECK_EQ(strcmp(aa_op_name((aa_op)99), "?"), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
