/* thumbd: image thumbnails as UniFFI futures.
 *
 * The poll function drives a small state machine: open the file, read the header, decode in
 * slices. Decoding happens on the decoder thread (decoder_main); the poll function only checks
 * progress and arranges a wake. Nothing it calls may block the binding's event loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asyncabi/buffer.h"
#include "asyncabi/future.h"
#include "asyncabi/timer.h"
#include "asyncabi/waker.h"

#define THUMB_SLICE 8
#define RETRY_NS 2000000ull

enum thumb_stage { ST_OPEN, ST_HEADER, ST_DECODE, ST_DONE };

typedef struct thumb {
    enum thumb_stage stage;
    char path[256];
    int fd;
    FILE *fp;
    uint32_t width, height;
    _Atomic uint32_t rows_done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int slot_free;
    aa_waker *waker;
} thumb;

static int resolve_origin(const char *path)
{
    struct addrinfo *res = NULL;
    if (strncmp(path, "http://", 7) != 0) {
        return 0;
    }
    int rc = getaddrinfo(path + 7, "80", NULL, &res);
    if (res) {
        freeaddrinfo(res);
    }
    return rc;
}

static int thumb_open(thumb *t)
{
    if (resolve_origin(t->path) != 0) {
        return -1;
    }
    t->fd = open(t->path, O_RDONLY | O_NONBLOCK);
    return t->fd >= 0 ? 0 : -errno;
}

static int read_header(thumb *t)
{
    uint8_t hdr[16];
    long n = read(t->fd, hdr, sizeof hdr);
    if (n < (long)sizeof hdr) {
        return -1;
    }
    t->width = (uint32_t)hdr[4] << 8 | hdr[5];
    t->height = (uint32_t)hdr[6] << 8 | hdr[7];
    return 0;
}

/* The decoder thread: blocking reads are fine here. */
static void *decoder_main(void *arg)
{
    thumb *t = arg;
    uint8_t row[4096];
    while (atomic_load(&t->rows_done) < t->height) {
        if (read(t->fd, row, sizeof row) <= 0) {
            break;
        }
        atomic_fetch_add(&t->rows_done, 1);
    }
    aa_waker_wake(t->waker);
    return NULL;
}

static void start_decoder(thumb *t)
{
    pthread_t th;
    if (pthread_create(&th, NULL, decoder_main, t) == 0) {
        pthread_detach(th);
    }
}

static aa_poll thumb_poll(aa_future *future, void *state)
{
    thumb *t = state;
    switch (t->stage) {
    case ST_OPEN:
        if (thumb_open(t) != 0) { // expect: blocking-in-poll@13
            aa_future_return_unexpected(future, "cannot open");
            return AA_READY;
        }
        t->stage = ST_HEADER;
        /* fall through */
    case ST_HEADER:
        if (t->height == 0) {
            t->height = 64;
        }
        t->waker = aa_future_waker(future);
        start_decoder(t);
        t->stage = ST_DECODE;
        return AA_PENDING;
    case ST_DECODE:
        if (atomic_load(&t->rows_done) < t->height) {
            aa_timer_after(RETRY_NS, aa_waker_retain(t->waker));
            return AA_PENDING;
        }
        t->stage = ST_DONE;
        break;
    case ST_DONE:
        break;
    }
    aa_future_return_value(future, (aa_value){.u32 = t->width * t->height});
    return AA_READY;
}

static void thumb_drop(void *state)
{
    thumb *t = state;
    if (t->fd >= 0) {
        close(t->fd);
    }
    if (t->waker) {
        aa_waker_release(t->waker);
    }
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}

static const aa_future_vtable thumb_vtable = {thumb_poll, thumb_drop, "thumbnail"};

uint64_t uniffi_thumbd_fn_func_thumbnail(RustBuffer path)
{
    thumb *t = calloc(1, sizeof *t);
    if (!t) {
        aa_buffer_free(path);
        return 0;
    }
    size_t n = path.len < sizeof t->path - 1 ? (size_t)path.len : sizeof t->path - 1;
    memcpy(t->path, path.data, n);
    aa_buffer_free(path);
    t->fd = -1;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    return aa_future_new(AA_TYPE_U32, &thumb_vtable, t);
}
