/* Writer and reader agree on UniFFI's format for every type, bytes are big-endian as UniFFI
 * lowers them, and every kind of overrun is caught without reading past the buffer. */
#include <string.h>

#include "harness.h"

int main(void)
{
    aa_writer w;
    aa_writer_init(&w);
    aa_write_u8(&w, 0xAB);
    aa_write_i8(&w, -2);
    aa_write_u16(&w, 0x1234);
    aa_write_i16(&w, -3);
    aa_write_u32(&w, 0xDEADBEEF);
    aa_write_i32(&w, -4);
    aa_write_u64(&w, 0x0102030405060708ull);
    aa_write_i64(&w, -5);
    aa_write_f32(&w, 1.5f);
    aa_write_f64(&w, -2.25);
    aa_write_bool(&w, true);
    aa_write_bool(&w, false);
    aa_write_string(&w, "héllo", strlen("héllo"));
    aa_write_string(&w, "", 0);
    RustBuffer b = aa_writer_finish(&w);
    CHECK(w.buffer.data == NULL);
    CHECK_EQ(b.len, 1 + 1 + 2 + 2 + 4 + 4 + 8 + 8 + 4 + 8 + 1 + 1 + 4 + 6 + 4);

    /* Big-endian bytes, exactly. */
    CHECK_EQ(b.data[0], 0xAB);
    CHECK_EQ(b.data[2], 0x12);
    CHECK_EQ(b.data[3], 0x34);
    CHECK_EQ(b.data[6], 0xDE);
    CHECK_EQ(b.data[14], 0x01);
    CHECK_EQ(b.data[21], 0x08);
    /* 1.5f is 0x3FC00000 */
    CHECK_EQ(b.data[30], 0x3F);
    CHECK_EQ(b.data[31], 0xC0);

    aa_reader r;
    aa_reader_init(&r, b);
    CHECK_EQ(aa_read_u8(&r), 0xAB);
    CHECK_EQ(aa_read_i8(&r), -2);
    CHECK_EQ(aa_read_u16(&r), 0x1234);
    CHECK_EQ(aa_read_i16(&r), -3);
    CHECK_EQ(aa_read_u32(&r), 0xDEADBEEF);
    CHECK_EQ(aa_read_i32(&r), -4);
    CHECK(aa_read_u64(&r) == 0x0102030405060708ull);
    CHECK_EQ(aa_read_i64(&r), -5);
    CHECK(aa_read_f32(&r) == 1.5f);
    CHECK(aa_read_f64(&r) == -2.25);
    CHECK(aa_read_bool(&r) == true);
    CHECK(aa_read_bool(&r) == false);
    size_t len = 0;
    const char *s = aa_read_string(&r, &len);
    CHECK(s != NULL);
    CHECK_EQ(len, strlen("héllo"));
    CHECK(memcmp(s, "héllo", len) == 0);
    s = aa_read_string(&r, &len);
    CHECK(s != NULL);
    CHECK_EQ(len, 0);
    CHECK(aa_reader_done(&r));

    /* Overrun: reading past the end fails, yields zero, and stays failed. */
    CHECK_EQ(aa_read_u32(&r), 0);
    CHECK(r.failed);
    CHECK(!aa_reader_done(&r));

    /* Partial overrun: 3 bytes left, a u32 wanted. */
    aa_reader_init(&r, b);
    r.pos = b.len - 3;
    CHECK_EQ(aa_read_u32(&r), 0);
    CHECK(r.failed);
    CHECK_EQ(aa_read_u8(&r), 0); /* sticky */

    /* A string whose length claims more than is there, and a negative one. */
    aa_writer_init(&w);
    aa_write_i32(&w, 100);
    aa_write_bytes(&w, "abc", 3);
    RustBuffer bad = aa_writer_finish(&w);
    aa_reader_init(&r, bad);
    CHECK(aa_read_string(&r, &len) == NULL);
    CHECK_EQ(len, 0);
    CHECK(r.failed);
    aa_buffer_free(bad);
    aa_writer_init(&w);
    aa_write_i32(&w, -1);
    bad = aa_writer_finish(&w);
    aa_reader_init(&r, bad);
    CHECK(aa_read_string(&r, &len) == NULL);
    CHECK(r.failed);
    aa_buffer_free(bad);

    /* A bool other than 0/1 is rejected like UniFFI does. */
    aa_writer_init(&w);
    aa_write_u8(&w, 2);
    bad = aa_writer_finish(&w);
    aa_reader_init(&r, bad);
    aa_read_bool(&r);
    CHECK(r.failed);
    aa_buffer_free(bad);

    /* Empty buffer: done at once, any read fails. */
    aa_reader_init(&r, (RustBuffer){0, 0, NULL});
    CHECK(aa_reader_done(&r));
    CHECK_EQ(aa_read_u8(&r), 0);
    CHECK(r.failed);

    /* reserve keeps contents, from_bytes copies, live count tracks. */
    CHECK_EQ(aa_buffer_live_count(), 1);
    b = aa_buffer_reserve(b, 1000);
    CHECK(b.capacity >= b.len + 1000);
    CHECK_EQ(b.data[0], 0xAB);
    RustBuffer c = aa_buffer_from_bytes(b.data, b.len);
    CHECK_EQ(aa_buffer_live_count(), 2);
    CHECK(memcmp(c.data, b.data, b.len) == 0);
    aa_buffer_free(c);
    aa_buffer_free(b);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
