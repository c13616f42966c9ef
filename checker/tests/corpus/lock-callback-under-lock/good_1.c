/* UniFFI's scheduler pattern: take the callback out under the lock, call it after. */
#include <pthread.h>
#include <stdint.h>
#include "asyncabi/abi.h"

struct sched {
    pthread_mutex_t mu;
    UniffiRustFutureContinuationCallback cb;
    uint64_t data;
};

void sched_wake(struct sched *s)
{
    pthread_mutex_lock(&s->mu);
    UniffiRustFutureContinuationCallback cb = s->cb;
    uint64_t data = s->data;
    s->cb = NULL;
    pthread_mutex_unlock(&s->mu);
    if (cb) {
        cb(data, UNIFFI_RUST_FUTURE_POLL_WAKE);
    }
}
