/* Misuse that races is still survived, never undefined: the same handle freed by two threads
 * at once, and a poll racing a free. Each state is dropped exactly once, each poll gets exactly
 * one continuation, nothing leaks, and every collision is reported (stale-handle or
 * concurrent-call). Run under [tsan] and [asan]. argv[1]: rounds. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>

#include "harness.h"

static _Atomic uint64_t shared_handle;
static _Atomic int go, finished;
static _Atomic int drops;
static int rounds;

/* Both threads wait for round r to open, then act on the same handle at once. */
static void wait_go(int r)
{
    while (atomic_load(&go) != r) {
        sched_yield();
    }
}

static void *other_thread(void *arg)
{
    int mode = (int)(intptr_t)arg;
    for (int r = 1; r <= rounds; r++) {
        wait_go(r);
        uint64_t h = atomic_load(&shared_handle);
        if (mode == 0) {
            aa_future_free(AA_TYPE_U64, h);
        } else {
            th_log log = {0};
            aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
            /* Exactly one invocation, maybe from the main thread's free: wait for it. */
            while (th_total(&log) == 0) {
                sched_yield();
            }
            CHECK_EQ(th_total(&log), 1);
        }
        atomic_fetch_add(&finished, 1);
    }
    return NULL;
}

static void run(int mode)
{
    pthread_t t;
    atomic_store(&go, 0);
    atomic_store(&finished, 0);
    atomic_store(&drops, 0);
    pthread_create(&t, NULL, other_thread, (void *)(intptr_t)mode);
    for (int r = 1; r <= rounds; r++) {
        th_manual *m;
        uint64_t h = th_manual_new(AA_TYPE_U64, &drops, &m);
        atomic_store(&shared_handle, h);
        atomic_store(&go, r);
        aa_future_free(AA_TYPE_U64, h);
        while (atomic_load(&finished) != r) {
            sched_yield();
        }
    }
    pthread_join(t, NULL);
    CHECK_EQ(atomic_load(&drops), rounds);
    th_check_no_leaks();
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atoi(argv[1]) : 3000;
    th_misuse_install();

    run(0); /* double free, racing */
    int reports = th_misuse_count(AA_MISUSE_STALE_HANDLE) +
                  th_misuse_count(AA_MISUSE_CONCURRENT_CALL);
    CHECK_EQ(reports, rounds); /* exactly one of the two frees is misuse, every round */
    CHECK_EQ(th_misuse_total(), reports);

    th_misuse_reset();
    run(1); /* poll racing free */
    CHECK(th_misuse_total() <= rounds);
    CHECK_EQ(th_misuse_total(), th_misuse_count(AA_MISUSE_STALE_HANDLE) +
                                    th_misuse_count(AA_MISUSE_CONCURRENT_CALL));
    printf("ok: %d rounds; poll/free collisions reported: %d\n", rounds, th_misuse_total());
    return 0;
}
