/* A small C binding that drives async exports of the `geo` library from an event loop.
 *
 * Each pending call has a slot; the continuation records the poll code and queues the slot
 * on the loop's ready list, then the loop thread polls again or completes. Continuations may
 * run on any thread, often inside poll itself: they must only record and signal.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "asyncabi/abi.h"

#define POLL_READY UNIFFI_RUST_FUTURE_POLL_READY

uint64_t uniffi_geo_fn_func_locate(RustBuffer query);
void ffi_geo_rust_future_poll_rust_buffer(uint64_t handle,
                                          UniffiRustFutureContinuationCallback callback,
                                          uint64_t callback_data);
RustBuffer ffi_geo_rust_future_complete_rust_buffer(uint64_t handle, RustCallStatus *status);
void ffi_geo_rust_future_free_rust_buffer(uint64_t handle);

struct slot {
    uint64_t handle;
    int8_t code;
    struct slot *next;
    pthread_t helper;
    int has_helper;
};

struct loop {
    pthread_mutex_t mu;
    struct slot *ready;
    sem_t wakeup;
    FILE *log;
};

static struct loop g_loop;

static void loop_push_ready(struct slot *s)
{
    pthread_mutex_lock(&g_loop.mu);
    s->next = g_loop.ready;
    g_loop.ready = s;
    pthread_mutex_unlock(&g_loop.mu);
}

static void log_event(const char *what, uint64_t handle)
{
    if (g_loop.log) {
        fprintf(g_loop.log, "%s %llu\n", what, (unsigned long long)handle);
    }
}

static void on_geo_wake(uint64_t data, int8_t poll_result)
{
    struct slot *s = (struct slot *)(uintptr_t)data;
    s->code = poll_result;
    loop_push_ready(s); /* logged by the loop thread, which may block on the file */
    sem_post(&g_loop.wakeup);
}

static struct slot *loop_pop_ready(void)
{
    pthread_mutex_lock(&g_loop.mu);
    struct slot *s = g_loop.ready;
    if (s) {
        g_loop.ready = s->next;
    }
    pthread_mutex_unlock(&g_loop.mu);
    return s;
}

/* Runs on the loop thread: waiting here is the loop's job. */
int geo_run_one(RustBuffer query, RustBuffer *out)
{
    struct slot *s = calloc(1, sizeof *s);
    if (!s) {
        return -1;
    }
    s->handle = uniffi_geo_fn_func_locate(query);
    ffi_geo_rust_future_poll_rust_buffer(s->handle, on_geo_wake, (uint64_t)(uintptr_t)s);
    for (;;) {
        sem_wait(&g_loop.wakeup);
        struct slot *r = loop_pop_ready();
        if (!r) {
            continue;
        }
        if (r->code == POLL_READY) {
            break;
        }
        ffi_geo_rust_future_poll_rust_buffer(r->handle, on_geo_wake, (uint64_t)(uintptr_t)r);
    }
    RustCallStatus st = {0};
    *out = ffi_geo_rust_future_complete_rust_buffer(s->handle, &st);
    ffi_geo_rust_future_free_rust_buffer(s->handle);
    free(s);
    return st.code;
}
