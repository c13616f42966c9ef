/* rpc-c: a blocking C client over the async methods of the `rpc` library's Client object.
 *
 * Each call waits for its continuation with a timeout; a call that times out is cancelled and
 * then driven to its end (cancellation also ends with READY, status 3), so that complete and
 * free always run, in that order, exactly once.
 */
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "asyncabi/abi.h"

#define RPC_POLL_READY 0
#define RPC_TIMEOUT_S 2

uint64_t uniffi_rpc_fn_method_client_echo(uint64_t self, RustBuffer msg);
uint64_t uniffi_rpc_fn_method_client_stat(uint64_t self, uint32_t key);
void ffi_rpc_rust_future_poll_rust_buffer(uint64_t handle,
                                          UniffiRustFutureContinuationCallback callback,
                                          uint64_t callback_data);
void ffi_rpc_rust_future_cancel_rust_buffer(uint64_t handle);
RustBuffer ffi_rpc_rust_future_complete_rust_buffer(uint64_t handle, RustCallStatus *status);
void ffi_rpc_rust_future_free_rust_buffer(uint64_t handle);

struct pending_call {
    uint64_t fut;
    int8_t code;
    sem_t sem;
};

static void on_cont(uint64_t data, int8_t code)
{
    struct pending_call *pc = (struct pending_call *)(uintptr_t)data;
    pc->code = code;
    sem_post(&pc->sem);
}

/* Polls until READY; 0 when READY, -1 when a wait timed out (then the call is still running). */
static int call_wait(struct pending_call *pc, int timeout_s)
{
    do {
        ffi_rpc_rust_future_poll_rust_buffer(pc->fut, on_cont, (uint64_t)(uintptr_t)pc);
        if (timeout_s < 0) {
            sem_wait(&pc->sem);
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += timeout_s;
            if (sem_timedwait(&pc->sem, &ts) != 0) {
                return -1;
            }
        }
    } while (pc->code != RPC_POLL_READY);
    return 0;
}

static void call_end(struct pending_call *pc)
{
    ffi_rpc_rust_future_free_rust_buffer(pc->fut);
    sem_destroy(&pc->sem);
}

int rpc_echo(uint64_t client, RustBuffer msg, RustBuffer *out)
{
    struct pending_call pc;
    sem_init(&pc.sem, 0, 0);
    pc.fut = uniffi_rpc_fn_method_client_echo(client, msg);
    if (call_wait(&pc, RPC_TIMEOUT_S) != 0) {
        ffi_rpc_rust_future_cancel_rust_buffer(pc.fut);
        call_wait(&pc, -1);
    }
    RustCallStatus st = {0};
    *out = ffi_rpc_rust_future_complete_rust_buffer(pc.fut, &st);
    call_end(&pc);
    return st.code;
}

int rpc_stat(uint64_t client, uint32_t key, RustBuffer *out)
{
    struct pending_call pc;
    sem_init(&pc.sem, 0, 0);
    pc.fut = uniffi_rpc_fn_method_client_stat(client, key);
    ffi_rpc_rust_future_poll_rust_buffer(pc.fut, on_cont, (uint64_t)(uintptr_t)&pc);
    sem_wait(&pc.sem);
    RustCallStatus st = {0};
    *out = ffi_rpc_rust_future_complete_rust_buffer(pc.fut, &st); // expect: binding-complete-before-ready@12
    call_end(&pc);
    return st.code;
}

/* Echoes each message in turn; stops at the first call that does not succeed. */
int rpc_echo_all(uint64_t client, RustBuffer *msgs, size_t n, RustBuffer *outs)
{
    for (size_t i = 0; i < n; i++) {
        int rc = rpc_echo(client, msgs[i], &outs[i]);
        if (rc != UNIFFI_CALL_SUCCESS) {
            return rc;
        }
    }
    return UNIFFI_CALL_SUCCESS;
}
