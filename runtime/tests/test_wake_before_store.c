/* A poll function that wakes its own waker before returning PENDING (the wake lands while no
 * continuation is stored: Waked) gets its continuation invoked with WAKE from inside poll,
 * and the next poll runs the producer again. */
#include "harness.h"

int main(void)
{
    th_misuse_install();
    _Atomic int drops = 0;
    th_manual *m;
    uint64_t h = th_manual_new(AA_TYPE_I16, &drops, &m);
    m->wake_in_poll = 1;
    th_log a = {0};
    aa_future_poll(AA_TYPE_I16, h, th_continuation, th_data(&a));
    CHECK_EQ(atomic_load(&a.wake), 1); /* invoked before poll returned */
    CHECK_EQ(atomic_load(&a.ready), 0);
    CHECK_EQ(m->polls, 1);

    /* Again: every poll wakes itself, every continuation gets exactly one WAKE. */
    th_log b = {0};
    aa_future_poll(AA_TYPE_I16, h, th_continuation, th_data(&b));
    CHECK_EQ(atomic_load(&b.wake), 1);
    CHECK_EQ(m->polls, 2);

    /* A wake from outside while nothing is stored is remembered for the next poll. */
    m->wake_in_poll = 0;
    th_log c = {0};
    aa_future_poll(AA_TYPE_I16, h, th_continuation, th_data(&c)); /* stores c */
    CHECK_EQ(th_total(&c), 0);
    th_manual_wake(m); /* c gets WAKE */
    th_manual_wake(m); /* nothing stored: Waked */
    CHECK_EQ(atomic_load(&c.wake), 1);
    th_log d = {0};
    aa_future_poll(AA_TYPE_I16, h, th_continuation, th_data(&d)); /* Waked: d gets WAKE at once */
    CHECK_EQ(atomic_load(&d.wake), 1);
    CHECK_EQ(m->polls, 4);

    m->ready = 1;
    th_log e = {0};
    aa_future_poll(AA_TYPE_I16, h, th_continuation, th_data(&e));
    CHECK_EQ(atomic_load(&e.ready), 1);
    RustCallStatus st = {0};
    CHECK_EQ(aa_future_complete(AA_TYPE_I16, h, &st).i16, 42);
    aa_future_free(AA_TYPE_I16, h);
    CHECK_EQ(atomic_load(&drops), 1);
    CHECK_EQ(th_misuse_total(), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
