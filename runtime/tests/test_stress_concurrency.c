/* Concurrency stress: worker threads create, poll, cancel, complete and free futures (some
 * awaiting foreign calls) while waker threads wake them and a "binding" thread completes the
 * foreign calls, all at once. Checks that every poll got exactly one continuation, that each
 * state was dropped exactly once, that nothing was reported as misuse, and that nothing leaked.
 * Run under [tsan] for races and [asan] for use-after-free. argv[1]: futures per worker. */
#define _XOPEN_SOURCE 700
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <string.h>

#include "harness.h"

#define WORKERS 4
#define WAKERS 2
#define CANCELLERS 1
#define CELLS 64 /* per worker: futures in flight at once */

/* Outlives the futures: how waker and binding threads reach a future's producer side. */
typedef struct cell {
    _Atomic(aa_waker *) waker;      /* owned reference, taken by exchange */
    _Atomic int ready;              /* the producer's "I/O finished" flag */
    _Atomic uint64_t complete_data; /* a foreign call awaiting completion, 0 if none */
    _Atomic uint64_t cancel_handle; /* offered to the canceller thread, 0 if none */
    _Atomic int cancelling;         /* the canceller is between taking and cancelling */
} cell;

typedef struct job {
    cell *cell;
    bool foreign;
    aa_foreign_call *call;
    _Atomic int *drops;
} job;

static cell cells[WORKERS][CELLS];
static _Atomic int stop;
static _Atomic long polls, continuations, drops_total, created, cancels;

static aa_poll job_poll(aa_future *f, void *state)
{
    job *j = state;
    if (j->foreign) {
        if (j->call == NULL) {
            j->call = aa_foreign_call_new(AA_TYPE_U32, aa_future_waker(f));
            atomic_store_explicit(&j->cell->complete_data, aa_foreign_call_data(j->call),
                                  memory_order_release);
        }
        aa_value v;
        RustCallStatus st;
        if (aa_foreign_call_poll(j->call, &v, &st) == AA_PENDING) {
            return AA_PENDING;
        }
        aa_future_return_value(f, v);
        return AA_READY;
    }
    if (atomic_load_explicit(&j->cell->ready, memory_order_acquire)) {
        aa_future_return_value(f, (aa_value){.u32 = 1});
        return AA_READY;
    }
    aa_waker_release(atomic_exchange(&j->cell->waker, aa_future_waker(f)));
    return AA_PENDING;
}

static void job_drop(void *state)
{
    job *j = state;
    aa_waker_release(atomic_exchange(&j->cell->waker, NULL));
    aa_foreign_call_drop(j->call);
    atomic_fetch_add(&drops_total, 1);
    free(j);
}

static const aa_future_vtable job_vtable = {job_poll, job_drop, "stress"};

/* The continuation: data points at the worker's slot for the in-flight poll. */
static void on_continuation(uint64_t data, int8_t code)
{
    atomic_fetch_add(&continuations, 1);
    _Atomic int *slot = (_Atomic int *)(uintptr_t)data;
    int expected = -1;
    if (!atomic_compare_exchange_strong(slot, &expected, code)) {
        fprintf(stderr, "a continuation was invoked twice for one poll\n");
        exit(1);
    }
}

static int poll_and_wait(uint64_t h)
{
    _Atomic int code = -1;
    atomic_fetch_add(&polls, 1);
    aa_future_poll(AA_TYPE_U32, h, on_continuation, (uint64_t)(uintptr_t)&code);
    unsigned spins = 0;
    while (atomic_load(&code) == -1) {
        if (++spins > 100) {
            sched_yield();
        }
    }
    return atomic_load(&code);
}

/* Takes the handle back from the canceller before free: cancel may overlap poll and complete,
 * but never free (in UniFFI that would be a use after free too). Seq-cst on both sides: either
 * we take the handle, or we see the canceller's flag and wait for it to finish. */
static void withdraw(cell *c)
{
    atomic_exchange(&c->cancel_handle, 0);
    while (atomic_load(&c->cancelling)) {
        sched_yield();
    }
}

static void *canceller(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        for (int w = 0; w < WORKERS; w++) {
            for (int k = 0; k < CELLS; k++) {
                cell *c = &cells[w][k];
                atomic_store(&c->cancelling, 1);
                uint64_t h = atomic_exchange(&c->cancel_handle, 0);
                if (h != 0) {
                    aa_future_cancel(AA_TYPE_U32, h);
                    atomic_fetch_add(&cancels, 1);
                }
                atomic_store(&c->cancelling, 0);
            }
        }
        sched_yield();
    }
    return NULL;
}

