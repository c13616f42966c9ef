/* asyncabi/buffer.h: RustBuffer allocation, and UniFFI's serialization into a RustBuffer.
 *
 * Serialization follows UniFFI's lowering: integers big-endian, floats as their IEEE bits
 * big-endian, bool as one byte, strings as i32 length then UTF-8, Option as a 0/1 byte then
 * the value, enums and errors as a 1-based i32 variant index then the fields.
 */
#ifndef ASYNCABI_BUFFER_H
#define ASYNCABI_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asyncabi/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Allocates a zero-length buffer of `capacity` bytes; data is never NULL (as UniFFI's). */
RustBuffer aa_buffer_alloc(uint64_t capacity);
/* Returns a buffer holding a copy of `len` bytes at `data`. */
RustBuffer aa_buffer_from_bytes(const void *data, uint64_t len);
/* Frees a buffer made by this runtime (or by the binding through rustbuffer_alloc). */
void aa_buffer_free(RustBuffer buffer);
/* Grows `buffer` so that `additional` more bytes fit after len; returns the new buffer. */
RustBuffer aa_buffer_reserve(RustBuffer buffer, uint64_t additional);
/* Number of buffers allocated and not yet freed (for leak tests). */
uint64_t aa_buffer_live_count(void);

/* A writer appends UniFFI-serialized values to a growing buffer. */
typedef struct aa_writer {
    RustBuffer buffer;
} aa_writer;

/* Starts an empty writer. */
void aa_writer_init(aa_writer *w);
/* Appends raw bytes. */
void aa_write_bytes(aa_writer *w, const void *data, size_t len);
/* Appends an integer big-endian. */
void aa_write_u8(aa_writer *w, uint8_t v);
void aa_write_i8(aa_writer *w, int8_t v);
void aa_write_u16(aa_writer *w, uint16_t v);
void aa_write_i16(aa_writer *w, int16_t v);
void aa_write_u32(aa_writer *w, uint32_t v);
void aa_write_i32(aa_writer *w, int32_t v);
void aa_write_u64(aa_writer *w, uint64_t v);
void aa_write_i64(aa_writer *w, int64_t v);
/* Appends the IEEE-754 bits big-endian. */
void aa_write_f32(aa_writer *w, float v);
void aa_write_f64(aa_writer *w, double v);
/* Appends a bool as one byte (0 or 1). */
void aa_write_bool(aa_writer *w, bool v);
/* Appends a string as i32 length then the bytes. */
void aa_write_string(aa_writer *w, const char *utf8, size_t len);
/* Returns the finished buffer; the writer is empty afterwards. */
RustBuffer aa_writer_finish(aa_writer *w);

/* A reader consumes UniFFI-serialized values; any overrun sets `failed` and yields zeros. */
typedef struct aa_reader {
    const uint8_t *data;
    uint64_t len;
    uint64_t pos;
    bool failed;
} aa_reader;

/* Starts reading `buffer` (not owned). */
void aa_reader_init(aa_reader *r, RustBuffer buffer);
uint8_t aa_read_u8(aa_reader *r);
int8_t aa_read_i8(aa_reader *r);
uint16_t aa_read_u16(aa_reader *r);
int16_t aa_read_i16(aa_reader *r);
uint32_t aa_read_u32(aa_reader *r);
int32_t aa_read_i32(aa_reader *r);
uint64_t aa_read_u64(aa_reader *r);
int64_t aa_read_i64(aa_reader *r);
float aa_read_f32(aa_reader *r);
double aa_read_f64(aa_reader *r);
bool aa_read_bool(aa_reader *r);
/* Reads an i32-length-prefixed string; returns a pointer into the buffer (not NUL-terminated)
 * and its length in *len, or NULL on overrun. */
const char *aa_read_string(aa_reader *r, size_t *len);
/* True when every byte was consumed and nothing overran. */
bool aa_reader_done(const aa_reader *r);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_BUFFER_H */
