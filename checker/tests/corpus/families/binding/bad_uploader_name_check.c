/* uploader: uploads files through the `store` library's async exports, one context per
 * upload, several uploads in flight. The context owns the future handle until upload_finish()
 * completes and frees it; the continuation only queues the context for the uploader thread.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/abi.h"

#define STORE_POLL_READY 0

uint64_t uniffi_store_fn_func_upload(RustBuffer name, RustBuffer body);
void ffi_store_rust_future_poll_u64(uint64_t handle, UniffiRustFutureContinuationCallback callback,
                                    uint64_t callback_data);
uint64_t ffi_store_rust_future_complete_u64(uint64_t handle, RustCallStatus *status);
void ffi_store_rust_future_free_u64(uint64_t handle);

struct upload {
    uint64_t fut;
    int8_t last_code;
    char name[128];
    struct upload *next;
};

static pthread_mutex_t ready_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static struct upload *ready_list;
static struct upload *in_flight;

static void on_upload(uint64_t data, int8_t code)
{
    struct upload *u = (struct upload *)(uintptr_t)data;
    pthread_mutex_lock(&ready_mu);
    u->last_code = code;
    u->next = ready_list;
    ready_list = u;
    pthread_mutex_unlock(&ready_mu);
    pthread_cond_signal(&ready_cv);
}

static RustBuffer buffer_of(const char *s)
{
    size_t n = strlen(s);
    RustBuffer b = {n, n, malloc(n ? n : 1)};
    if (b.data) {
        memcpy(b.data, s, n);
    }
    return b;
}

/* Called by the uploader thread for a context whose continuation said READY. */
uint64_t upload_finish(struct upload *u, int *status)
{
    RustCallStatus st = {0};
    uint64_t bytes = ffi_store_rust_future_complete_u64(u->fut, &st);
    ffi_store_rust_future_free_u64(u->fut);
    *status = st.code;
    free(u);
    return bytes;
}

int upload_start(const char *name, const char *body)
{
    if (strlen(name) >= sizeof ((struct upload *)0)->name) {
        return -1;
    }
    struct upload *u = calloc(1, sizeof *u);
    if (!u) {
        return -1;
    }
    u->fut = uniffi_store_fn_func_upload(buffer_of(name), buffer_of(body));
    if (!u->fut) {
        free(u);
        return -1;
    }
    if (snprintf(u->name, sizeof u->name, "%s", name) < 0) {
        free(u);
        return -1; // expect: binding-handle-leak@9
    }
    ffi_store_rust_future_poll_u64(u->fut, on_upload, (uint64_t)(uintptr_t)u);
    u->next = in_flight;
    in_flight = u;
    return 0;
}

/* The uploader thread's loop: poll again on WAKE, finish on READY. */
void *uploader_main(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&ready_mu);
        while (!ready_list) {
            pthread_cond_wait(&ready_cv, &ready_mu);
        }
        struct upload *u = ready_list;
        ready_list = u->next;
        pthread_mutex_unlock(&ready_mu);
        if (u->last_code == STORE_POLL_READY) {
            int status;
            uint64_t bytes = upload_finish(u, &status);
            fprintf(stderr, "uploaded %llu bytes (status %d)\n", (unsigned long long)bytes,
                    status);
        } else {
            ffi_store_rust_future_poll_u64(u->fut, on_upload, (uint64_t)(uintptr_t)u);
        }
    }
    return NULL;
}
