/* Foreign calls: complete then drop, drop then complete (late completion absorbed and its
 * buffer freed), complete twice, unknown data, wrong family, typed error, a completion from
 * inside the dropped callback, and the dropped callback invoked exactly once. */
#include <string.h>

#include "foreign_harness.h"

static const UniffiForeignFutureResultU64 ok_u64 = {7, {0, {0, 0, NULL}}};

static void complete_then_drop(void)
{
    fh_binding b = {0};
    _Atomic int drops = 0;
    uint64_t h = fh_future_new(AA_TYPE_U64, &b, &drops);
    th_log log = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    CHECK_EQ(th_total(&log), 0);
    CHECK(b.complete_data != 0);
    CHECK_EQ(aa_foreign_call_live_count(), 1);

    aa_foreign_call_complete_u64(b.complete_data, ok_u64);
    CHECK_EQ(atomic_load(&log.wake), 1); /* the completion woke the future once */
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    CHECK_EQ(atomic_load(&log.ready), 1);
    CHECK_EQ(atomic_load(&b.dropped_calls), 1); /* drop ran after READY */
    RustCallStatus st = {0};
    CHECK_EQ(aa_future_complete(AA_TYPE_U64, h, &st).u64, 7);
    CHECK_EQ(st.code, 0);
    aa_future_free(AA_TYPE_U64, h);
    CHECK_EQ(atomic_load(&b.dropped_calls), 1);
    CHECK_EQ(atomic_load(&drops), 1);
    CHECK_EQ(aa_foreign_call_live_count(), 0);

    /* Everything released: its complete_data is stale, and a completion with it can only be
     * a second one (test_foreign_replay: what happens to its buffers). */
    aa_foreign_call_complete_u64(b.complete_data, ok_u64);
    CHECK_EQ(th_misuse_count(AA_MISUSE_FOREIGN_COMPLETE_TWICE), 1);
    CHECK_EQ(th_misuse_total(), 1);
}

static void drop_then_complete(void)
{
    fh_binding b = {0};
    uint64_t h = fh_future_new(AA_TYPE_RUST_BUFFER, &b, NULL);
    th_log log = {0};
    aa_future_poll(AA_TYPE_RUST_BUFFER, h, th_continuation, th_data(&log));
    aa_future_free(AA_TYPE_RUST_BUFFER, h); /* abandoned mid-way: drop before completion */
    CHECK_EQ(atomic_load(&log.ready), 1);
    CHECK_EQ(atomic_load(&b.dropped_calls), 1);
    CHECK_EQ(aa_foreign_call_live_count(), 1); /* waits for the binding's completion */

    UniffiForeignFutureResultRustBuffer r = {aa_buffer_from_bytes("late", 4), {0, {0, 0, NULL}}};
    int before = th_misuse_total();
    aa_foreign_call_complete_rust_buffer(b.complete_data, r);
    CHECK_EQ(th_misuse_total(), before); /* a late completion is legal, not misuse */
    CHECK_EQ(aa_foreign_call_live_count(), 0);
    CHECK_EQ(aa_buffer_live_count(), 0); /* and its buffer was freed */
    CHECK_EQ(atomic_load(&b.dropped_calls), 1);
}

static void complete_twice(void)
{
    fh_binding b = {0};
    uint64_t h = fh_future_new(AA_TYPE_U64, &b, NULL);
    th_log log = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    aa_foreign_call_complete_u64(b.complete_data, ok_u64);
    UniffiForeignFutureResultU64 err = {0, {UNIFFI_CALL_UNEXPECTED_ERROR,
                                            aa_buffer_from_bytes("again", 5)}};
    int twice = th_misuse_count(AA_MISUSE_FOREIGN_COMPLETE_TWICE);
    aa_foreign_call_complete_u64(b.complete_data, err);
    CHECK_EQ(th_misuse_count(AA_MISUSE_FOREIGN_COMPLETE_TWICE), twice + 1);
    CHECK_EQ(atomic_load(&log.wake), 1); /* the second completion woke nothing */
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    RustCallStatus st = {0};
    CHECK_EQ(aa_future_complete(AA_TYPE_U64, h, &st).u64, 7); /* the first one counts */
    aa_future_free(AA_TYPE_U64, h);
    CHECK_EQ(aa_foreign_call_live_count(), 0);
}

static void typed_error_and_wrong_family(void)
{
    fh_binding b = {0};
    uint64_t h = fh_future_new(AA_TYPE_U64, &b, NULL);
    th_log log = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    UniffiForeignFutureResultU64 err = {0, {UNIFFI_CALL_ERROR, aa_buffer_from_bytes("E1", 2)}};
    aa_foreign_call_complete_u64(b.complete_data, err);
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    RustCallStatus st = {0};
    aa_future_complete(AA_TYPE_U64, h, &st);
    CHECK_EQ(st.code, UNIFFI_CALL_ERROR);
    CHECK_EQ(st.errorBuf.len, 2);
    CHECK(memcmp(st.errorBuf.data, "E1", 2) == 0);
    aa_buffer_free(st.errorBuf);
    aa_future_free(AA_TYPE_U64, h);

    /* The binding completes a u64 call through the u8 callback: reported, and the producer
     * gets an unexpected error instead of waiting forever. */
    h = fh_future_new(AA_TYPE_U64, &b, NULL);
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    aa_foreign_call_complete_u8(b.complete_data, (UniffiForeignFutureResultU8){1, {0, {0, 0, NULL}}});
    CHECK_EQ(th_misuse_count(AA_MISUSE_WRONG_FAMILY), 1);
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    aa_future_complete(AA_TYPE_U64, h, &st);
    CHECK_EQ(st.code, UNIFFI_CALL_UNEXPECTED_ERROR);
    aa_buffer_free(st.errorBuf);
    aa_future_free(AA_TYPE_U64, h);
    CHECK_EQ(aa_foreign_call_live_count(), 0);

    /* Data this runtime never issued. */
    aa_foreign_call_complete_u64(0, ok_u64);
    aa_foreign_call_complete_u64(0x1234, ok_u64);
    CHECK_EQ(th_misuse_count(AA_MISUSE_FOREIGN_COMPLETE_STALE), 2);
}

static void complete_inside_dropped(void)
{
    fh_binding b = {.complete_in_dropped = true};
    uint64_t h = fh_future_new(AA_TYPE_U64, &b, NULL);
    th_log log = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    int before = th_misuse_total();
    aa_future_free(AA_TYPE_U64, h);
    CHECK_EQ(atomic_load(&b.dropped_calls), 1);
    CHECK_EQ(th_misuse_total(), before);
    CHECK_EQ(aa_foreign_call_live_count(), 0);
}

int main(void)
{
    th_misuse_install();
    complete_then_drop();
    drop_then_complete();
    complete_twice();
    typed_error_and_wrong_family();
    complete_inside_dropped();
    th_check_no_leaks();
    CHECK_EQ(aa_foreign_call_live_count(), 0);
    printf("ok\n");
    return 0;
}
