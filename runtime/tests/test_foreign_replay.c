/* A binding that completes a foreign call twice with the very same buffers (it replays its
 * result) while the call is still alive: the second completion is reported as
 * foreign-complete-twice and absorbed without freeing what the first one handed over (the
 * producer still holds it). A second completion with fresh buffers has them freed (no leak),
 * also once the producer has taken the result and dropped the call (then it is stale: the
 * runtime no longer knows the first buffers, so a replay there is not protected). ASan and
 * valgrind variants catch a double free or a use of a freed buffer. */
#include <string.h>

#include "foreign_harness.h"

static void complete_buffer(uint64_t data, RustBuffer value)
{
    aa_foreign_call_complete_rust_buffer(
        data, (UniffiForeignFutureResultRustBuffer){value, {UNIFFI_CALL_SUCCESS, {0, 0, NULL}}});
}

static void complete_error(uint64_t data, RustBuffer error)
{
    aa_foreign_call_complete_rust_buffer(
        data, (UniffiForeignFutureResultRustBuffer){{0, 0, NULL}, {UNIFFI_CALL_ERROR, error}});
}

/* One call: first completion, second (replayed or fresh, before or after the producer took
 * the result), then the future is driven to its end and its result checked. */
static void run(bool error, bool replay, bool taken_first)
{
    th_misuse_reset();
    fh_binding b = {0};
    th_log log = {0};
    uint64_t h = fh_future_new(AA_TYPE_RUST_BUFFER, &b, NULL);
    aa_future_poll(AA_TYPE_RUST_BUFFER, h, th_continuation, th_data(&log));
    CHECK(b.complete_data != 0);
    RustBuffer first = aa_buffer_from_bytes("first", 5);
    RustBuffer again = replay ? first : aa_buffer_from_bytes("fresh", 5);
    if (error) {
        complete_error(b.complete_data, first);
    } else {
        complete_buffer(b.complete_data, first);
    }
    if (taken_first) {
        aa_future_poll(AA_TYPE_RUST_BUFFER, h, th_continuation, th_data(&log));
    }
    if (error) {
        complete_error(b.complete_data, again);
    } else {
        complete_buffer(b.complete_data, again);
    }
    /* Taken first: the producer's poll took the result and dropped its side, so the call is
     * gone and the second completion is stale. */
    CHECK_EQ(th_misuse_count(taken_first ? AA_MISUSE_FOREIGN_COMPLETE_STALE
                                         : AA_MISUSE_FOREIGN_COMPLETE_TWICE),
             1);
    if (!taken_first) {
        aa_future_poll(AA_TYPE_RUST_BUFFER, h, th_continuation, th_data(&log));
    }
    CHECK_EQ(atomic_load(&log.ready), 1);
    RustCallStatus st = {0};
    RustBuffer out = aa_future_complete(AA_TYPE_RUST_BUFFER, h, &st).rust_buffer;
    RustBuffer got = error ? st.errorBuf : out;
    CHECK_EQ(st.code, error ? UNIFFI_CALL_ERROR : UNIFFI_CALL_SUCCESS);
    CHECK_EQ(got.len, 5);
    CHECK(memcmp(got.data, "first", 5) == 0);
    aa_buffer_free(got);
    aa_future_free(AA_TYPE_RUST_BUFFER, h);
}

int main(void)
{
    th_misuse_install();
    for (int error = 0; error < 2; error++) {
        for (int replay = 0; replay < 2; replay++) {
            for (int taken = 0; taken < 2 - replay; taken++) {
                run(error, replay, taken);
            }
        }
    }
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
