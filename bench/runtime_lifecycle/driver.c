/* driver.c: measures one bench_abi (bench_abi.h) and the baselines it is compared with.
 *
 *   bench_runtime_lifecycle [--impl NAME] [--mode MODE] [--iters N] [--rounds R]
 *
 * Modes (default "all" prints every line): "pending" (create, poll -> pending, wake from
 * another thread, poll -> ready, complete, free), "pending-local" (the same with the wake on
 * this thread: the one to count instructions of), "ready" (create, poll, complete, free),
 * "handoff" (the cross-thread round trip alone, no runtime), "malloc" (malloc + free of the
 * core's size), "rss" (bytes per live pending future over 100k: RSS and malloc's bytes in use). Output: "key value" lines.
 */
#define _POSIX_C_SOURCE 200809L
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_abi.h"

static const bench_abi *const impls[] = {
    &bench_asyncabi,
#ifdef BENCH_HAVE_UNIFFI
    &bench_uniffi,
#endif
};

/* Spins, then yields: on an idle machine the wait ends within the spin; on a loaded one a
 * descheduled partner gets the CPU back instead of a whole timeslice being burnt. */
static inline void spin_wait(unsigned *spins)
{
    if (++*spins > 2000) {
        sched_yield();
    }
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* --- The binding side: a continuation that records its code --- */
/* Each flag on its own cache line: a helper spinning on one must not slow down the other. */
static _Alignas(64) _Atomic int cont_code = -1;

static void on_continuation(uint64_t data, int8_t code)
{
    (void)data;
    atomic_store_explicit(&cont_code, code, memory_order_release);
}

static int wait_continuation(void)
{
    int code;
    unsigned spins = 0;
    while ((code = atomic_load_explicit(&cont_code, memory_order_acquire)) == -1) {
        spin_wait(&spins);
    }
    atomic_store_explicit(&cont_code, -1, memory_order_relaxed);
    return code;
}

/* --- The helper thread: does a job when asked (a wake, or just an acknowledgement) --- */
enum { JOB_NONE = 0, JOB_TRIGGER = 1, JOB_ACK = 2, JOB_EXIT = 3 };
static _Alignas(64) _Atomic int job;
static _Alignas(64) _Atomic int acked;
static _Alignas(64) char pad_after_flags_[64] __attribute__((unused));
static const bench_abi *current;

static void *helper(void *arg)
{
    (void)arg;
    for (;;) {
        int j;
        unsigned spins = 0;
        while ((j = atomic_load_explicit(&job, memory_order_acquire)) == JOB_NONE) {
            spin_wait(&spins);
        }
        atomic_store_explicit(&job, JOB_NONE, memory_order_relaxed);
        if (j == JOB_EXIT) {
            return NULL;
        }
        if (j == JOB_TRIGGER) {
            current->trigger(); /* the continuation runs here and releases the main thread */
        } else {
            atomic_store_explicit(&acked, 1, memory_order_release);
        }
    }
}

static void lifecycle_pending(const bench_abi *abi, bool cross_thread)
{
    uint64_t h = abi->start_pending();
    abi->poll(h, on_continuation, 1);
    if (cross_thread) {
        atomic_store_explicit(&job, JOB_TRIGGER, memory_order_release);
    } else {
        abi->trigger();
    }
    if (wait_continuation() != UNIFFI_RUST_FUTURE_POLL_WAKE) {
        abort();
    }
    abi->poll(h, on_continuation, 2);
    if (wait_continuation() != UNIFFI_RUST_FUTURE_POLL_READY) {
        abort();
    }
    RustCallStatus st = {0, {0, 0, NULL}};
    if (abi->complete(h, &st) != 1 || st.code != 0) {
        abort();
    }
    abi->free(h);
}

static void lifecycle_ready(const bench_abi *abi)
{
    uint64_t h = abi->start_ready();
    abi->poll(h, on_continuation, 1);
    if (wait_continuation() != UNIFFI_RUST_FUTURE_POLL_READY) {
        abort();
    }
    RustCallStatus st = {0, {0, 0, NULL}};
    if (abi->complete(h, &st) != 1) {
        abort();
    }
    abi->free(h);
}

static void handoff(void)
{
    atomic_store_explicit(&job, JOB_ACK, memory_order_release);
    unsigned spins = 0;
    while (!atomic_load_explicit(&acked, memory_order_acquire)) {
        spin_wait(&spins);
    }
    atomic_store_explicit(&acked, 0, memory_order_relaxed);
}

static int rounds = 15;
static void *volatile sink;
static void malloc_free(size_t size)
{
    sink = malloc(size);
    free(sink);
}

/* Runs `body` iters times (after a warm-up) and returns ns per iteration, the best of `rounds`
 * rounds: the minimum filters out rounds in which another process preempted a spinning thread. */
#define MEASURE(out, iters, body)                                                              \
    do {                                                                                       \
        for (long w_ = 0; w_ < (iters) / 10 + 1; w_++) {                                       \
            body;                                                                              \
        }                                                                                      \
        double best_ = 1e30;                                                                   \
        for (int r_ = 0; r_ < rounds; r_++) {                                                       \
            double t0_ = now_ns();                                                             \
            for (long i_ = 0; i_ < (iters); i_++) {                                            \
                body;                                                                          \
            }                                                                                  \
            double per_ = (now_ns() - t0_) / (double)(iters);                                  \
            best_ = per_ < best_ ? per_ : best_;                                               \
        }                                                                                      \
        (out) = best_;                                                                         \
    } while (0)

static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f == NULL || fscanf(f, "%ld %ld", &pages, &resident) != 2) {
        resident = 0;
    }
    if (f != NULL) {
        fclose(f);
    }
    return resident * 4096;
}

