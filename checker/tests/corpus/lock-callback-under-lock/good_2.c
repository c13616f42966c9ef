/* An early-return path unlocks before calling back; the other path calls back unlocked. */
#include <pthread.h>
#include <stdint.h>
#include "asyncabi/abi.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int cancelled;

void poll_once(UniffiRustFutureContinuationCallback cb, uint64_t data)
{
    pthread_mutex_lock(&mu);
    if (cancelled) {
        pthread_mutex_unlock(&mu);
        cb(data, UNIFFI_RUST_FUTURE_POLL_READY);
        return;
    }
    pthread_mutex_unlock(&mu);
    cb(data, UNIFFI_RUST_FUTURE_POLL_WAKE);
}
