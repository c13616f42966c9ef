/* A tiny user of an installed libasyncabi: a UniFFI buffer round trip and the clock. */
#include <asyncabi/asyncabi.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    aa_writer w;
    aa_writer_init(&w);
    aa_write_u32(&w, 0xA5C0FFEEu);
    aa_write_string(&w, "installed", 9);
    RustBuffer buffer = aa_writer_finish(&w);
    aa_reader r;
    aa_reader_init(&r, buffer);
    uint32_t number = aa_read_u32(&r);
    int ok = number == 0xA5C0FFEEu && !r.failed && aa_now_ns() > 0;
    aa_buffer_free(buffer);
    ok = ok && aa_buffer_live_count() == 0;
    printf("consumer: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
