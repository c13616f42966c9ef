/* A foreign complete callback under a spin lock, and a waker woken under a C11 mutex. */
#include <pthread.h>
#include <stdint.h>
#include <threads.h>
#include "asyncabi/abi.h"
#include "asyncabi/waker.h"

static pthread_spinlock_t spin;
static mtx_t m;

void finish(UniffiForeignFutureCompleteVoid complete, uint64_t data, UniffiForeignFutureResultVoid r)
{
    pthread_spin_lock(&spin);
    complete(data, r); // expect: lock-callback-under-lock@5
    pthread_spin_unlock(&spin);
}

void notify(aa_waker *w)
{
    mtx_lock(&m);
    aa_waker_wake(w); // expect: lock-callback-under-lock@5
    mtx_unlock(&m);
}
