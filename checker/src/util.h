/* util.h: reading input files safely (regular files only, bounded), UTF-8 escaping for every
 * report, and --exclude glob matching. */
#ifndef AAC_UTIL_H
#define AAC_UTIL_H

#include <stddef.h>
#include <sys/stat.h>

/* Returns "a directory", "a FIFO", "a character device", ... for a non-regular mode. */
const char *aac_file_kind(mode_t mode);

/* Reads all of `path` if it is a regular file of at most `max` bytes; returns a malloc'd,
 * NUL-terminated buffer (length in *len when len is not NULL), or NULL with a one-line reason
 * ("permission denied", "is a FIFO, not a regular file", ...) in `why`. Never blocks on a FIFO. */
char *aac_read_file(const char *path, size_t max, size_t *len, char *why, size_t whysz);

/* Returns 1 when `s` (n bytes) is valid UTF-8 (no overlongs, surrogates or values above
 * U+10FFFF). */
int aac_utf8_valid(const char *s, size_t n);
/* Returns a malloc'd copy of `s` that is valid UTF-8: each byte that is not part of a valid
 * sequence becomes the four characters \xNN. With `controls`, C0 control bytes other than tab
 * and DEL are escaped the same way (for a terminal). */
char *aac_utf8_escape(const char *s, int controls);
/* Returns a malloc'd line with a '^' under byte column `col` (1-based) of `src` as
 * aac_utf8_escape(src, controls) prints it: tabs are kept, an escaped byte takes four columns,
 * a multi-byte character one. */
char *aac_caret_line(const char *src, unsigned col, int controls);

/* Returns 1 when `path` matches the glob `pat` (fnmatch; a star crosses '/'): the whole path, or
 * any tail of it that starts after a '/' (third_party/... matches src/third_party/x.c). */
int aac_glob_match(const char *pat, const char *path);

#endif /* AAC_UTIL_H */
