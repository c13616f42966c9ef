/* Unified diffs: which new-file lines each hunk adds (the `+` lines; context lines only move
 * the count), so that both `git diff -U0` and diffs with context work. */
#include "diff.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

typedef struct dfile {
    char *path;      /* absolute, resolved */
    unsigned *lines; /* sorted on lookup */
    size_t len, cap;
    int sorted;
} dfile;

struct aac_diff {
    dfile *files;
    size_t len, cap;
    /* the last finding file looked up, and its resolved path */
    char *last_in, *last_abs;
};

static char *resolve(const char *root, const char *rel)
{
    char joined[PATH_MAX * 2], real[PATH_MAX];
    if (rel[0] == '/' || !root) {
        snprintf(joined, sizeof joined, "%s", rel);
    } else {
        snprintf(joined, sizeof joined, "%s/%s", root, rel);
    }
    return strdup(realpath(joined, real) ? real : joined);
}

static dfile *add_file(aac_diff *d, char *abs)
{
    for (size_t i = 0; i < d->len; i++) {
        if (!strcmp(d->files[i].path, abs)) {
            free(abs);
            return &d->files[i];
        }
    }
    if (d->len == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->files = realloc(d->files, d->cap * sizeof *d->files);
        if (!d->files) {
            abort();
        }
    }
    dfile *f = &d->files[d->len++];
    memset(f, 0, sizeof *f);
    f->path = abs;
    return f;
}

static void add_line(dfile *f, unsigned line)
{
    if (f->len == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 64;
        f->lines = realloc(f->lines, f->cap * sizeof *f->lines);
        if (!f->lines) {
            abort();
        }
    }
    f->lines[f->len++] = line;
    f->sorted = 0;
}

/* The path of a "+++ " or "--- " line: up to a tab (git quotes nothing for plain names). */
static char *header_path(const char *s)
{
    const char *e = strchr(s, '\t');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) {
        n--;
    }
    char *p = malloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static aac_diff *parse(char *text, const char *root)
{
    aac_diff *d = calloc(1, sizeof *d);
    dfile *cur = NULL;
    int old_has_a = 0;
    unsigned next = 0; /* the new-file line number of the next ' ' or '+' line */
    long remaining = 0; /* new-side lines left in the current hunk */
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (remaining > 0 && (line[0] == '+' || line[0] == ' ')) {
            if (line[0] == '+' && cur) {
                add_line(cur, next);
            }
            next++;
            remaining--;
            continue;
        }
        if (remaining > 0 && (line[0] == '-' || line[0] == '\\')) {
            continue;
        }
        remaining = 0;
        if (!strncmp(line, "--- ", 4)) {
            old_has_a = !strncmp(line + 4, "a/", 2);
        } else if (!strncmp(line, "+++ ", 4)) {
            char *p = header_path(line + 4);
            const char *rel = p;
            if (!strcmp(p, "/dev/null")) {
                cur = NULL;
            } else {
                if (old_has_a && !strncmp(rel, "b/", 2)) {
                    rel += 2;
                } else if (!strncmp(rel, "b/", 2) && access(rel, F_OK) != 0) {
                    rel += 2; /* a new file ("--- /dev/null") in a git-style diff */
                }
                cur = add_file(d, resolve(root, rel));
            }
            free(p);
        } else if (!strncmp(line, "@@ ", 3)) {
            /* @@ -a[,b] +c[,d] @@ */
            const char *plus = strstr(line, " +");
            if (!plus) {
                continue;
            }
            char *end;
            unsigned long c = strtoul(plus + 2, &end, 10);
            unsigned long n = 1;
            if (*end == ',') {
                n = strtoul(end + 1, &end, 10);
            }
            next = (unsigned)c;
            remaining = (long)n;
        }
    }
    return d;
}

