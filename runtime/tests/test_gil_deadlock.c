/* The ABBA deadlock that UniFFI's scheduler comment warns about, played out: continuations take
 * a "GIL" (a foreign runtime lock) while another thread holds that GIL and calls cancel / free /
 * poll on the same future. If the runtime invoked a continuation while holding its own lock,
 * this would hang; an alarm turns a hang into a failure. */
#define _XOPEN_SOURCE 700 /* PTHREAD_MUTEX_RECURSIVE */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include "harness.h"

#define ROUNDS 2000

/* Recursive, like PyGILState_Ensure: a continuation invoked synchronously on the thread that
 * already holds the GIL (inside its own poll, cancel or free) takes it again. */
static pthread_mutex_t gil;
static _Atomic(aa_waker *) to_wake;
static _Atomic int round_done;
static _Atomic int invoked;

/* A binding's continuation: it needs the GIL to resume the awaiting coroutine. */
static void with_gil(uint64_t data, int8_t code)
{
    (void)data;
    (void)code;
    pthread_mutex_lock(&gil);
    atomic_fetch_add(&invoked, 1);
    pthread_mutex_unlock(&gil);
}

static void *waking_thread(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        aa_waker *w;
        while ((w = atomic_exchange(&to_wake, NULL)) == NULL) {
            sched_yield();
        }
        aa_waker_wake_and_release(w); /* may invoke with_gil here: needs the GIL */
        atomic_fetch_add(&round_done, 1);
    }
    return NULL;
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "deadlock: a continuation was invoked under a runtime lock\n";
    write(2, msg, sizeof msg - 1);
    _exit(1);
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&gil, &attr);
    signal(SIGALRM, on_alarm);
    alarm(30);
    th_misuse_install();
    pthread_t t;
    pthread_create(&t, NULL, waking_thread, NULL);
    long polls = 0;
    for (int r = 0; r < ROUNDS; r++) {
        th_manual *m;
        uint64_t h = th_manual_new(AA_TYPE_U64, NULL, &m);
        /* The "coroutine" polls holding the GIL, as a Python binding does. */
        pthread_mutex_lock(&gil);
        aa_future_poll(AA_TYPE_U64, h, with_gil, 0);
        polls++;
        atomic_store(&to_wake, aa_waker_retain(m->waker));
        /* Still holding the GIL, race the waking thread with cancel, poll or free. */
        switch (r % 3) {
        case 0:
            aa_future_cancel(AA_TYPE_U64, h);
            break;
        case 1:
            aa_future_poll(AA_TYPE_U64, h, with_gil, 0);
            polls++;
            break;
        default:
            break;
        }
        aa_future_free(AA_TYPE_U64, h);
        pthread_mutex_unlock(&gil);
        while (atomic_load(&round_done) <= r) {
            sched_yield();
        }
    }
    pthread_join(t, NULL);
    CHECK_EQ(atomic_load(&invoked), polls); /* every continuation exactly once */
    CHECK_EQ(th_misuse_total(), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
