/* diff.h: the changed-lines mode. A unified diff (from `git diff REF` or read from a file or
 * stdin) says which lines of which files are new; only findings on those lines are reported. */
#ifndef AAC_DIFF_H
#define AAC_DIFF_H

#include "options.h"

typedef struct aac_diff aac_diff;

/* Runs `git diff -U0 REF` in the working directory (paths relative to the repository's top);
 * returns NULL after printing a one-line error (not a repository, unknown REF). */
aac_diff *aac_diff_from_git(const char *ref);
/* Reads a unified diff from `path` ("-": stdin), paths relative to the working directory (a
 * git-style "b/" prefix is dropped); returns NULL after printing a one-line error. */
aac_diff *aac_diff_read(const char *path);
/* Returns 1 when line `line` of `file` (any spelling of the path) is added or changed. */
int aac_diff_has_line(aac_diff *d, const char *file, unsigned line);
/* Appends the absolute path of every changed file that still exists to `out`. */
void aac_diff_files(const aac_diff *d, aac_strvec *out);
/* Frees the diff. */
void aac_diff_free(aac_diff *d);

#endif /* AAC_DIFF_H */
