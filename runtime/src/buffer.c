/* buffer.c: RustBuffer memory, and UniFFI's serialization format (see asyncabi/buffer.h).
 *
 * Buffers are plain malloc memory so that either side may free what the other allocated
 * through the rustbuffer scaffolding. Allocation failure aborts, as Rust's allocator does:
 * a serializer has no error path in the ABI.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/buffer.h"

/* Counts buffers whose data is non-NULL: a zero-capacity buffer owns nothing. */
/* Relaxed everywhere: a statistic, read by leak checks after every thread was joined (the
 * join orders it). */
static _Atomic uint64_t aa__buffers_live;

uint64_t aa_buffer_live_count(void)
{
    return atomic_load_explicit(&aa__buffers_live, memory_order_relaxed);
}

static void aa__oom(uint64_t size)
{
    fprintf(stderr, "asyncabi: out of memory allocating a %llu-byte RustBuffer\n",
            (unsigned long long)size);
    abort();
}

RustBuffer aa_buffer_alloc(uint64_t capacity)
{
    RustBuffer buffer = {0, 0, NULL};
    /* Never NULL, even for capacity 0: UniFFI's Rust side never hands out a NULL data pointer
     * (an empty Vec's is dangling), and UniFFI's generated Kotlin dereferences it
     * (`asByteBuffer()!!`) when it lifts an empty string. One byte stands in for the dangling one. */
    if (capacity > SIZE_MAX || (buffer.data = malloc(capacity == 0 ? 1 : (size_t)capacity)) == NULL) {
        aa__oom(capacity);
    }
    buffer.capacity = capacity;
    atomic_fetch_add_explicit(&aa__buffers_live, 1, memory_order_relaxed);
    return buffer;
}

RustBuffer aa_buffer_from_bytes(const void *data, uint64_t len)
{
    RustBuffer buffer = aa_buffer_alloc(len);
    if (len != 0) {
        memcpy(buffer.data, data, (size_t)len);
    }
    buffer.len = len;
    return buffer;
}

void aa_buffer_free(RustBuffer buffer)
{
    if (buffer.data == NULL) {
        return;
    }
    free(buffer.data);
    atomic_fetch_sub_explicit(&aa__buffers_live, 1, memory_order_relaxed);
}

RustBuffer aa_buffer_reserve(RustBuffer buffer, uint64_t additional)
{
    if (additional > UINT64_MAX - buffer.len) {
        aa__oom(UINT64_MAX);
    }
    uint64_t needed = buffer.len + additional;
    if (needed <= buffer.capacity) {
        return buffer;
    }
    /* Doubling keeps a writer's appends amortised O(1). */
    uint64_t capacity = buffer.capacity * 2 > needed ? buffer.capacity * 2 : needed;
    if (capacity < 16) {
        capacity = 16;
    }
    if (capacity > SIZE_MAX) {
        aa__oom(capacity);
    }
    uint8_t *data = realloc(buffer.data, (size_t)capacity);
    if (data == NULL) {
        aa__oom(capacity);
    }
    if (buffer.data == NULL) {
        atomic_fetch_add_explicit(&aa__buffers_live, 1, memory_order_relaxed);
    }
    buffer.data = data;
    buffer.capacity = capacity;
    return buffer;
}

/* --- Writer --- */

void aa_writer_init(aa_writer *w)
{
    w->buffer = (RustBuffer){0, 0, NULL};
}

void aa_write_bytes(aa_writer *w, const void *data, size_t len)
{
    if (len == 0) {
        return;
    }
    w->buffer = aa_buffer_reserve(w->buffer, len);
    memcpy(w->buffer.data + w->buffer.len, data, len);
    w->buffer.len += len;
}

static void aa__write_be(aa_writer *w, uint64_t v, unsigned size)
{
    uint8_t bytes[8];
    for (unsigned i = 0; i < size; i++) {
        bytes[i] = (uint8_t)(v >> (8 * (size - 1 - i)));
    }
    aa_write_bytes(w, bytes, size);
}

