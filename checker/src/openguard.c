/* The open(2) that libclang's file manager calls, inside a worker process: a file that is not
 * regular (a FIFO would block the parse forever, /dev/zero never ends and eats memory) is
 * refused before it is opened, so `#include "/dev/zero"` becomes a clang error. Outside
 * workers (and for anything but read-only opens) it is the plain system call. The executable
 * exports this symbol so that libLLVM's calls bind to it (CMakeLists.txt). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "openguard.h"

static volatile int guard_on;
static atomic_int inside; /* guarded opens running (left set by a fault inside one) */

void aac_open_guard(int on)
{
    guard_on = on;
}

int aac_open_guard_inside(void)
{
    return atomic_load_explicit(&inside, memory_order_relaxed);
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | __O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (guard_on && (flags & O_ACCMODE) == O_RDONLY && !(flags & O_DIRECTORY)) {
        /* O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; then
         * fstat (no second path walk) says what it is */
        atomic_fetch_add_explicit(&inside, 1, memory_order_relaxed);
        int fd = (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_NONBLOCK, mode);
        struct stat st;
        int refuse = fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) &&
                     !S_ISDIR(st.st_mode);
        if (refuse) {
            close(fd);
        }
        atomic_fetch_sub_explicit(&inside, 1, memory_order_relaxed);
        if (refuse) {
            errno = ENODEV;
            return -1;
        }
        return fd; /* O_NONBLOCK changes nothing for regular files and directories */
    }
    return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}
