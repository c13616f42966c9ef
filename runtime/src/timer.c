/* timer.c: one service thread that fires wakers at deadlines on the monotonic clock.
 *
 * A binary min-heap of entries ordered by deadline (ties by id, so equal deadlines fire in
 * the order they were set). Timer ids are handles of kind TIMER (handle_table.h): a cancel
 * with an id that already fired or was never issued finds nothing instead of a stale entry.
 * Every heap operation and every id lookup or retirement happens under `lock`; wakers are
 * fired and released after it is dropped, because a wake may invoke a foreign continuation
 * (scheduler.h explains the deadlock that avoids).
 *
 * The thread starts on the first timer and runs until aa_timer_shutdown(), which cancels
 * what is pending and joins it; a later timer starts a new one.
 */
/* CLOCK_MONOTONIC, clock_gettime and pthread_condattr_setclock are POSIX, not C11. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "asyncabi/timer.h"
#include "asyncabi/types.h"
#include "handle_table.h"

typedef struct aa__timer {
    uint64_t deadline;
    uint64_t id;
    size_t index; /* position in the heap */
    aa_waker *waker;
} aa__timer;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;   /* signalled when the earliest deadline changes or on shutdown */
    bool cond_ready;       /* cond initialised with the monotonic clock */
    bool running;          /* guarded by lock: a current service thread exists */
    unsigned epoch;        /* guarded by lock: bumped by shutdown; a thread of an older epoch
                            * exits, even if a new thread was started before it noticed */
    pthread_t thread;
    aa__timer **heap;      /* guarded by lock */
    size_t count, capacity;
} aa__timers = {.lock = PTHREAD_MUTEX_INITIALIZER};

uint64_t aa_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool aa__before(const aa__timer *a, const aa__timer *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->id < b->id);
}

static void aa__heap_set(size_t i, aa__timer *t)
{
    aa__timers.heap[i] = t;
    t->index = i;
}

static void aa__sift_up(size_t i)
{
    aa__timer *t = aa__timers.heap[i];
    while (i > 0 && aa__before(t, aa__timers.heap[(i - 1) / 2])) {
        aa__heap_set(i, aa__timers.heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    aa__heap_set(i, t);
}

static void aa__sift_down(size_t i)
{
    aa__timer *t = aa__timers.heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= aa__timers.count) {
            break;
        }
        if (c + 1 < aa__timers.count && aa__before(aa__timers.heap[c + 1], aa__timers.heap[c])) {
            c++;
        }
        if (!aa__before(aa__timers.heap[c], t)) {
            break;
        }
        aa__heap_set(i, aa__timers.heap[c]);
        i = c;
    }
    aa__heap_set(i, t);
}

/* Removes heap[i]; the caller retires its id. */
static void aa__heap_remove(size_t i)
{
    aa__timer *last = aa__timers.heap[--aa__timers.count];
    if (i == aa__timers.count) {
        return;
    }
    aa__heap_set(i, last);
    aa__sift_down(i);
    aa__sift_up(last->index);
}

static void aa__timer_retire(aa__timer *t)
{
    aa__handle_retire(aa__handle_slot(t->id), t->id);
}

#define AA__FIRE_BATCH 64

static void *aa__timer_main(void *arg)
{
    unsigned epoch = (unsigned)(uintptr_t)arg;
    aa__timer *due[AA__FIRE_BATCH];
    pthread_mutex_lock(&aa__timers.lock);
    while (aa__timers.epoch == epoch) {
        if (aa__timers.count == 0) {
            pthread_cond_wait(&aa__timers.cond, &aa__timers.lock);
            continue;
        }
        uint64_t now = aa_now_ns();
        uint64_t first = aa__timers.heap[0]->deadline;
        if (first > now) {
            struct timespec until = {(time_t)(first / 1000000000u), (long)(first % 1000000000u)};
            int rc = pthread_cond_timedwait(&aa__timers.cond, &aa__timers.lock, &until);
            (void)rc; /* ETIMEDOUT or a signal: either way, look at the heap again */
            continue;
        }
        size_t n = 0;
        while (n < AA__FIRE_BATCH && aa__timers.count > 0 && aa__timers.heap[0]->deadline <= now) {
            aa__timer *t = aa__timers.heap[0];
            aa__heap_remove(0);
            aa__timer_retire(t); /* from here a cancel of this id returns false */
            due[n++] = t;
        }
        pthread_mutex_unlock(&aa__timers.lock);
        for (size_t i = 0; i < n; i++) {
            aa_waker_wake_and_release(due[i]->waker);
            free(due[i]);
        }
        pthread_mutex_lock(&aa__timers.lock);
    }
    pthread_mutex_unlock(&aa__timers.lock);
    return NULL;
}

