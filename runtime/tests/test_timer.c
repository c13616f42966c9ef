/* The timer service: timers fire in deadline order (ties in creation order), a cancelled
 * timer never fires, cancel of a fired or unknown id is false, and shutdown releases pending
 * wakers (valgrind: nothing leaks) and the service restarts afterwards. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <time.h>

#include "harness.h"

#define N 4
static _Atomic int order[N];
static _Atomic int fired;

/* The continuation records which future (data) was woken, and in which position. */
static void record(uint64_t data, int8_t code)
{
    CHECK_EQ(code, UNIFFI_RUST_FUTURE_POLL_WAKE);
    order[atomic_fetch_add(&fired, 1)] = (int)data;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void wait_fired(int n)
{
    for (int i = 0; i < 10000 && atomic_load(&fired) < n; i++) {
        sleep_ms(1);
    }
    CHECK_EQ(atomic_load(&fired), n);
}

/* --- Many threads setting and cancelling timers at once: each timer either fires (one
 * wake event) or is cancelled (cancel returns true), never both, never neither. --- */
#define SETTERS 4
#define PER_SETTER 300
static _Atomic int wake_events, cancelled_ok;

static void count_wakes(const aa_event *e, void *u)
{
    (void)u;
    if (e->op == AA_OP_WAKE) {
        atomic_fetch_add(&wake_events, 1);
    }
}

static void *setter(void *arg)
{
    th_manual *m = arg;
    uint64_t ids[PER_SETTER];
    for (int i = 0; i < PER_SETTER; i++) {
        ids[i] = aa_timer_after((uint64_t)(i % 7) * 100000u, aa_waker_retain(m->waker));
        CHECK(ids[i] != 0);
    }
    for (int i = 0; i < PER_SETTER; i += 2) {
        if (aa_timer_cancel(ids[i])) {
            atomic_fetch_add(&cancelled_ok, 1);
        }
    }
    return NULL;
}

static void concurrent_timers(void)
{
    uint64_t h[SETTERS];
    th_manual *m[SETTERS];
    pthread_t t[SETTERS];
    aa_set_event_hook(count_wakes, NULL);
    for (int i = 0; i < SETTERS; i++) {
        h[i] = th_manual_new(AA_TYPE_VOID, NULL, &m[i]);
        aa_future_poll(AA_TYPE_VOID, h[i], record, 99); /* stashes a waker */
    }
    atomic_store(&fired, 0);
    for (int i = 0; i < SETTERS; i++) {
        pthread_create(&t[i], NULL, setter, m[i]);
    }
    for (int i = 0; i < SETTERS; i++) {
        pthread_join(t[i], NULL);
    }
    int total = SETTERS * PER_SETTER;
    for (int i = 0; i < 10000 && atomic_load(&wake_events) + atomic_load(&cancelled_ok) < total; i++) {
        sleep_ms(1);
    }
    CHECK_EQ(atomic_load(&wake_events) + atomic_load(&cancelled_ok), total);
    aa_set_event_hook(NULL, NULL);
    aa_timer_shutdown();
    for (int i = 0; i < SETTERS; i++) {
        aa_future_free(AA_TYPE_VOID, h[i]);
    }
    atomic_store(&fired, 0);
}

int main(void)
{
    th_misuse_install();
    uint64_t h[N];
    th_manual *m[N];
    /* delays: future 0 -> 40 ms, 1 -> 10 ms, 2 -> 25 ms, 3 -> 25 ms (tie: after 2) */
    static const int delay_ms[N] = {40, 10, 25, 25};
    /* A generous margin: the order is only meaningful if every timer is set before the first
     * deadline, and a loaded machine under valgrind can take long to start the service (300 ms
     * was exceeded at load average 12 with four valgrind jobs side by side). */
    uint64_t base = aa_now_ns() + 1000 * 1000000ull;
    for (int i = 0; i < N; i++) {
        h[i] = th_manual_new(AA_TYPE_VOID, NULL, &m[i]);
        aa_future_poll(AA_TYPE_VOID, h[i], record, (uint64_t)i);
        CHECK(aa_timer_at(base + (uint64_t)delay_ms[i] * 1000000u, aa_waker_retain(m[i]->waker)) != 0);
    }
    CHECK(aa_now_ns() < base + 10 * 1000000ull); /* all set before the first deadline */
    wait_fired(N);
    CHECK_EQ(order[0], 1);
    CHECK_EQ(order[1], 2);
    CHECK_EQ(order[2], 3);
    CHECK_EQ(order[3], 0);
    CHECK(aa_now_ns() >= base + 40 * 1000000ull); /* nothing fired early */

    /* Cancel: a cancelled timer never fires; cancelling again, or a fired id, is false. */
    atomic_store(&fired, 0);
    aa_future_poll(AA_TYPE_VOID, h[0], record, 0);
    aa_future_poll(AA_TYPE_VOID, h[1], record, 1);
    uint64_t cancelled_at = aa_now_ns() + 300 * 1000000ull; /* far enough to cancel in time */
    uint64_t id = aa_timer_at(cancelled_at, aa_waker_retain(m[0]->waker));
    uint64_t quick = aa_timer_after(1000000u, aa_waker_retain(m[1]->waker));
    CHECK(id != 0 && quick != 0 && id != quick);
    CHECK(aa_timer_cancel(id));
    CHECK(!aa_timer_cancel(id));
    CHECK(!aa_timer_cancel(12345));
    CHECK(!aa_timer_cancel(h[0])); /* a future handle is not a timer id */
    wait_fired(1); /* the quick one (however late a loaded machine runs it) */
    CHECK_EQ(order[0], 1);
    CHECK(!aa_timer_cancel(quick)); /* it fired */
    while (aa_now_ns() < cancelled_at + 20 * 1000000ull) {
        sleep_ms(5);
    }
    CHECK_EQ(atomic_load(&fired), 1); /* future 0's continuation is still stored */

    /* Shutdown with a pending timer: the waker is released, not fired. */
    CHECK(aa_timer_after(10ull * 1000000000u, aa_waker_retain(m[0]->waker)) != 0);
    aa_timer_shutdown();
    CHECK_EQ(atomic_load(&fired), 1);
    aa_timer_shutdown(); /* idempotent */

    /* And the service starts again on demand. */
    CHECK(aa_timer_after(1000000u, aa_waker_retain(m[0]->waker)) != 0);
    wait_fired(2);
    CHECK_EQ(order[1], 0);
    aa_timer_shutdown();

    for (int i = 0; i < N; i++) {
        aa_future_free(AA_TYPE_VOID, h[i]);
    }
    concurrent_timers();
    CHECK_EQ(th_misuse_total(), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
