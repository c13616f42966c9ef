/* Safe file reading, UTF-8 escaping and glob matching. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *aac_file_kind(mode_t mode)
{
    return S_ISDIR(mode)    ? "a directory"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
           : S_ISREG(mode)  ? "a regular file"
                            : "not a regular file";
}

static void lower_first(char *s)
{
    if (s[0] >= 'A' && s[0] <= 'Z') {
        s[0] = (char)(s[0] - 'A' + 'a');
    }
}

char *aac_read_file(const char *path, size_t max, size_t *len, char *why, size_t whysz)
{
    /* O_NONBLOCK: opening a FIFO for reading must not wait for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(why, whysz, "%s", strerror(errno));
        lower_first(why);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(why, whysz, "%s", strerror(errno));
        lower_first(why);
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, whysz, "is %s, not a regular file", aac_file_kind(st.st_mode));
        close(fd);
        return NULL;
    }
    if ((unsigned long long)st.st_size > max) {
        snprintf(why, whysz, "is larger than %zu MB", max >> 20);
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        snprintf(why, whysz, "out of memory");
        close(fd);
        return NULL;
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > max) {
                snprintf(why, whysz, "grew beyond %zu MB while being read", max >> 20);
                free(buf);
                close(fd);
                return NULL;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                close(fd);
                snprintf(why, whysz, "out of memory");
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            snprintf(why, whysz, "%s", strerror(errno));
            lower_first(why);
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    if (len) {
        *len = n;
    }
    return buf;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if the byte is invalid. */
static size_t seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80) {
        return 1;
    }
    size_t len;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

int aac_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t l = seq_len(p + i, n - i);
        if (!l) {
            return 0;
        }
        i += l;
    }
    return 1;
}

static int escaped_control(unsigned char c, int controls)
{
    return controls && ((c < 0x20 && c != '\t') || c == 0x7F);
}

char *aac_utf8_escape(const char *s, int controls)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    char *out = malloc(n * 4 + 1);
    if (!out) {
        abort();
    }
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        size_t l = seq_len(p + i, n - i);
        if (l == 0 || (l == 1 && escaped_control(p[i], controls))) {
            w += (size_t)sprintf(out + w, "\\x%02X", p[i]);
            i++;
        } else {
            memcpy(out + w, p + i, l);
            w += l;
            i += l;
        }
    }
    out[w] = 0;
    return out;
}

char *aac_caret_line(const char *src, unsigned col, int controls)
{
    const unsigned char *p = (const unsigned char *)src;
    size_t n = strlen(src), bytes = col > 0 ? col - 1 : 0;
    char *out = malloc(bytes * 4 + 2);
    if (!out) {
        abort();
    }
    size_t w = 0;
    for (size_t i = 0; i < bytes;) {
        size_t l = i < n ? seq_len(p + i, n - i) : 1;
        if (i < n && p[i] == '\t') {
            out[w++] = '\t';
            i++;
        } else if (i < n && (l == 0 || (l == 1 && escaped_control(p[i], controls)))) {
            memset(out + w, ' ', 4);
            w += 4;
            i++;
        } else {
            out[w++] = ' ';
            i += l;
        }
    }
    out[w++] = '^';
    out[w] = 0;
    return out;
}

int aac_glob_match(const char *pat, const char *path)
{
    if (fnmatch(pat, path, 0) == 0) {
        return 1;
    }
    for (const char *p = path; *p; p++) {
        if (*p == '/' && p[1] && fnmatch(pat, p + 1, 0) == 0) {
            return 1;
        }
    }
    return 0;
}