/* Starts the thread if needed; called with lock held. */
static bool aa__timer_start_locked(void)
{
    if (aa__timers.running) {
        return true;
    }
    if (!aa__timers.cond_ready) {
        pthread_condattr_t attr;
        pthread_condattr_init(&attr);
        /* Deadlines are monotonic: a wall-clock jump must not fire or stall timers. */
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        int rc = pthread_cond_init(&aa__timers.cond, &attr);
        pthread_condattr_destroy(&attr);
        if (rc != 0) {
            return false;
        }
        aa__timers.cond_ready = true;
    }
    if (pthread_create(&aa__timers.thread, NULL, aa__timer_main,
                       (void *)(uintptr_t)aa__timers.epoch) != 0) {
        return false;
    }
    aa__timers.running = true;
    return true;
}

uint64_t aa_timer_at(uint64_t deadline_ns, aa_waker *waker)
{
    aa__timer *t = malloc(sizeof *t);
    if (t == NULL) {
        aa_waker_release(waker);
        return 0;
    }
    t->deadline = deadline_ns;
    t->waker = waker;
    pthread_mutex_lock(&aa__timers.lock);
    if (!aa__timer_start_locked()) {
        goto fail;
    }
    if (aa__timers.count == aa__timers.capacity) {
        size_t capacity = aa__timers.capacity ? aa__timers.capacity * 2 : 64;
        aa__timer **heap = realloc(aa__timers.heap, capacity * sizeof *heap);
        if (heap == NULL) {
            goto fail;
        }
        aa__timers.heap = heap;
        aa__timers.capacity = capacity;
    }
    t->id = aa__handle_alloc(AA__KIND_TIMER, AA_TYPE_VOID, t);
    if (t->id == 0) {
        goto fail;
    }
    aa__heap_set(aa__timers.count++, t);
    aa__sift_up(t->index);
    if (t->index == 0) {
        /* Broadcast: a thread of an ended epoch may still be waiting on the same cond. */
        pthread_cond_broadcast(&aa__timers.cond);
    }
    uint64_t id = t->id;
    pthread_mutex_unlock(&aa__timers.lock);
    return id;
fail:
    pthread_mutex_unlock(&aa__timers.lock);
    /* The waker was handed to us: on failure we still release it, so nothing leaks. */
    aa_waker_release(waker);
    free(t);
    return 0;
}

uint64_t aa_timer_after(uint64_t delay_ns, aa_waker *waker)
{
    uint64_t now = aa_now_ns();
    uint64_t deadline = delay_ns > UINT64_MAX - now ? UINT64_MAX : now + delay_ns;
    return aa_timer_at(deadline, waker);
}

bool aa_timer_cancel(uint64_t timer_id)
{
    pthread_mutex_lock(&aa__timers.lock);
    aa__timer *t = aa__handle_lookup(timer_id, AA__KIND_TIMER);
    if (t != NULL) {
        aa__heap_remove(t->index);
        aa__timer_retire(t);
    }
    pthread_mutex_unlock(&aa__timers.lock);
    if (t == NULL) {
        return false;
    }
    aa_waker_release(t->waker);
    free(t);
    return true;
}

void aa_timer_shutdown(void)
{
    pthread_mutex_lock(&aa__timers.lock);
    if (!aa__timers.running) {
        pthread_mutex_unlock(&aa__timers.lock);
        return;
    }
    aa__timers.epoch++;
    pthread_cond_broadcast(&aa__timers.cond);
    aa__timer **pending = aa__timers.heap;
    size_t count = aa__timers.count;
    for (size_t i = 0; i < count; i++) {
        aa__timer_retire(pending[i]);
    }
    aa__timers.heap = NULL;
    aa__timers.count = aa__timers.capacity = 0;
    pthread_t thread = aa__timers.thread;
    aa__timers.running = false;
    pthread_mutex_unlock(&aa__timers.lock);

    if (pthread_equal(thread, pthread_self())) {
        /* Called from a wake on the service thread: it cannot join itself, and it exits on
         * its own once the callback returns (its epoch is over). */
        pthread_detach(thread);
    } else {
        pthread_join(thread, NULL);
    }
    /* Cancelled, not fired: their futures are being torn down with the service. */
    for (size_t i = 0; i < count; i++) {
        aa_waker_release(pending[i]->waker);
        free(pending[i]);
    }
    free(pending);
}
