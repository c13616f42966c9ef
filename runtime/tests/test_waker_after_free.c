/* A waker that outlives the future (held by a producer thread, a timer, a foreign call) is a
 * safe no-op after free, from this thread or another; the last release frees the core. */
#include <pthread.h>

#include "harness.h"

static int wakes;
static void count_wake(const aa_event *e, void *u)
{
    (void)u;
    if (e->op == AA_OP_WAKE) {
        wakes++;
    }
}

static void *wake_many(void *arg)
{
    for (int i = 0; i < 1000; i++) {
        aa_waker_wake((aa_waker *)arg);
    }
    return NULL;
}

int main(void)
{
    th_misuse_install();
    th_manual *m;
    uint64_t h = th_manual_new(AA_TYPE_VOID, NULL, &m);
    th_log log = {0};
    aa_future_poll(AA_TYPE_VOID, h, th_continuation, th_data(&log));
    aa_waker *kept = aa_waker_retain(m->waker);
    aa_waker *kept2 = aa_waker_retain(kept);
    aa_future_free(AA_TYPE_VOID, h);
    CHECK_EQ(atomic_load(&log.ready), 1);
    CHECK_EQ(aa_future_live_count(), 0);

    aa_set_event_hook(count_wake, NULL);
    aa_waker_wake(kept); /* no continuation, no crash */
    aa_set_event_hook(NULL, NULL);
    CHECK_EQ(wakes, 1);
    CHECK_EQ(th_total(&log), 1);

    pthread_t t;
    pthread_create(&t, NULL, wake_many, kept2);
    wake_many(kept);
    pthread_join(t, NULL);
    CHECK_EQ(th_total(&log), 1);

    aa_waker_wake_and_release(kept);
    aa_waker_release(kept2); /* the last reference frees the core (valgrind checks) */
    aa_waker_release(NULL);
    aa_waker_wake(NULL);
    CHECK_EQ(th_misuse_total(), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
