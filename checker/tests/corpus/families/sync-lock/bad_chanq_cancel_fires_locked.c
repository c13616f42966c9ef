/* chanq: a bounded channel whose recv is a UniFFI future, written without the runtime.
 *
 * A hand-rolled scheduler per receive: the continuation is stored under q->mu and invoked
 * after the lock is released, as UniFFI's own scheduler does, so that a binding taking its
 * runtime lock in the callback cannot deadlock against a thread sending into the queue.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/abi.h"

#define CHAN_CAP 64
#define WAKE UNIFFI_RUST_FUTURE_POLL_WAKE
#define READY UNIFFI_RUST_FUTURE_POLL_READY

typedef struct chan {
    pthread_mutex_t mu;
    uint64_t items[CHAN_CAP];
    uint32_t head, count;
    UniffiRustFutureContinuationCallback cb;
    uint64_t cb_data;
    int cancelled;
} chan;

static chan *chan_of(uint64_t handle)
{
    return (chan *)(uintptr_t)handle;
}

static void chan_lock(chan *q)
{
    pthread_mutex_lock(&q->mu);
}

static void chan_unlock(chan *q)
{
    pthread_mutex_unlock(&q->mu);
}

static void fire(UniffiRustFutureContinuationCallback cb, uint64_t data, int8_t code)
{
    if (cb) {
        cb(data, code);
    }
}

int chan_send(chan *q, uint64_t v)
{
    chan_lock(q);
    if (q->count == CHAN_CAP) {
        chan_unlock(q);
        return -1;
    }
    q->items[(q->head + q->count) % CHAN_CAP] = v;
    q->count++;
    UniffiRustFutureContinuationCallback cb = q->cb;
    uint64_t data = q->cb_data;
    q->cb = NULL;
    chan_unlock(q);
    fire(cb, data, WAKE);
    return 0;
}

void ffi_chanq_rust_future_poll_u64(uint64_t handle, UniffiRustFutureContinuationCallback callback,
                                    uint64_t callback_data)
{
    chan *q = chan_of(handle);
    chan_lock(q);
    if (q->count > 0 || q->cancelled) {
        chan_unlock(q);
        callback(callback_data, READY);
        return;
    }
    UniffiRustFutureContinuationCallback old = q->cb;
    uint64_t old_data = q->cb_data;
    q->cb = callback;
    q->cb_data = callback_data;
    chan_unlock(q);
    fire(old, old_data, WAKE); /* a second poll: the stored continuation is woken */
}

void ffi_chanq_rust_future_cancel_u64(uint64_t handle)
{
    chan *q = chan_of(handle);
    chan_lock(q);
    q->cancelled = 1;
    if (q->cb) {
        q->cb(q->cb_data, READY); // expect: lock-callback-under-lock@9
        q->cb = NULL;
    }
    chan_unlock(q);
}

uint64_t ffi_chanq_rust_future_complete_u64(uint64_t handle, RustCallStatus *status)
{
    chan *q = chan_of(handle);
    uint64_t v = 0;
    chan_lock(q);
    if (q->cancelled) {
        status->code = UNIFFI_CALL_CANCELLED;
    } else if (q->count > 0) {
        v = q->items[q->head];
        q->head = (q->head + 1) % CHAN_CAP;
        q->count--;
    }
    chan_unlock(q);
    return v;
}

void ffi_chanq_rust_future_free_u64(uint64_t handle)
{
    chan *q = chan_of(handle);
    chan_lock(q);
    UniffiRustFutureContinuationCallback cb = q->cb;
    uint64_t data = q->cb_data;
    q->cb = NULL;
    chan_unlock(q);
    fire(cb, data, READY);
    pthread_mutex_destroy(&q->mu);
    free(q);
}
