/* workq: a fixed pool of worker threads behind async UniFFI exports.
 *
 * The pool is shared by every worker and every future: the queue, the job count and the
 * shutdown flag are protected by pool->lock (a pthread rwlock: stats take it for reading).
 * A finished job's waker is taken out under the lock and woken after it is released.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "asyncabi/future.h"
#include "asyncabi/waker.h"

#define WORKQ_MAX 128

struct job {
    uint64_t input, output;
    int done;
    aa_waker *waker;
};

struct pool {
    pthread_rwlock_t lock;
    struct job *queue[WORKQ_MAX];
    unsigned head, count;
    unsigned finished;
    int stopping;
};

static struct pool g_pool = {.lock = PTHREAD_RWLOCK_INITIALIZER};

static void pool_wrlock(struct pool *p)
{
    pthread_rwlock_wrlock(&p->lock);
}

static void pool_unlock(struct pool *p)
{
    pthread_rwlock_unlock(&p->lock);
}

static struct job *pool_take(struct pool *p)
{
    if (p->count == 0) {
        return NULL;
    }
    struct job *j = p->queue[p->head];
    p->head = (p->head + 1) % WORKQ_MAX;
    p->count--;
    return j;
}

static aa_waker *job_finish(struct job *j)
{
    j->output = j->input * 2654435761u;
    j->done = 1;
    if (j->waker) {
        aa_waker_wake(j->waker);
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        pool_wrlock(p);
        if (p->stopping) {
            pool_unlock(p);
            return NULL;
        }
        struct job *j = pool_take(p);
        aa_waker *w = j ? job_finish(j) : NULL; // expect: lock-callback-under-lock@27
        p->finished += j ? 1u : 0u;
        pool_unlock(p);
        if (w) {
            aa_waker_wake_and_release(w);
        }
    }
}

unsigned workq_finished(void)
{
    pthread_rwlock_rdlock(&g_pool.lock);
    unsigned n = g_pool.finished;
    pthread_rwlock_unlock(&g_pool.lock);
    return n;
}

static aa_poll job_poll(aa_future *future, void *state)
{
    struct job *j = state;
    pool_wrlock(&g_pool);
    if (j->done) {
        pool_unlock(&g_pool);
        aa_future_return_value(future, (aa_value){.u64 = j->output});
        return AA_READY;
    }
    if (!j->waker) {
        j->waker = aa_future_waker(future);
    }
    pool_unlock(&g_pool);
    return AA_PENDING;
}

static void job_drop(void *state)
{
    struct job *j = state;
    if (j->waker) {
        aa_waker_release(j->waker);
    }
    free(j);
}

static const aa_future_vtable job_vtable = {job_poll, job_drop, "hash"};

uint64_t uniffi_workq_fn_func_hash(uint64_t input)
{
    struct job *j = calloc(1, sizeof *j);
    if (!j) {
        return 0;
    }
    j->input = input;
    pool_wrlock(&g_pool);
    if (g_pool.count < WORKQ_MAX) {
        g_pool.queue[(g_pool.head + g_pool.count) % WORKQ_MAX] = j;
        g_pool.count++;
    }
    pool_unlock(&g_pool);
    return aa_future_new(AA_TYPE_U64, &job_vtable, j);
}
