/* streamd: a byte stream read as a UniFFI future, on the asyncabi runtime.
 *
 * The future's state owns a descriptor, a chunk list, the waker of the pending poll and a
 * timer. drop() runs exactly once, in any state (after READY, after cancel, or abandoned
 * mid-way), so it releases every resource whatever the phase says.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asyncabi/buffer.h"
#include "asyncabi/future.h"
#include "asyncabi/timer.h"
#include "asyncabi/waker.h"

#define STREAM_TIMEOUT_NS 5000000000ull

enum phase { PH_NEW, PH_READING, PH_DONE };

struct chunk {
    struct chunk *next;
    size_t len;
    uint8_t *bytes;
};

typedef struct stream_state {
    enum phase phase;
    int fd;
    struct chunk *chunks;
    size_t total;
    aa_waker *waker;
    uint64_t timer;
} stream_state;

/* The reader thread (reader.c): appends chunks and wakes; sets phase = PH_DONE at EOF. */
void reader_watch(stream_state *st, aa_waker *waker);

static RustBuffer stream_collect(const stream_state *st)
{
    RustBuffer out = aa_buffer_alloc(st->total);
    size_t off = 0;
    for (const struct chunk *c = st->chunks; c; c = c->next) {
        memcpy(out.data + off, c->bytes, c->len);
        off += c->len;
    }
    out.len = off;
    return out;
}

static void stream_free_chunks(stream_state *st)
{
    struct chunk *c = st->chunks;
    while (c) {
        struct chunk *next = c->next;
        free(c->bytes);
        free(c);
        c = next;
    }
    st->chunks = NULL;
}

static aa_poll stream_poll(aa_future *future, void *state)
{
    stream_state *st = state;
    switch (st->phase) {
    case PH_NEW:
        st->waker = aa_future_waker(future);
        st->timer = aa_timer_after(STREAM_TIMEOUT_NS, aa_waker_retain(st->waker));
        reader_watch(st, st->waker);
        st->phase = PH_READING;
        return AA_PENDING;
    case PH_READING:
        return AA_PENDING;
    case PH_DONE:
        break;
    }
    aa_future_return_value(future, (aa_value){.rust_buffer = stream_collect(st)});
    return AA_READY;
}

static void stream_drop(void *state)
{
    stream_state *st = state;
    if (st->phase == PH_DONE) {
        stream_free_chunks(st);
        close(st->fd);
        free(st);
        return; // expect: free-incomplete-release@9
    }
    if (st->timer) {
        aa_timer_cancel(st->timer);
    }
    if (st->waker) {
        aa_waker_release(st->waker);
    }
    stream_free_chunks(st);
    close(st->fd);
    free(st);
}

static const aa_future_vtable stream_vtable = {stream_poll, stream_drop, "read_stream"};

uint64_t uniffi_streamd_fn_func_read_stream(int32_t fd)
{
    stream_state *st = calloc(1, sizeof *st);
    if (!st) {
        return 0;
    }
    st->fd = fd;
    st->phase = PH_NEW;
    return aa_future_new(AA_TYPE_RUST_BUFFER, &stream_vtable, st);
}
