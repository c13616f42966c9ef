/* The legacy profile (0.26 to 0.29.1): the binding fills a UniffiForeignFuture out-parameter
 * and its free is invoked exactly once when the producer drops its side, whether the call
 * completed first or not. */
#include "foreign_harness.h"

int main(void)
{
    th_misuse_install();
    th_log log = {0};
    RustCallStatus st = {0};

    fh_binding b = {.use_legacy = true};
    uint64_t h = fh_future_new(AA_TYPE_I32, &b, NULL);
    aa_future_poll(AA_TYPE_I32, h, th_continuation, th_data(&log));
    CHECK(b.legacy != NULL && b.dropped == NULL);
    aa_foreign_call_complete_i32(b.complete_data, (UniffiForeignFutureResultI32){-9, {0, {0, 0, NULL}}});
    aa_future_poll(AA_TYPE_I32, h, th_continuation, th_data(&log));
    CHECK_EQ(aa_future_complete(AA_TYPE_I32, h, &st).i32, -9);
    aa_future_free(AA_TYPE_I32, h);
    CHECK_EQ(atomic_load(&b.dropped_calls), 1);

    fh_binding c = {.use_legacy = true};
    h = fh_future_new(AA_TYPE_VOID, &c, NULL);
    aa_future_poll(AA_TYPE_VOID, h, th_continuation, th_data(&log));
    aa_future_cancel(AA_TYPE_VOID, h);
    aa_future_complete(AA_TYPE_VOID, h, &st);
    CHECK_EQ(st.code, UNIFFI_CALL_CANCELLED);
    CHECK_EQ(atomic_load(&c.dropped_calls), 1); /* complete dropped the state */
    aa_future_free(AA_TYPE_VOID, h);
    CHECK_EQ(atomic_load(&c.dropped_calls), 1);
    aa_foreign_call_complete_void(c.complete_data, (UniffiForeignFutureResultVoid){{UNIFFI_CALL_CANCELLED, {0, 0, NULL}}});

    CHECK_EQ(th_misuse_total(), 0);
    CHECK_EQ(aa_foreign_call_live_count(), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
