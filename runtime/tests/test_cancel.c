/* cancel: invokes a stored continuation with READY, later polls get READY without running the
 * producer, complete gives status 3 and drops the state, cancel itself never drops it, and a
 * result that was already there wins over the cancellation (as in UniFFI). */
#include "harness.h"

int main(void)
{
    th_misuse_install();
    _Atomic int drops = 0;
    RustCallStatus st;

    /* Pending, then cancel: the stored continuation gets READY. */
    th_manual *m;
    uint64_t h = th_manual_new(AA_TYPE_F64, &drops, &m);
    th_log a = {0};
    aa_future_poll(AA_TYPE_F64, h, th_continuation, th_data(&a));
    aa_future_cancel(AA_TYPE_F64, h);
    CHECK_EQ(atomic_load(&a.ready), 1);
    CHECK_EQ(atomic_load(&a.wake), 0);
    CHECK_EQ(atomic_load(&drops), 0); /* cancel never drops */
    aa_future_cancel(AA_TYPE_F64, h); /* idempotent */
    CHECK_EQ(th_total(&a), 1);

    /* A poll after cancel is READY at once and does not run the producer. */
    th_log b = {0};
    aa_future_poll(AA_TYPE_F64, h, th_continuation, th_data(&b));
    CHECK_EQ(atomic_load(&b.ready), 1);
    CHECK_EQ(m->polls, 1);
    /* A wake after cancel changes nothing. */
    th_manual_wake(m);
    CHECK_EQ(th_total(&b), 1);

    st = (RustCallStatus){0};
    aa_value v = aa_future_complete(AA_TYPE_F64, h, &st);
    CHECK_EQ(st.code, UNIFFI_CALL_CANCELLED);
    CHECK(v.f64 == 0.0);
    CHECK(st.errorBuf.data == NULL);
    CHECK_EQ(atomic_load(&drops), 1); /* complete dropped the state */
    aa_future_free(AA_TYPE_F64, h);
    CHECK_EQ(atomic_load(&drops), 1);

    /* Cancel before the first poll: poll is READY, complete is status 3. */
    h = th_manual_new(AA_TYPE_U8, &drops, &m);
    aa_future_cancel(AA_TYPE_U8, h);
    th_log c = {0};
    aa_future_poll(AA_TYPE_U8, h, th_continuation, th_data(&c));
    CHECK_EQ(atomic_load(&c.ready), 1);
    CHECK_EQ(m->polls, 0);
    aa_future_complete(AA_TYPE_U8, h, &st);
    CHECK_EQ(st.code, UNIFFI_CALL_CANCELLED);
    aa_future_free(AA_TYPE_U8, h);
    CHECK_EQ(atomic_load(&drops), 2);

    /* Cancel without complete: free drops the state. */
    h = th_manual_new(AA_TYPE_U8, &drops, &m);
    aa_future_cancel(AA_TYPE_U8, h);
    CHECK_EQ(atomic_load(&drops), 2);
    aa_future_free(AA_TYPE_U8, h);
    CHECK_EQ(atomic_load(&drops), 3);

    /* Ready, then cancel before complete: the result is still delivered. */
    h = aa_future_new_ready(AA_TYPE_U32, (aa_value){.u32 = 5});
    th_log d = {0};
    aa_future_poll(AA_TYPE_U32, h, th_continuation, th_data(&d));
    aa_future_cancel(AA_TYPE_U32, h);
    st = (RustCallStatus){0}; /* a binding resets the status before every call */
    CHECK_EQ(aa_future_complete(AA_TYPE_U32, h, &st).u32, 5);
    CHECK_EQ(st.code, 0);
    aa_future_free(AA_TYPE_U32, h);

    CHECK_EQ(th_misuse_total(), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
