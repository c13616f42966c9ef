/* free in every state (never polled, pending, woken, ready-not-completed, completed,
 * cancelled) invokes any stored continuation with READY and drops the state exactly once;
 * free also releases a result that was never taken. */
#include "harness.h"

static _Atomic int drops;

static void check_drops(int expected)
{
    CHECK_EQ(atomic_load(&drops), expected);
}

int main(void)
{
    th_misuse_install();
    th_manual *m;
    RustCallStatus st;
    th_log log = {0};

    /* never polled */
    uint64_t h = th_manual_new(AA_TYPE_U64, &drops, &m);
    aa_future_free(AA_TYPE_U64, h);
    check_drops(1);

    /* pending: the stored continuation gets READY from free */
    h = th_manual_new(AA_TYPE_U64, &drops, &m);
    th_log p = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&p));
    CHECK_EQ(th_total(&p), 0);
    aa_future_free(AA_TYPE_U64, h);
    CHECK_EQ(atomic_load(&p.ready), 1);
    check_drops(2);

    /* woken (Waked state, nothing stored) */
    h = th_manual_new(AA_TYPE_U64, &drops, &m);
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    th_manual_wake(m);
    th_manual_wake(m);
    aa_future_free(AA_TYPE_U64, h);
    check_drops(3);

    /* ready, not completed: the producer state was dropped at READY; the untaken
     * buffer result is freed by free */
    aa_value v;
    v.rust_buffer = aa_buffer_from_bytes("untaken", 7);
    h = aa_future_new_ready(AA_TYPE_RUST_BUFFER, v);
    aa_future_poll(AA_TYPE_RUST_BUFFER, h, th_continuation, th_data(&log));
    aa_future_free(AA_TYPE_RUST_BUFFER, h);
    CHECK_EQ(aa_buffer_live_count(), 0);
    h = th_manual_new(AA_TYPE_U64, &drops, &m);
    m->ready = 1;
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    check_drops(4);
    aa_future_free(AA_TYPE_U64, h);
    check_drops(4);

    /* completed */
    h = th_manual_new(AA_TYPE_U64, &drops, &m);
    m->ready = 1;
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
    aa_future_complete(AA_TYPE_U64, h, &st);
    aa_future_free(AA_TYPE_U64, h);
    check_drops(5);

    /* cancelled while pending */
    h = th_manual_new(AA_TYPE_U64, &drops, &m);
    th_log c = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&c));
    aa_future_cancel(AA_TYPE_U64, h);
    CHECK_EQ(atomic_load(&c.ready), 1);
    aa_future_free(AA_TYPE_U64, h);
    CHECK_EQ(th_total(&c), 1); /* free did not invoke it a second time */
    check_drops(6);

    /* cancelled, never polled nor completed: free drops the state */
    h = th_manual_new(AA_TYPE_U64, &drops, &m);
    aa_future_cancel(AA_TYPE_U64, h);
    aa_future_free(AA_TYPE_U64, h);
    check_drops(7);

    CHECK_EQ(th_misuse_total(), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
