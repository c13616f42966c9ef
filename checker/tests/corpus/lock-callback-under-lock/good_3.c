/* The same wrappers, with the callback taken out under the lock and called after it. */
#include <pthread.h>
#include <stdint.h>
#include "asyncabi/abi.h"

struct sched {
    pthread_mutex_t mu;
    UniffiRustFutureContinuationCallback cb;
    uint64_t data;
};

static void sched_lock(struct sched *s) { pthread_mutex_lock(&s->mu); }
static void sched_unlock(struct sched *s) { pthread_mutex_unlock(&s->mu); }

void wake(struct sched *s)
{
    sched_lock(s);
    UniffiRustFutureContinuationCallback cb = s->cb;
    uint64_t data = s->data;
    s->cb = NULL;
    sched_unlock(s);
    if (cb) {
        cb(data, UNIFFI_RUST_FUTURE_POLL_WAKE);
    }
}
