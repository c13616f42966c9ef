/* The continuation runs under the producer's mutex: ABBA with a binding's runtime lock. */
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
    if (s->cb) {
        s->cb(s->data, UNIFFI_RUST_FUTURE_POLL_WAKE); // expect: lock-callback-under-lock@9
        s->cb = NULL;
    }
    pthread_mutex_unlock(&s->mu);
}