aac_diff *aac_diff_read(const char *path)
{
    char *text = NULL;
    if (!strcmp(path, "-")) {
        size_t cap = 1 << 16, len = 0;
        text = malloc(cap);
        size_t r;
        while ((r = fread(text + len, 1, cap - len - 1, stdin)) > 0) {
            len += r;
            if (cap - len < 2) {
                if (cap > ((size_t)1 << 30)) {
                    fprintf(stderr, "asyncabi-check: error: the diff on stdin is larger than 1 GB\n");
                    free(text);
                    return NULL;
                }
                cap *= 2;
                text = realloc(text, cap);
                if (!text) {
                    abort();
                }
            }
        }
        text[len] = 0;
    } else {
        char why[160];
        text = aac_read_file(path, (size_t)1 << 30, NULL, why, sizeof why);
        if (!text) {
            fprintf(stderr, "asyncabi-check: error: cannot read diff '%s': %s\n", path, why);
            return NULL;
        }
    }
    char cwd[PATH_MAX];
    aac_diff *d = parse(text, getcwd(cwd, sizeof cwd) ? cwd : NULL);
    free(text);
    return d;
}

/* Runs argv, returns its stdout (malloc'd) and exit status; stderr's first line in `err`. */
static char *capture(char *const argv[], int *status, char *err, size_t errsz)
{
    int out[2], er[2];
    if (pipe(out) != 0 || pipe(er) != 0) {
        return NULL;
    }
    pid_t pid = fork();
    if (pid < 0) {
        return NULL;
    }
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(er[1], 2);
        close(out[0]);
        close(er[0]);
        close(out[1]);
        close(er[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out[1]);
    close(er[1]);
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    ssize_t r;
    while ((r = read(out[0], text + len, cap - len - 1)) != 0) {
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        len += (size_t)r;
        if (cap - len < 2) {
            cap *= 2;
            text = realloc(text, cap);
            if (!text) {
                abort();
            }
        }
    }
    text[len] = 0;
    close(out[0]);
    char ebuf[1024];
    ssize_t en = read(er[0], ebuf, sizeof ebuf - 1);
    ebuf[en > 0 ? en : 0] = 0;
    close(er[0]);
    char *nl = strchr(ebuf, '\n');
    if (nl) {
        *nl = 0;
    }
    snprintf(err, errsz, "%.*s", (int)(errsz > 0 ? errsz - 1 : 0), ebuf);
    waitpid(pid, status, 0);
    return text;
}

aac_diff *aac_diff_from_git(const char *ref)
{
    int st = 0;
    char err[512];
    char *top_argv[] = {"git", "rev-parse", "--show-toplevel", NULL};
    char *top = capture(top_argv, &st, err, sizeof err);
    if (!top || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "asyncabi-check: error: --diff-base needs a git work tree: %s\n",
                err[0] ? err : "git rev-parse failed");
        free(top);
        return NULL;
    }
    char *nl = strchr(top, '\n');
    if (nl) {
        *nl = 0;
    }
    char *diff_argv[] = {"git", "diff", "-U0", "--no-color", "--no-ext-diff", "--no-renames",
                         "--src-prefix=a/", "--dst-prefix=b/", (char *)ref, "--", NULL};
    char *text = capture(diff_argv, &st, err, sizeof err);
    if (!text || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "asyncabi-check: error: git diff %s failed: %s\n", ref,
                err[0] ? err : "no output");
        free(text);
        free(top);
        return NULL;
    }
    aac_diff *d = parse(text, top);
    free(text);
    free(top);
    return d;
}

static int cmp_u(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

int aac_diff_has_line(aac_diff *d, const char *file, unsigned line)
{
    if (!d->last_in || strcmp(d->last_in, file)) {
        free(d->last_in);
        free(d->last_abs);
        d->last_in = strdup(file);
        d->last_abs = resolve(NULL, file);
    }
    for (size_t i = 0; i < d->len; i++) {
        dfile *f = &d->files[i];
        if (strcmp(f->path, d->last_abs)) {
            continue;
        }
        if (!f->sorted && f->len) {
            qsort(f->lines, f->len, sizeof *f->lines, cmp_u);
            f->sorted = 1;
        }
        return f->len && bsearch(&line, f->lines, f->len, sizeof *f->lines, cmp_u) != NULL;
    }
    return 0;
}

void aac_diff_files(const aac_diff *d, aac_strvec *out)
{
    for (size_t i = 0; i < d->len; i++) {
        if (access(d->files[i].path, F_OK) == 0) {
            aac_strvec_push(out, d->files[i].path);
        }
    }
}

void aac_diff_free(aac_diff *d)
{
    if (!d) {
        return;
    }
    for (size_t i = 0; i < d->len; i++) {
        free(d->files[i].path);
        free(d->files[i].lines);
    }
    free(d->files);
    free(d->last_in);
    free(d->last_abs);
    free(d);
}