static void *worker(void *arg)
{
    int w = (int)(intptr_t)arg;
    long n = atoi(getenv("STRESS_N"));
    for (long i = 0; i < n; i++) {
        cell *c = &cells[w][i % CELLS];
        atomic_store(&c->ready, 0);
        job *j = calloc(1, sizeof *j);
        j->cell = c;
        j->foreign = (i % 3) == 1;
        uint64_t h = aa_future_new(AA_TYPE_U32, &job_vtable, j);
        CHECK(h != 0);
        atomic_fetch_add(&created, 1);
        bool offered = (i % 4) == 0;
        if (offered) {
            /* Another thread may cancel it at any moment, even in the middle of a poll. */
            atomic_store(&c->cancel_handle, h);
        }
        switch (i % 8) {
        case 3: /* abandon while pending: free invokes the stored continuation (READY) */ {
            _Atomic int code = -1;
            atomic_fetch_add(&polls, 1);
            aa_future_poll(AA_TYPE_U32, h, on_continuation, (uint64_t)(uintptr_t)&code);
            withdraw(c);
            aa_future_free(AA_TYPE_U32, h);
            /* Exactly one invocation: free's READY, or a racing wake's WAKE that may still be
             * on its way from a waker thread. Wait for it: `code` lives on this stack. */
            while (atomic_load(&code) == -1) {
                sched_yield();
            }
            continue;
        }
        case 5: /* cancel after the first poll, then drive to READY and status 3 */
            if (poll_and_wait(h) == UNIFFI_RUST_FUTURE_POLL_READY) {
                break;
            }
            aa_future_cancel(AA_TYPE_U32, h);
            break;
        default:
            break;
        }
        while (poll_and_wait(h) != UNIFFI_RUST_FUTURE_POLL_READY) {
        }
        RustCallStatus st = {0, {0, 0, NULL}};
        aa_value v = aa_future_complete(AA_TYPE_U32, h, &st);
        CHECK(st.code == UNIFFI_CALL_SUCCESS || st.code == UNIFFI_CALL_CANCELLED);
        CHECK(st.code != UNIFFI_CALL_SUCCESS || v.u32 == 1);
        withdraw(c);
        aa_future_free(AA_TYPE_U32, h);
    }
    return NULL;
}

/* Wakes whatever is waiting, setting "ready" first (the producer's I/O completing). */
static void *waker(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        for (int w = 0; w < WORKERS; w++) {
            for (int k = 0; k < CELLS; k++) {
                cell *c = &cells[w][k];
                aa_waker *wk = atomic_exchange(&c->waker, NULL);
                if (wk != NULL) {
                    atomic_store_explicit(&c->ready, 1, memory_order_release);
                    aa_waker_wake(wk);
                    aa_waker_wake(wk); /* duplicate wakes must be harmless */
                    aa_waker_release(wk);
                }
            }
        }
        sched_yield();
    }
    return NULL;
}

/* The foreign side: completes each started call exactly once, from its own thread. */
static void *binding(void *arg)
{
    (void)arg;
    for (;;) {
        int done = atomic_load(&stop);
        for (int w = 0; w < WORKERS; w++) {
            for (int k = 0; k < CELLS; k++) {
                uint64_t data = atomic_exchange(&cells[w][k].complete_data, 0);
                if (data != 0) {
                    aa_foreign_call_complete_u32(data,
                                                 (UniffiForeignFutureResultU32){1, {0, {0, 0, NULL}}});
                }
            }
        }
        if (done) {
            return NULL; /* one full sweep after stop: every started call is completed */
        }
        sched_yield();
    }
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "stress: no progress for 90 s (a continuation was lost?)\n";
    write(2, msg, sizeof msg - 1);
    _exit(1);
}

int main(int argc, char **argv)
{
    signal(SIGALRM, on_alarm);
    alarm(90);
    setenv("STRESS_N", argc > 1 ? argv[1] : "3000", 1);
    th_misuse_install();
    pthread_t workers[WORKERS], wakers[WAKERS], cancellers[CANCELLERS], bind;
    for (int i = 0; i < CANCELLERS; i++) {
        pthread_create(&cancellers[i], NULL, canceller, NULL);
    }
    for (int i = 0; i < WAKERS; i++) {
        pthread_create(&wakers[i], NULL, waker, NULL);
    }
    pthread_create(&bind, NULL, binding, NULL);
    for (int i = 0; i < WORKERS; i++) {
        pthread_create(&workers[i], NULL, worker, (void *)(intptr_t)i);
    }
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(workers[i], NULL);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < WAKERS; i++) {
        pthread_join(wakers[i], NULL);
    }
    pthread_join(bind, NULL);
    for (int i = 0; i < CANCELLERS; i++) {
        pthread_join(cancellers[i], NULL);
    }
    for (int w = 0; w < WORKERS; w++) {
        for (int k = 0; k < CELLS; k++) {
            aa_waker_release(atomic_exchange(&cells[w][k].waker, NULL));
        }
    }
    long n = atol(getenv("STRESS_N"));
    CHECK_EQ(atomic_load(&created), n * WORKERS);
    CHECK_EQ(atomic_load(&drops_total), n * WORKERS);
    CHECK_EQ(atomic_load(&continuations), atomic_load(&polls));
    CHECK_EQ(th_misuse_total(), 0);
    CHECK_EQ(aa_foreign_call_live_count(), 0);
    th_check_no_leaks();
    printf("ok: %ld futures, %ld polls, %ld cancelled from another thread\n", n * WORKERS,
           atomic_load(&polls), atomic_load(&cancels));
    return 0;
}
