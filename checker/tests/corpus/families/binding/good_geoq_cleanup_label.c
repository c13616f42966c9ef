/* geoq: a batch geocoder in C on top of the `geo` library's async exports.
 *
 * Requests are kept in a table until their future reports READY; the continuation only
 * records the code and posts the batch's semaphore. Handles are plain uint64_t values here.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/abi.h"

#define GEO_POLL_READY 0
#define GEO_MAX_PENDING 32

uint64_t uniffi_geo_fn_func_geocode(RustBuffer address);
void ffi_geo_rust_future_poll_u64(uint64_t handle, UniffiRustFutureContinuationCallback callback,
                                  uint64_t callback_data);
void ffi_geo_rust_future_cancel_u64(uint64_t handle);
uint64_t ffi_geo_rust_future_complete_u64(uint64_t handle, RustCallStatus *status);
void ffi_geo_rust_future_free_u64(uint64_t handle);

struct waiter {
    sem_t sem;
    int8_t code;
};

struct geo_req {
    uint64_t handle;
    int id;
};

static uint64_t pending[GEO_MAX_PENDING];
static int npending;

static void on_geo(uint64_t data, int8_t code)
{
    struct waiter *w = (struct waiter *)(uintptr_t)data;
    w->code = code;
    sem_post(&w->sem);
}

static int8_t wait_code(struct waiter *w)
{
    sem_wait(&w->sem);
    return w->code;
}

static void log_handle(const char *what, uint64_t h)
{
    fprintf(stderr, "geoq: %s %llu\n", what, (unsigned long long)h);
}

static void request_done(struct geo_req *req)
{
    ffi_geo_rust_future_free_u64(req->handle);
    req->id = -1;
}

int geo_lookup(RustBuffer address, uint64_t *cell)
{
    struct waiter w;
    sem_init(&w.sem, 0, 0);
    RustCallStatus st = {0};
    uint64_t h = uniffi_geo_fn_func_geocode(address);
    log_handle("start", h);
    for (int rounds = 0;; rounds++) {
        if (rounds > 1000) {
            st.code = UNIFFI_CALL_UNEXPECTED_ERROR;
            goto out;
        }
        ffi_geo_rust_future_poll_u64(h, on_geo, (uint64_t)(uintptr_t)&w);
        if (wait_code(&w) == GEO_POLL_READY) {
            break;
        }
    }
    *cell = ffi_geo_rust_future_complete_u64(h, &st);
out:
    ffi_geo_rust_future_free_u64(h);
    sem_destroy(&w.sem);
    return st.code;
}

int geo_lookup_req(struct geo_req *req, RustBuffer address, uint64_t *cell)
{
    struct waiter w;
    sem_init(&w.sem, 0, 0);
    req->handle = uniffi_geo_fn_func_geocode(address);
    do {
        ffi_geo_rust_future_poll_u64(req->handle, on_geo, (uint64_t)(uintptr_t)&w);
    } while (wait_code(&w) != GEO_POLL_READY);
    RustCallStatus st = {0};
    *cell = ffi_geo_rust_future_complete_u64(req->handle, &st);
    request_done(req);
    sem_destroy(&w.sem);
    return st.code;
}

/* Starts a lookup and leaves it in the pending table; geo_collect() finishes it. */
int geo_start(RustBuffer address)
{
    if (npending == GEO_MAX_PENDING) {
        return -1;
    }
    uint64_t h = uniffi_geo_fn_func_geocode(address);
    pending[npending++] = h;
    return npending - 1;
}
