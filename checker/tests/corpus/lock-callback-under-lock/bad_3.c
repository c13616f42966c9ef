/* Through a helper of the same file, and a dropped callback under a rwlock. */
#include <pthread.h>
#include <stdint.h>
#include "asyncabi/abi.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

static void fire(UniffiRustFutureContinuationCallback cb, uint64_t data)
{
    cb(data, UNIFFI_RUST_FUTURE_POLL_READY);
}

void cancel_all(UniffiRustFutureContinuationCallback cb, uint64_t data)
{
    pthread_mutex_lock(&mu);
    fire(cb, data); // expect: lock-callback-under-lock@5
    pthread_mutex_unlock(&mu);
}

void drop_call(UniffiForeignFutureDroppedCallbackStruct *d)
{
    pthread_rwlock_wrlock(&rw);
    d->free(d->handle); // expect: lock-callback-under-lock@5
    pthread_rwlock_unlock(&rw);
}
