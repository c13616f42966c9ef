/* blobstore: put and get of blobs on a remote store, as async UniFFI exports.
 *
 * Each request owns an I/O block (struct blob_io) that the network thread fills; the
 * request's future polls it. Buffers travel as RustBuffer and are released with
 * aa_buffer_free once copied.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/buffer.h"
#include "asyncabi/future.h"
#include "asyncabi/waker.h"

#define BLOB_CHUNK 4096
#define BLOB_OK 0
#define BLOB_E_NOTFOUND 2

struct blob_io {
    char *buf;
    size_t len, cap;
    _Atomic int status; /* -1 while running */
};

struct blob_ctx {
    const char *bucket;
    uint32_t timeout_ms;
};

typedef struct blob_req {
    char key[64];
    struct blob_io *io;
    struct blob_ctx *ctx;
    aa_waker *waker;
} blob_req;

/* The network thread (net.c). */
void blob_net_start(blob_req *req, aa_waker *waker);
struct blob_ctx *blob_default_ctx(void);

static aa_poll blob_poll(aa_future *future, void *state)
{
    blob_req *req = state;
    int status = atomic_load_explicit(&req->io->status, memory_order_acquire);
    if (status < 0) {
        if (!req->waker) {
            req->waker = aa_future_waker(future);
            blob_net_start(req, req->waker);
        }
        return AA_PENDING;
    }
    if (status == BLOB_E_NOTFOUND) {
        aa_future_return_error(future, aa_buffer_from_bytes("notfound", 8));
        return AA_READY;
    }
    aa_future_return_value(future,
                           (aa_value){.rust_buffer = aa_buffer_from_bytes(req->io->buf, req->io->len)});
    return AA_READY;
}

static void blob_drop(void *state)
{
    blob_req *req = state;
    if (req->waker) {
        aa_waker_release(req->waker);
    }
    if (req->io) {
        free(req->io->buf);
        free(req->io);
    }
    free(req);
}

static const aa_future_vtable blob_vtable = {.poll = blob_poll, .drop = blob_drop,
                                             .name = "blob_get"};

static blob_req *blob_req_new(RustBuffer key)
{
    blob_req *req = calloc(1, sizeof *req);
    if (!req) {
        return NULL;
    }
    size_t n = key.len < sizeof req->key - 1 ? (size_t)key.len : sizeof req->key - 1;
    memcpy(req->key, key.data, n);
    req->io = calloc(1, sizeof *req->io);
    if (!req->io) {
        free(req);
        return NULL;
    }
    atomic_init(&req->io->status, -1);
    req->ctx = blob_default_ctx();
    return req;
}

uint64_t uniffi_blobstore_fn_func_get(RustBuffer key)
{
    blob_req *req = blob_req_new(key);
    aa_buffer_free(key);
    if (!req) {
        return 0;
    }
    req->io->cap = BLOB_CHUNK;
    req->io->buf = malloc(req->io->cap);
    return aa_future_new(AA_TYPE_RUST_BUFFER, &blob_vtable, req);
}

uint64_t uniffi_blobstore_fn_func_get_small(RustBuffer key, uint32_t max)
{
    struct blob_ctx ctx = {"small", 500};
    blob_req *req = blob_req_new(key);
    aa_buffer_free(key);
    if (!req) {
        return 0;
    }
    req->io->cap = max < BLOB_CHUNK ? max : BLOB_CHUNK;
    req->io->buf = calloc(1, req->io->cap);
    req->ctx = &ctx; // expect: send-automatic-address@5
    return aa_future_new(AA_TYPE_RUST_BUFFER, &blob_vtable, req);
}
