/* ratelimit: a token bucket whose acquire is an async UniFFI export.
 *
 * The bucket is shared by every acquire future and by the refill thread: tokens, waiters and
 * the closed flag change only under bucket->mu. Wakers are taken out under the lock and woken
 * after it is released (a binding may take its own runtime lock inside the wake).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "asyncabi/future.h"
#include "asyncabi/waker.h"

#define MAX_WAITERS 16
#define REFILL_MS 100

typedef struct bucket {
    pthread_mutex_t mu;
    uint32_t tokens;
    uint32_t capacity;
    uint32_t nwaiters;
    aa_waker *waiters[MAX_WAITERS];
    int closed;
} bucket;

typedef struct acquire_state {
    bucket *b;
    uint32_t want;
    int registered;
} acquire_state;

static bucket g_bucket = {.mu = PTHREAD_MUTEX_INITIALIZER, .capacity = 64};

static uint32_t take_waiters(bucket *b, aa_waker **out)
{
    uint32_t n = b->nwaiters;
    for (uint32_t i = 0; i < n; i++) {
        out[i] = b->waiters[i];
    }
    b->nwaiters = 0;
    return n;
}

static void wake_all(aa_waker **ws, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        aa_waker_wake_and_release(ws[i]);
    }
}

static void *refill_main(void *arg)
{
    bucket *b = arg;
    for (;;) {
        usleep(REFILL_MS * 1000);
        aa_waker *ws[MAX_WAITERS];
        pthread_mutex_lock(&b->mu);
        if (b->closed) {
            pthread_mutex_unlock(&b->mu);
            return NULL;
        }
        b->tokens = b->capacity;
        uint32_t n = take_waiters(b, ws);
        pthread_mutex_unlock(&b->mu);
        wake_all(ws, n);
    }
}

static aa_poll acquire_poll(aa_future *future, void *state)
{
    acquire_state *st = state;
    bucket *b = st->b;
    pthread_mutex_lock(&b->mu);
    if (b->tokens >= st->want) {
        b->tokens -= st->want;
        pthread_mutex_unlock(&b->mu);
        aa_future_return_value(future, (aa_value){.u32 = st->want});
        return AA_READY;
    }
    if (b->nwaiters < MAX_WAITERS) {
        b->waiters[b->nwaiters++] = aa_future_waker(future);
    }
    pthread_mutex_unlock(&b->mu);
    return AA_PENDING;
}

static void acquire_drop(void *state)
{
    free(state);
}

static const aa_future_vtable acquire_vtable = {acquire_poll, acquire_drop, "acquire"};

uint64_t uniffi_ratelimit_fn_func_acquire(uint32_t tokens)
{
    acquire_state *st = calloc(1, sizeof *st);
    if (!st) {
        return 0;
    }
    st->b = &g_bucket;
    st->want = tokens;
    return aa_future_new(AA_TYPE_U32, &acquire_vtable, st);
}

void ratelimit_close(void)
{
    aa_waker *ws[MAX_WAITERS];
    pthread_mutex_lock(&g_bucket.mu);
    g_bucket.closed = 1;
    uint32_t n = take_waiters(&g_bucket, ws);
    wake_all(ws, n); // expect: lock-callback-under-lock@5
    pthread_mutex_unlock(&g_bucket.mu);
}

int ratelimit_start(void)
{
    pthread_t th;
    return pthread_create(&th, NULL, refill_main, &g_bucket);
}
