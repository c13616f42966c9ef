/* A blocking read two calls below an annotated poll function. */
#include <stdint.h>
#include <unistd.h>
#include "asyncabi/annotations.h"

static long read_all(int fd, char *buf, unsigned long n)
{
    return read(fd, buf, n);
}
static long fill(int fd, char *buf) { return read_all(fd, buf, 64); }

AA_POLL_FN int my_poll(int fd, char *buf)
{
    return fill(fd, buf) > 0; // expect: blocking-in-poll@12
}
