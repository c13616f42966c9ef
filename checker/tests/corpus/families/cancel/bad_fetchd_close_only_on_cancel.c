/* fetchd: an HTTP fetch exported as a UniFFI future, without the asyncabi runtime.
 *
 * The handle is the address of a fetch_op. A worker thread performs the request and stores
 * the continuation's READY under the op's mutex; the four rust_future functions of the
 * rust_buffer family are written out here. cancel only flags the op: free always follows and
 * releases everything, in whatever state the op is.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asyncabi/abi.h"

enum { OP_RUNNING = 0, OP_DONE = 1, OP_CANCELLED = 2, OP_IDLE = 3 };
#define POLL_READY UNIFFI_RUST_FUTURE_POLL_READY
#define POLL_WAKE UNIFFI_RUST_FUTURE_POLL_WAKE

typedef struct fetch_op {
    pthread_mutex_t mu;
    UniffiRustFutureContinuationCallback cb;
    uint64_t cb_data;
    _Atomic int state;
    int fd;
    char *buf;
    size_t len;
    pthread_t worker;
} fetch_op;

static fetch_op *op_from_handle(uint64_t handle)
{
    return (fetch_op *)(uintptr_t)handle;
}

static void op_close_conn(fetch_op *op)
{
    if (op->fd >= 0) {
        close(op->fd);
        op->fd = -1;
    }
}

static void op_stop_worker(fetch_op *op)
{
    atomic_store(&op->state, OP_CANCELLED);
    pthread_join(op->worker, NULL);
}

static void op_destroy(fetch_op *op)
{
    pthread_mutex_destroy(&op->mu);
    free(op->buf);
    free(op);
}

/* Takes the stored continuation (under the lock) and calls it outside the lock. */
static void op_fire(fetch_op *op, int8_t code)
{
    pthread_mutex_lock(&op->mu);
    UniffiRustFutureContinuationCallback cb = op->cb;
    uint64_t data = op->cb_data;
    op->cb = NULL;
    pthread_mutex_unlock(&op->mu);
    if (cb) {
        cb(data, code);
    }
}

void ffi_fetchd_rust_future_poll_rust_buffer(uint64_t handle,
                                             UniffiRustFutureContinuationCallback callback,
                                             uint64_t callback_data)
{
    fetch_op *op = op_from_handle(handle);
    if (atomic_load(&op->state) != OP_RUNNING) {
        callback(callback_data, POLL_READY);
        return;
    }
    pthread_mutex_lock(&op->mu);
    op->cb = callback;
    op->cb_data = callback_data;
    pthread_mutex_unlock(&op->mu);
}

void ffi_fetchd_rust_future_cancel_rust_buffer(uint64_t handle)
{
    fetch_op *op = op_from_handle(handle);
    atomic_store(&op->state, OP_CANCELLED);
    op_close_conn(op); // expect: cancel-only-release@5
    op_fire(op, POLL_READY);
}

RustBuffer ffi_fetchd_rust_future_complete_rust_buffer(uint64_t handle, RustCallStatus *status)
{
    fetch_op *op = op_from_handle(handle);
    RustBuffer out = {0, 0, NULL};
    if (atomic_load(&op->state) == OP_CANCELLED) {
        status->code = UNIFFI_CALL_CANCELLED;
        return out;
    }
    out.data = (uint8_t *)op->buf;
    out.len = op->len;
    out.capacity = op->len;
    op->buf = NULL;
    return out;
}

void ffi_fetchd_rust_future_free_rust_buffer(uint64_t handle)
{
    fetch_op *op = op_from_handle(handle);
    op_fire(op, POLL_READY);
    op_destroy(op);
}
