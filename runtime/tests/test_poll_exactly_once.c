/* Each poll call invokes its continuation exactly once: ready at once, pending then woken,
 * polled twice without a wake (the first gets WAKE), woken many times (one invocation). */
#include "harness.h"

int main(void)
{
    th_misuse_install();
    _Atomic int drops = 0;

    /* Ready on the first poll: READY inside poll, state dropped right after. */
    th_manual *m;
    uint64_t h = th_manual_new(AA_TYPE_U64, &drops, &m);
    m->ready = 1;
    th_log a = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&a));
    CHECK_EQ(atomic_load(&a.ready), 1);
    CHECK_EQ(atomic_load(&a.wake), 0);
    CHECK_EQ(atomic_load(&drops), 1);
    RustCallStatus st = {0};
    CHECK_EQ(aa_future_complete(AA_TYPE_U64, h, &st).u64, 42);
    CHECK_EQ(st.code, 0);
    aa_future_free(AA_TYPE_U64, h);
    CHECK_EQ(atomic_load(&a.ready), 1);

    /* Pending: nothing until the wake, then exactly one WAKE however many wakes. */
    h = th_manual_new(AA_TYPE_U64, &drops, &m);
    th_log b = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&b));
    CHECK_EQ(th_total(&b), 0);
    CHECK_EQ(m->polls, 1);
    th_manual_wake(m);
    th_manual_wake(m);
    th_manual_wake(m);
    CHECK_EQ(atomic_load(&b.wake), 1);
    CHECK_EQ(th_total(&b), 1);

    /* Poll again (the extra wakes left it Waked: WAKE at once for the new continuation). */
    th_log c = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&c));
    CHECK_EQ(m->polls, 2);
    CHECK_EQ(atomic_load(&c.wake), 1);

    /* Two polls without a wake: the first continuation gets WAKE, the second is stored. */
    th_log d = {0}, e = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&d));
    CHECK_EQ(th_total(&d), 0);
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&e));
    CHECK_EQ(atomic_load(&d.wake), 1);
    CHECK_EQ(th_total(&e), 0);

    /* Ready: the stored one gets WAKE, the next poll READY. */
    th_manual_set_ready(m);
    CHECK_EQ(atomic_load(&e.wake), 1);
    th_log f = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&f));
    CHECK_EQ(atomic_load(&f.ready), 1);
    CHECK_EQ(atomic_load(&drops), 2);

    /* Polling a ready (not yet completed) future again: READY at once, no producer poll. */
    th_log g = {0};
    aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&g));
    CHECK_EQ(atomic_load(&g.ready), 1);
    CHECK_EQ(aa_future_complete(AA_TYPE_U64, h, &st).u64, 42);
    aa_future_free(AA_TYPE_U64, h);

    /* Every log got exactly one invocation. */
    th_log *all[] = {&a, &b, &c, &d, &e, &f, &g};
    for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++) {
        CHECK_EQ(th_total(all[i]), 1);
    }
    CHECK_EQ(th_misuse_total(), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