static void measure_rss(const bench_abi *abi)
{
    enum { N = 100000 };
    uint64_t *handles = malloc(N * sizeof *handles);
    /* Touch the array first so that its own pages are not counted. */
    memset(handles, 0, N * sizeof *handles);
    long before = rss_bytes();
    /* Heap bytes in use (malloc's chunk sizes, headers included, and its mmapped blocks),
     * whoever allocated them: the runtime's C code and Rust's global allocator both use this
     * malloc. */
    struct mallinfo2 mi = mallinfo2();
    size_t heap_before = mi.uordblks + mi.hblkhd;
    for (long i = 0; i < N; i++) {
        handles[i] = abi->start_pending();
        abi->poll(handles[i], on_continuation, 1); /* stores a continuation: fully pending */
    }
    mi = mallinfo2();
    size_t heap_after = mi.uordblks + mi.hblkhd;
    long after = rss_bytes();
    for (long i = 0; i < N; i++) {
        abi->free(handles[i]); /* invokes each stored continuation with READY */
        atomic_store(&cont_code, -1);
    }
    abi->trigger(); /* drop the last stashed waker */
    atomic_store(&cont_code, -1);
    free(handles);
    printf("rss_bytes_per_pending_future %.1f\n", (double)(after - before) / N);
    printf("heap_bytes_per_pending_future %.1f\n", (double)(heap_after - heap_before) / N);
}

int main(int argc, char **argv)
{
    const char *mode = "all";
    const char *impl_name = "asyncabi";
    long iters = 50000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--mode") == 0) {
            mode = argv[i + 1];
        } else if (strcmp(argv[i], "--iters") == 0) {
            iters = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--rounds") == 0) {
            rounds = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--impl") == 0) {
            impl_name = argv[i + 1];
        } else {
            fprintf(stderr, "usage: %s [--impl NAME] [--mode MODE] [--iters N] [--rounds R]\n", argv[0]);
            return 2;
        }
    }
    const bench_abi *abi = NULL;
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++) {
        if (strcmp(impls[i]->name, impl_name) == 0) {
            abi = impls[i];
        }
    }
    if (abi == NULL) {
        fprintf(stderr, "unknown impl %s\n", impl_name);
        return 2;
    }
    current = abi;
    size_t core_size = abi->core_size ? abi->core_size : bench_asyncabi.core_size;
    bool all = strcmp(mode, "all") == 0;

    /* Single-threaded modes first: they are what callgrind counts (N vs 2N iterations). */
    if (strcmp(mode, "pending-local") == 0) {
        for (long i = 0; i < iters; i++) {
            lifecycle_pending(abi, false);
        }
        return 0;
    }
    if (strcmp(mode, "ready-count") == 0) {
        for (long i = 0; i < iters; i++) {
            lifecycle_ready(abi);
        }
        return 0;
    }
    if (strcmp(mode, "malloc-count") == 0) {
        for (long i = 0; i < iters; i++) {
            malloc_free(core_size);
        }
        return 0;
    }

    printf("impl %s\n", abi->name);
    printf("bytes_per_future_static %zu\n", abi->bytes_per_future);
    pthread_t thread;
    pthread_create(&thread, NULL, helper, NULL);
    double ns;
    if (all || strcmp(mode, "pending") == 0) {
        MEASURE(ns, iters, lifecycle_pending(abi, true));
        printf("pending_cross_thread_ns %.1f\n", ns);
    }
    if (all || strcmp(mode, "handoff") == 0) {
        MEASURE(ns, iters, handoff());
        printf("handoff_ns %.1f\n", ns);
    }
    if (all || strcmp(mode, "pending-local") == 0) {
        MEASURE(ns, iters, lifecycle_pending(abi, false));
        printf("pending_local_ns %.1f\n", ns);
    }
    if (all || strcmp(mode, "ready") == 0) {
        MEASURE(ns, iters, lifecycle_ready(abi));
        printf("ready_ns %.1f\n", ns);
    }
    if (all || strcmp(mode, "malloc") == 0) {
        MEASURE(ns, iters, malloc_free(core_size));
        printf("malloc_free_ns %.1f\n", ns);
    }
    atomic_store_explicit(&job, JOB_EXIT, memory_order_release);
    pthread_join(thread, NULL);
    if (all || strcmp(mode, "rss") == 0) {
        measure_rss(abi);
    }
    return 0;
}
