/* A lock wrapper that calls another lock wrapper: both levels are followed. */
#include <pthread.h>
#include <stdint.h>
#include "asyncabi/abi.h"

struct sched {
    pthread_mutex_t mu;
    UniffiRustFutureContinuationCallback cb;
    uint64_t data;
};
struct queue {
    struct sched *sched;
};

static void sched_lock(struct sched *s) { pthread_mutex_lock(&s->mu); }
static void sched_unlock(struct sched *s) { pthread_mutex_unlock(&s->mu); }
static void queue_lock(struct queue *q) { sched_lock(q->sched); }
static void queue_unlock(struct queue *q) { sched_unlock(q->sched); }

void queue_wake(struct queue *q)
{
    queue_lock(q);
    q->sched->cb(q->sched->data, UNIFFI_RUST_FUTURE_POLL_WAKE); // expect: lock-callback-under-lock@5
    queue_unlock(q);
}