void aa_write_u8(aa_writer *w, uint8_t v) { aa__write_be(w, v, 1); }
void aa_write_i8(aa_writer *w, int8_t v) { aa__write_be(w, (uint8_t)v, 1); }
void aa_write_u16(aa_writer *w, uint16_t v) { aa__write_be(w, v, 2); }
void aa_write_i16(aa_writer *w, int16_t v) { aa__write_be(w, (uint16_t)v, 2); }
void aa_write_u32(aa_writer *w, uint32_t v) { aa__write_be(w, v, 4); }
void aa_write_i32(aa_writer *w, int32_t v) { aa__write_be(w, (uint32_t)v, 4); }
void aa_write_u64(aa_writer *w, uint64_t v) { aa__write_be(w, v, 8); }
void aa_write_i64(aa_writer *w, int64_t v) { aa__write_be(w, (uint64_t)v, 8); }

void aa_write_f32(aa_writer *w, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    aa__write_be(w, bits, 4);
}

void aa_write_f64(aa_writer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    aa__write_be(w, bits, 8);
}

void aa_write_bool(aa_writer *w, bool v) { aa__write_be(w, v ? 1 : 0, 1); }

void aa_write_string(aa_writer *w, const char *utf8, size_t len)
{
    aa_write_i32(w, (int32_t)len);
    aa_write_bytes(w, utf8, len);
}

RustBuffer aa_writer_finish(aa_writer *w)
{
    RustBuffer buffer = w->buffer;
    aa_writer_init(w);
    return buffer.data != NULL ? buffer : aa_buffer_alloc(0);  /* never NULL (aa_buffer_alloc) */
}

/* --- Reader --- */

void aa_reader_init(aa_reader *r, RustBuffer buffer)
{
    r->data = buffer.data;
    r->len = buffer.data == NULL ? 0 : buffer.len;
    r->pos = 0;
    r->failed = false;
}

/* Returns the next `size` bytes, or NULL (and marks the reader failed) on overrun. */
static const uint8_t *aa__take(aa_reader *r, uint64_t size)
{
    if (r->failed || size > r->len - r->pos) {
        r->failed = true;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += size;
    return p;
}

static uint64_t aa__read_be(aa_reader *r, unsigned size)
{
    const uint8_t *p = aa__take(r, size);
    uint64_t v = 0;
    if (p == NULL) {
        return 0;
    }
    for (unsigned i = 0; i < size; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

uint8_t aa_read_u8(aa_reader *r) { return (uint8_t)aa__read_be(r, 1); }
int8_t aa_read_i8(aa_reader *r) { return (int8_t)aa__read_be(r, 1); }
uint16_t aa_read_u16(aa_reader *r) { return (uint16_t)aa__read_be(r, 2); }
int16_t aa_read_i16(aa_reader *r) { return (int16_t)aa__read_be(r, 2); }
uint32_t aa_read_u32(aa_reader *r) { return (uint32_t)aa__read_be(r, 4); }
int32_t aa_read_i32(aa_reader *r) { return (int32_t)aa__read_be(r, 4); }
uint64_t aa_read_u64(aa_reader *r) { return aa__read_be(r, 8); }
int64_t aa_read_i64(aa_reader *r) { return (int64_t)aa__read_be(r, 8); }

float aa_read_f32(aa_reader *r)
{
    uint32_t bits = (uint32_t)aa__read_be(r, 4);
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

double aa_read_f64(aa_reader *r)
{
    uint64_t bits = aa__read_be(r, 8);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

bool aa_read_bool(aa_reader *r)
{
    uint8_t v = aa_read_u8(r);
    if (v > 1) {
        /* UniFFI rejects anything but 0 and 1. */
        r->failed = true;
        return false;
    }
    return v == 1;
}

const char *aa_read_string(aa_reader *r, size_t *len)
{
    int32_t n = aa_read_i32(r);
    if (n < 0) {
        r->failed = true;
    }
    /* After a successful i32 read data is non-NULL, so "" reads as a valid empty string. */
    const uint8_t *p = r->failed ? NULL : aa__take(r, (uint64_t)n);
    if (len != NULL) {
        *len = p == NULL ? 0 : (size_t)n;
    }
    return (const char *)p;
}

bool aa_reader_done(const aa_reader *r)
{
    return !r->failed && r->pos == r->len;
}
