/* Every transition of the scheduler state machine (scheduler.h), with exact invocation counts
 * and codes: store / wake / cancel from each of Empty, Set, Waked, Cancelled. */
#include "harness.h"
#include "scheduler.h"

static void invoke(aa__continuation c)
{
    if (c.callback != NULL) {
        c.callback(c.data, c.code);
    }
}

static uint32_t state_of(aa__scheduler *s)
{
    return atomic_load(&s->word) & 3u;
}

int main(void)
{
    th_log a = {0}, b = {0}, c = {0};
    aa__scheduler s;

    /* Empty -> store -> Set, nothing invoked. */
    aa__scheduler_init(&s);
    aa__continuation k = aa__scheduler_store(&s, th_continuation, th_data(&a));
    CHECK(k.callback == NULL);
    CHECK_EQ(state_of(&s), AA__SCHED_SET);
    CHECK_EQ(th_total(&a), 0);

    /* Set -> store(new) -> Set(new), old invoked with WAKE. */
    k = aa__scheduler_store(&s, th_continuation, th_data(&b));
    CHECK(k.callback != NULL);
    CHECK_EQ(k.code, UNIFFI_RUST_FUTURE_POLL_WAKE);
    CHECK_EQ(k.data, th_data(&a));
    invoke(k);
    CHECK_EQ(atomic_load(&a.wake), 1);
    CHECK_EQ(state_of(&s), AA__SCHED_SET);

    /* Set -> wake -> Empty, stored (b) invoked with WAKE. */
    k = aa__scheduler_wake(&s);
    CHECK_EQ(k.data, th_data(&b));
    CHECK_EQ(k.code, UNIFFI_RUST_FUTURE_POLL_WAKE);
    invoke(k);
    CHECK_EQ(atomic_load(&b.wake), 1);
    CHECK_EQ(state_of(&s), AA__SCHED_EMPTY);

    /* Empty -> wake -> Waked; Waked -> wake -> Waked (no-op). */
    k = aa__scheduler_wake(&s);
    CHECK(k.callback == NULL);
    CHECK_EQ(state_of(&s), AA__SCHED_WAKED);
    k = aa__scheduler_wake(&s);
    CHECK(k.callback == NULL);
    CHECK_EQ(state_of(&s), AA__SCHED_WAKED);

    /* Waked -> store -> Empty, new invoked with WAKE at once. */
    k = aa__scheduler_store(&s, th_continuation, th_data(&c));
    CHECK_EQ(k.data, th_data(&c));
    CHECK_EQ(k.code, UNIFFI_RUST_FUTURE_POLL_WAKE);
    invoke(k);
    CHECK_EQ(atomic_load(&c.wake), 1);
    CHECK_EQ(state_of(&s), AA__SCHED_EMPTY);

    /* Empty -> cancel -> Cancelled, nothing invoked. */
    CHECK(!aa__scheduler_is_cancelled(&s));
    k = aa__scheduler_cancel(&s);
    CHECK(k.callback == NULL);
    CHECK(aa__scheduler_is_cancelled(&s));

    /* Cancelled -> store -> Cancelled, new invoked with READY. */
    k = aa__scheduler_store(&s, th_continuation, th_data(&a));
    CHECK_EQ(k.code, UNIFFI_RUST_FUTURE_POLL_READY);
    invoke(k);
    CHECK_EQ(atomic_load(&a.ready), 1);
    CHECK_EQ(state_of(&s), AA__SCHED_CANCELLED);

    /* Cancelled -> wake and cancel are no-ops. */
    CHECK(aa__scheduler_wake(&s).callback == NULL);
    CHECK(aa__scheduler_cancel(&s).callback == NULL);
    CHECK_EQ(state_of(&s), AA__SCHED_CANCELLED);

    /* Set -> cancel -> Cancelled, stored invoked with READY. */
    aa__scheduler_init(&s);
    aa__scheduler_store(&s, th_continuation, th_data(&b));
    k = aa__scheduler_cancel(&s);
    CHECK_EQ(k.data, th_data(&b));
    CHECK_EQ(k.code, UNIFFI_RUST_FUTURE_POLL_READY);
    invoke(k);
    CHECK_EQ(atomic_load(&b.ready), 1);

    /* Waked -> cancel -> Cancelled, nothing invoked (the wake is subsumed). */
    aa__scheduler_init(&s);
    aa__scheduler_wake(&s);
    CHECK(aa__scheduler_cancel(&s).callback == NULL);
    CHECK_EQ(state_of(&s), AA__SCHED_CANCELLED);

    /* Totals: every continuation exactly once. */
    CHECK_EQ(th_total(&a), 2); /* one WAKE (replaced), one READY (a second, separate store) */
    CHECK_EQ(th_total(&b), 2); /* one WAKE, one READY (separate stores) */
    CHECK_EQ(th_total(&c), 1);
    printf("ok\n");
    return 0;
}
