/* Units, the worker processes, and the per-unit pipeline: parse once, map clang's
 * diagnostics, collect the AST model once, run every rule family.
 *
 * Each worker is a forked process that takes the next unit from a counter shared with the
 * others (no round trip through the parent), says which one it starts, and sends back
 * findings and recognised names, then "done". A worker that dies (a crash or a
 * stack overflow inside libclang, out of memory) or overruns --timeout costs only the unit it
 * was on: the parent reports that unit as checker-parse-error with the cause and starts a new
 * worker for the rest. Workers parse on a thread with a large stack, with libclang told not
 * to start its own 8 MB thread, and under an address-space limit (--max-memory).
 */
#include "driver.h"

#include <clang-c/CXCompilationDatabase.h>
#include <clang-c/Index.h>
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ast.h"
#include "openguard.h"
#include "rules/rules.h"
#include "util.h"

#ifndef AAC_RUNTIME_INCLUDE_DIR
#define AAC_RUNTIME_INCLUDE_DIR ""
#endif

#if defined(__SANITIZE_ADDRESS__)
#define AAC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AAC_SANITIZED 1
#endif
#endif
#ifndef AAC_SANITIZED
#define AAC_SANITIZED 0
#endif

/* The stack the parse and the walks run on (reserved, committed only as used). */
#define AAC_STACK_BYTES ((size_t)1 << 30)

static int has_ext(const char *path, const char *const *exts)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/')) {
        return 0;
    }
    for (; *exts; exts++) {
        if (!strcmp(dot + 1, *exts)) {
            return 1;
        }
    }
    return 0;
}

static const char *const cxx_exts[] = {"cc", "cpp", "cxx", "C", "hpp", "hh", NULL};
static const char *const dir_exts[] = {"c", "cc", "cpp", "cxx", NULL};

static aac_unit *units_add(aac_units *u, const char *file)
{
    if (u->len == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 16;
        u->items = realloc(u->items, u->cap * sizeof *u->items);
        if (!u->items) {
            abort();
        }
    }
    aac_unit *x = &u->items[u->len++];
    memset(x, 0, sizeof *x);
    x->file = strdup(file);
    return x;
}

static void default_args(const aac_options *opt, aac_unit *x)
{
    (void)opt;
    if (has_ext(x->file, cxx_exts)) {
        aac_strvec_push(&x->args, "-xc++");
        aac_strvec_push(&x->args, "-std=c++17");
    } else {
        aac_strvec_push(&x->args, "-xc");
        aac_strvec_push(&x->args, "-std=gnu11");
    }
}

static void common_args(const aac_options *opt, aac_unit *x)
{
    static const char runtime_include[] = AAC_RUNTIME_INCLUDE_DIR;
    if (!opt->no_default_includes && runtime_include[0]) {
        aac_strvec_push(&x->args, "-I" AAC_RUNTIME_INCLUDE_DIR);
    }
    for (size_t i = 0; i < opt->extra_args.len; i++) {
        aac_strvec_push(&x->args, opt->extra_args.items[i]);
    }
    /* Clang's own thread-safety analysis feeds sync-guarded-access. */
    aac_strvec_push(&x->args, "-Wthread-safety");
    aac_strvec_push(&x->args, "-Wno-unknown-warning-option");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- inputs ---- */

/* Files and directories already seen, by device and inode: a symlink loop or a file named
 * twice is visited once. */
typedef struct seen_set {
    struct {
        dev_t dev;
        ino_t ino;
    } *items;
    size_t len, cap;
} seen_set;

/* Returns 1 if (dev, ino) was new (and records it). Linear: inputs are thousands at most. */
static int seen_add(seen_set *s, const struct stat *st)
{
    for (size_t i = 0; i < s->len; i++) {
        if (s->items[i].dev == st->st_dev && s->items[i].ino == st->st_ino) {
            return 0;
        }
    }
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->items = realloc(s->items, s->cap * sizeof *s->items);
        if (!s->items) {
            abort();
        }
    }
    s->items[s->len].dev = st->st_dev;
    s->items[s->len].ino = st->st_ino;
    s->len++;
    return 1;
}

static int excluded(const aac_options *opt, const char *path)
{
    for (size_t i = 0; i < opt->excludes.len; i++) {
        if (aac_glob_match(opt->excludes.items[i], path)) {
            return 1;
        }
    }
    return 0;
}

/* A candidate source file: (path, why it cannot be parsed or NULL). */
typedef struct cand {
    aac_strvec paths;
    aac_strvec why; /* "" when readable */
} cand;

static void cand_add(cand *c, seen_set *seen, const char *path, const struct stat *st)
{
    if (!seen_add(seen, st)) {
        return;
    }
    char why[200] = "";
    if (!S_ISREG(st->st_mode)) {
        snprintf(why, sizeof why, "not checked: '%s' is %s, not a regular file", path,
                 aac_file_kind(st->st_mode));
    } else {
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            char e[128];
            snprintf(e, sizeof e, "%s", strerror(errno));
            if (e[0] >= 'A' && e[0] <= 'Z') {
                e[0] = (char)(e[0] - 'A' + 'a');
            }
            snprintf(why, sizeof why, "not checked: cannot read '%s': %s", path, e);
        } else {
            close(fd);
        }
    }
    aac_strvec_push(&c->paths, path);
    aac_strvec_push(&c->why, why);
}

static void scan_dir(const aac_options *opt, const char *dir, cand *out, seen_set *dirs,
                     seen_set *files, int depth)
{
    if (depth > 64) {
        return;
    }
    DIR *d = opendir(dir);
    if (!d) {
        return;
    }
    aac_strvec names = {0};
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') {
            continue;
        }
        aac_strvec_push(&names, e->d_name);
    }
    closedir(d);
    if (names.len) {
        qsort(names.items, names.len, sizeof *names.items, cmp_str);
    }
    for (size_t i = 0; i < names.len; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names.items[i]);
        struct stat st;
        if (stat(path, &st) != 0 || excluded(opt, path)) {
            continue; /* a dangling symlink or an excluded path */
        }
        if (S_ISDIR(st.st_mode)) {
            if (seen_add(dirs, &st)) {
                scan_dir(opt, path, out, dirs, files, depth + 1);
            }
        } else if (has_ext(path, dir_exts)) {
            cand_add(out, files, path, &st);
        }
    }
    aac_strvec_free(&names);
}

/* Copies a compile command's arguments that matter to a parse, paths made absolute. */
static void db_args(CXCompileCommand cmd, const char *file, aac_unit *x)
{
    CXString dirs = clang_CompileCommand_getDirectory(cmd);
    const char *dir = clang_getCString(dirs);
    unsigned n = clang_CompileCommand_getNumArgs(cmd);
    for (unsigned i = 1; i < n; i++) {
        CXString as = clang_CompileCommand_getArg(cmd, i);
        const char *a = clang_getCString(as);
        char buf[PATH_MAX + 16];
        if (!strcmp(a, "-o") || !strcmp(a, "-MF") || !strcmp(a, "-MT") || !strcmp(a, "-MQ")) {
            i++;
        } else if (!strcmp(a, "-c") || !strcmp(a, "-MD") || !strcmp(a, "-MMD") ||
                   !strncmp(a, "-Werror", 7) || !strcmp(a, "--")) {
            /* not for a parse */
        } else if (!strcmp(a, file) || (a[0] != '-' && strstr(file, a) &&
                                        !strcmp(file + strlen(file) - strlen(a), a))) {
            /* the source itself */
        } else if ((!strncmp(a, "-I", 2) || !strncmp(a, "-isystem", 8)) ) {
            const char *flag = !strncmp(a, "-I", 2) ? "-I" : "-isystem";
            const char *p = a + strlen(flag);
            if (*p == 0 && i + 1 < n) {
                clang_disposeString(as);
                as = clang_CompileCommand_getArg(cmd, ++i);
                p = clang_getCString(as);
            }
            if (p[0] == '/') {
                snprintf(buf, sizeof buf, "%s%s", flag, p);
            } else {
                snprintf(buf, sizeof buf, "%s%s/%s", flag, dir, p);
            }
            aac_strvec_push(&x->args, buf);
        } else {
            aac_strvec_push(&x->args, a);
        }
        clang_disposeString(as);
    }
    clang_disposeString(dirs);
}

/* Checks BUILD_DIR/compile_commands.json before libclang reads it, so that a problem is one
 * line of ours instead of libclang's noise. Returns 0 or -1 after printing why. */
static int validate_db(const char *build_dir)
{
    struct stat st;
    if (stat(build_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "asyncabi-check: error: -p %s: %s\n", build_dir,
                stat(build_dir, &st) != 0 ? "no such directory" : "not a directory");
        return -1;
    }
    char path[PATH_MAX], why[160];
    snprintf(path, sizeof path, "%s/compile_commands.json", build_dir);
    char *text = aac_read_file(path, (size_t)1 << 30, NULL, why, sizeof why);
    if (!text) {
        fprintf(stderr, "asyncabi-check: error: -p %s: cannot read compile_commands.json: %s\n",
                build_dir, why);
        return -1;
    }
    cJSON *root = cJSON_Parse(text);
    int ok = cJSON_IsArray(root);
    const char *bad = NULL;
    cJSON *e;
    int i = 0, at = -1;
    cJSON *arr = ok ? root : NULL;
    cJSON_ArrayForEach(e, arr)
    {
        cJSON *dir = cJSON_GetObjectItem(e, "directory"), *file = cJSON_GetObjectItem(e, "file");
        cJSON *cmd = cJSON_GetObjectItem(e, "command"), *args = cJSON_GetObjectItem(e, "arguments");
        if (!cJSON_IsObject(e) || !cJSON_IsString(dir) || !cJSON_IsString(file) ||
            !(cJSON_IsString(cmd) || cJSON_IsArray(args))) {
            bad = "needs \"directory\", \"file\" and \"command\" or \"arguments\"";
            at = i;
            break;
        }
        i++;
    }
    if (!root) {
        fprintf(stderr, "asyncabi-check: error: -p %s: compile_commands.json is not valid JSON\n",
                build_dir);
    } else if (!ok) {
        fprintf(stderr, "asyncabi-check: error: -p %s: compile_commands.json is not a JSON array\n",
                build_dir);
    } else if (bad) {
        fprintf(stderr, "asyncabi-check: error: -p %s: compile_commands.json entry %d %s\n",
                build_dir, at, bad);
    }
    cJSON_Delete(root);
    free(text);
    return ok && !bad ? 0 : -1;
}

/* libclang prints its own complaints to stderr: run `fn` with stderr sent to /dev/null. */
static CXCompilationDatabase load_db_quietly(const char *build_dir)
{
    fflush(stderr);
    int saved = dup(2);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved >= 0 && null >= 0) {
        dup2(null, 2);
    }
    CXCompilationDatabase_Error err;
    CXCompilationDatabase db = clang_CompilationDatabase_fromDirectory(build_dir, &err);
    if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
    if (null >= 0) {
        close(null);
    }
    if (err != CXCompilationDatabase_NoError) {
        if (db) {
            clang_CompilationDatabase_dispose(db);
        }
        return NULL;
    }
    return db;
}

static int is_changed(const aac_strvec *changed, const char *abs)
{
    for (size_t i = 0; i < changed->len; i++) {
        if (!strcmp(changed->items[i], abs)) {
            return 1;
        }
    }
    return 0;
}

int aac_units_collect(const aac_options *opt, const aac_diff *diff, aac_units *units)
{
    cand files = {{0}, {0}};
    seen_set seen_files = {0}, seen_dirs = {0};
    aac_strvec changed = {0};
    int rc = 0;
    if (diff) {
        aac_diff_files(diff, &changed);
    }
    const aac_strvec *inputs = &opt->inputs;
    aac_strvec diff_inputs = {0};
    if (diff && opt->inputs.len == 0 && !opt->build_dir) {
        /* the changed files themselves */
        for (size_t i = 0; i < changed.len; i++) {
            if (has_ext(changed.items[i], dir_exts)) {
                aac_strvec_push(&diff_inputs, changed.items[i]);
            }
        }
        inputs = &diff_inputs;
    }
    for (size_t i = 0; i < inputs->len; i++) {
        const char *in = inputs->items[i];
        struct stat st;
        if (stat(in, &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) {
                fprintf(stderr, "asyncabi-check: error: no such file or directory: '%s'\n", in);
            } else if (errno == ELOOP) {
                fprintf(stderr, "asyncabi-check: error: '%s': too many levels of symbolic links\n",
                        in);
            } else {
                fprintf(stderr, "asyncabi-check: error: cannot access '%s': %s\n", in,
                        strerror(errno));
            }
            rc = 2;
            goto out;
        }
        if (excluded(opt, in)) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (seen_add(&seen_dirs, &st)) {
                scan_dir(opt, in, &files, &seen_dirs, &seen_files, 0);
            }
        } else {
            cand_add(&files, &seen_files, in, &st);
        }
    }
    CXCompilationDatabase db = NULL;
    if (opt->build_dir) {
        if (validate_db(opt->build_dir) != 0) {
            rc = 2;
            goto out;
        }
        db = load_db_quietly(opt->build_dir);
        if (!db) {
            fprintf(stderr, "asyncabi-check: error: -p %s: libclang cannot load "
                            "compile_commands.json\n", opt->build_dir);
            rc = 2;
            goto out;
        }
    }
    if (db && inputs->len == 0) {
        CXCompileCommands all = clang_CompilationDatabase_getAllCompileCommands(db);
        unsigned n = clang_CompileCommands_getSize(all);
        for (unsigned i = 0; i < n; i++) {
            CXCompileCommand cmd = clang_CompileCommands_getCommand(all, i);
            CXString fs = clang_CompileCommand_getFilename(cmd);
            const char *f = clang_getCString(fs);
            char abs[PATH_MAX], real[PATH_MAX];
            if (f[0] != '/') {
                CXString ds = clang_CompileCommand_getDirectory(cmd);
                snprintf(abs, sizeof abs, "%s/%s", clang_getCString(ds), f);
                clang_disposeString(ds);
            } else {
                snprintf(abs, sizeof abs, "%s", f);
            }
            struct stat st;
            int keep = has_ext(abs, dir_exts) && !excluded(opt, abs) &&
                       (!diff || is_changed(&changed, realpath(abs, real) ? real : abs));
            if (keep && stat(abs, &st) != 0) {
                aac_unit *x = units_add(units, abs);
                char why[PATH_MAX + 64];
                snprintf(why, sizeof why, "not checked: '%s' (from compile_commands.json): %s",
                         abs, strerror(errno));
                x->refused = strdup(why);
            } else if (keep && seen_add(&seen_files, &st)) {
                cand one = {{0}, {0}};
                seen_set none = {0};
                cand_add(&one, &none, abs, &st);
                aac_unit *x = units_add(units, abs);
                if (one.why.items[0][0]) {
                    x->refused = strdup(one.why.items[0]);
                }
                aac_strvec_free(&one.paths);
                aac_strvec_free(&one.why);
                free(none.items);
                db_args(cmd, f, x);
                common_args(opt, x);
            }
            clang_disposeString(fs);
        }
        clang_CompileCommands_dispose(all);
    }
    for (size_t i = 0; i < files.paths.len; i++) {
        aac_unit *x = units_add(units, files.paths.items[i]);
        if (files.why.items[i][0]) {
            x->refused = strdup(files.why.items[i]);
            continue;
        }
        CXCompileCommands cmds = NULL;
        if (db) {
            char abs[PATH_MAX];
            if (realpath(files.paths.items[i], abs)) {
                cmds = clang_CompilationDatabase_getCompileCommands(db, abs);
            }
        }
        if (cmds && clang_CompileCommands_getSize(cmds) > 0) {
            CXCompileCommand cmd = clang_CompileCommands_getCommand(cmds, 0);
            CXString fs = clang_CompileCommand_getFilename(cmd);
            db_args(cmd, clang_getCString(fs), x);
            clang_disposeString(fs);
        } else {
            default_args(opt, x);
        }
        if (cmds) {
            clang_CompileCommands_dispose(cmds);
        }
        common_args(opt, x);
    }
    if (db) {
        clang_CompilationDatabase_dispose(db);
    }
    if (units->len == 0 && !diff) {
        fprintf(stderr, "asyncabi-check: error: nothing to check (give files, directories or -p)\n");
        rc = 2;
    }
out:
    aac_strvec_free(&files.paths);
    aac_strvec_free(&files.why);
    aac_strvec_free(&changed);
    aac_strvec_free(&diff_inputs);
    free(seen_files.items);
    free(seen_dirs.items);
    return rc;
}

void aac_units_free(aac_units *units)
{
    for (size_t i = 0; i < units->len; i++) {
        free(units->items[i].file);
        free(units->items[i].refused);
        aac_strvec_free(&units->items[i].args);
    }
    free(units->items);
    units->items = NULL;
    units->len = units->cap = 0;
}

static void diag_location(CXDiagnostic d, char **file, unsigned *line, unsigned *col)
{
    CXSourceLocation loc = clang_getDiagnosticLocation(d);
    CXFile f;
    clang_getExpansionLocation(loc, &f, line, col, NULL);
    CXString s = clang_getFileName(f);
    *file = strdup(clang_getCString(s) ? clang_getCString(s) : "");
    clang_disposeString(s);
}

/* "cannot open file 'X': No such device" is what the open guard (openguard.c) makes of a file
 * that is not regular: say what it is instead. Returns `text` or `buf`. */
static const char *refused_open(const char *text, char *buf, size_t bufsz)
{
    static const char head[] = "cannot open file '", tail[] = "': No such device";
    size_t n = strlen(text), hl = sizeof head - 1, tl = sizeof tail - 1;
    if (n <= hl + tl || strncmp(text, head, hl) || strcmp(text + n - tl, tail)) {
        return text;
    }
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%.*s", (int)(n - hl - tl), text + hl);
    struct stat st;
    if (stat(path, &st) != 0 || S_ISREG(st.st_mode)) {
        return text;
    }
    snprintf(buf, bufsz, "cannot open file '%s': it is %s, not a regular file (not read)", path,
             aac_file_kind(st.st_mode));
    return buf;
}

/* Clang's diagnostics: errors become checker-parse-error, thread-safety warnings become
 * sync-guarded-access (clang's analysis, not a second one). Returns the error count. */
static int map_diagnostics(aac_tu *t, const char *unit_file)
{
    int errors = 0;
    unsigned n = clang_getNumDiagnostics(t->tu);
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(t->tu, i);
        enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
        CXString opt = clang_getDiagnosticOption(d, NULL);
        const char *o = clang_getCString(opt);
        CXString msg = clang_getDiagnosticSpelling(d);
        char *file;
        unsigned line, col;
        diag_location(d, &file, &line, &col);
        const char *text = clang_getCString(msg);
        if (sev >= CXDiagnostic_Error && text && !strncmp(text, "unknown argument", 16)) {
            /* a compiler flag clang does not know (gcc's, from compile_commands.json): the
             * file itself parsed; nothing to report */
        } else if (sev >= CXDiagnostic_Error) {
            errors++;
            if (aac_enabled(t, AAC_CHECKER_PARSE_ERROR)) {
                char better[PATH_MAX + 128];
                const char *m = refused_open(text, better, sizeof better);
                aac_findings_add(t->out, AAC_CHECKER_PARSE_ERROR, file[0] ? file : unit_file,
                                 file[0] ? line : 1, file[0] ? col : 1, m);
            }
        } else if (o && !strncmp(o, "-Wthread-safety", 15) &&
                   strcmp(o, "-Wthread-safety-attributes") != 0 && file[0] &&
                   !clang_Location_isInSystemHeader(clang_getDiagnosticLocation(d)) &&
                   aac_enabled(t, AAC_SYNC_GUARDED_ACCESS)) {
            char m[1024];
            snprintf(m, sizeof m, "%s (clang %s)", clang_getCString(msg), o);
            aac_findings_add(t->out, AAC_SYNC_GUARDED_ACCESS, file, line, col, m);
        }
        free(file);
        clang_disposeString(msg);
        clang_disposeString(opt);
        clang_disposeDiagnostic(d);
    }
    return errors;
}

/* AAC_TIMING=1 in the environment prints where the time went (parse / model / rules). */
static _Atomic long long timing_ns[4];

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- one unit, in this process ---- */

void aac_unit_init(const aac_options *opt, aac_unit *u, const char *file)
{
    memset(u, 0, sizeof *u);
    u->file = strdup(file);
    default_args(opt, u);
    common_args(opt, u);
}

static int unit_is_cxx(const aac_unit *u)
{
    int cxx = has_ext(u->file, cxx_exts);
    for (size_t i = 0; i < u->args.len; i++) {
        if (!strcmp(u->args.items[i], "-xc++") || !strncmp(u->args.items[i], "-std=c++", 8) ||
            !strncmp(u->args.items[i], "-std=gnu++", 10)) {
            cxx = 1;
        }
    }
    return cxx;
}

static const char *cx_error_name(enum CXErrorCode ec)
{
    switch (ec) {
    case CXError_Failure:
        return "failure";
    case CXError_Crashed:
        return "crashed";
    case CXError_InvalidArguments:
        return "invalid arguments";
    case CXError_ASTReadError:
        return "AST read error";
    default:
        return "unknown error";
    }
}

int aac_unit_check(void *index, const aac_options *opt, const aac_unit *u, const char *unsaved,
                   size_t unsaved_len, aac_findings *out, aac_recognised *rec)
{
    CXIndex idx = index;
    long long t0 = now_ns();
    const char **argv = malloc((u->args.len + 1) * sizeof *argv);
    for (size_t i = 0; i < u->args.len; i++) {
        argv[i] = u->args.items[i];
    }
    struct CXUnsavedFile uf = {u->file, unsaved, (unsigned long)unsaved_len};
    CXTranslationUnit tu = NULL;
    enum CXErrorCode ec = clang_parseTranslationUnit2(idx, u->file, argv, (int)u->args.len,
                                                      unsaved ? &uf : NULL, unsaved ? 1 : 0,
                                                      CXTranslationUnit_KeepGoing, &tu);
    free(argv);
    long long t1 = now_ns();
    atomic_fetch_add(&timing_ns[0], t1 - t0);
    if (ec != CXError_Success || !tu) {
        char m[256];
        snprintf(m, sizeof m, "not checked: libclang could not parse this file (%s)",
                 cx_error_name(ec));
        aac_findings_add(out, AAC_CHECKER_PARSE_ERROR, u->file, 1, 1, m);
        return ec == CXError_Crashed ? 2 : 1;
    }
    aac_tu t;
    memset(&t, 0, sizeof t);
    t.tu = tu;
    t.opt = opt;
    t.out = out;
    t.is_cxx = unit_is_cxx(u);
    int failed = map_diagnostics(&t, u->file) > 0;
    aac_tu_collect(&t);
    long long t2 = now_ns();
    aac_rules_run(&t);
    if (rec) {
        aac_abi_recognise(&t, rec);
    }
    long long t3 = now_ns();
    aac_tu_free(&t);
    clang_disposeTranslationUnit(tu);
    atomic_fetch_add(&timing_ns[1], t2 - t1);
    atomic_fetch_add(&timing_ns[2], t3 - t2);
    atomic_fetch_add(&timing_ns[3], now_ns() - t3);
    return failed;
}

void aac_recognised_free(aac_recognised *r)
{
    aac_strvec_free(&r->exports);
    aac_strvec_free(&r->families);
    aac_strvec_free(&r->vtables);
}

char *aac_libclang_version(void)
{
    CXString s = clang_getClangVersion();
    char *v = strdup(clang_getCString(s) ? clang_getCString(s) : "unknown");
    clang_disposeString(s);
    return v;
}

/* ---- the big stack ---- */

typedef struct big_call {
    void (*fn)(void *);
    void *arg;
} big_call;

static void *big_trampoline(void *p)
{
    big_call *c = p;
    c->fn(c->arg);
    return NULL;
}

void aac_run_on_big_stack(void (*fn)(void *), void *arg)
{
    /* libclang parses on a thread of its own with an 8 MB stack unless told not to: keep the
     * parse on ours, whose size bounds how deep the source may nest */
    setenv("LIBCLANG_NOTHREADS", "1", 1);
    big_call c = {fn, arg};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, AAC_STACK_BYTES);
    pthread_t th;
    if (pthread_create(&th, &attr, big_trampoline, &c) == 0) {
        pthread_join(th, NULL);
    } else {
        fn(arg); /* no room for the big stack: run here */
    }
    pthread_attr_destroy(&attr);
}

/* ---- the worker process ---- */

/* Records on the result pipe: u32 type, u32 payload length, payload. */
enum { REC_FINDING = 1, REC_NAME = 2, REC_DONE = 3, REC_CAUSE = 4, REC_START = 5 };

typedef struct wbuf {
    char *p;
    size_t len, cap;
} wbuf;

static void wb_put(wbuf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        while (b->len + n > b->cap) {
            b->cap = b->cap ? b->cap * 2 : 4096;
        }
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            abort();
        }
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void wb_u32(wbuf *b, uint32_t v)
{
    wb_put(b, &v, 4);
}

static void wb_record(wbuf *b, uint32_t type, const void *payload, size_t n)
{
    wb_u32(b, type);
    wb_u32(b, (uint32_t)n);
    wb_put(b, payload, n);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

typedef struct worker_ctx {
    const aac_options *opt;
    const aac_units *units;
    const size_t *order; /* units in the order they are handed out */
    size_t total;
    atomic_size_t *next; /* shared by every worker (MAP_SHARED) */
    int res;
} worker_ctx;

/* The worker's stack bounds, for telling a stack overflow from another SIGSEGV. */
static uintptr_t wk_stack_lo;
static int wk_res_fd = -1;
static struct sigaction wk_old_segv, wk_old_bus;

static void wk_on_fault(int sig, siginfo_t *si, void *uc)
{
    uintptr_t a = (uintptr_t)si->si_addr;
    if (wk_stack_lo && a + ((uintptr_t)1 << 20) >= wk_stack_lo && a < wk_stack_lo + (1u << 18)) {
        static const char msg[] = "stack overflow (the source nests deeper than the checker's "
                                  "1 GB stack holds)";
        uint32_t hdr[2] = {REC_CAUSE, sizeof msg - 1};
        char rec[8 + sizeof msg];
        memcpy(rec, hdr, 8);
        memcpy(rec + 8, msg, sizeof msg - 1);
        (void)!write(wk_res_fd, rec, sizeof rec - 1);
        _exit(70);
    }
    /* not ours: libclang's crash recovery (it turns the crash into CXError_Crashed) */
    struct sigaction *old = sig == SIGSEGV ? &wk_old_segv : &wk_old_bus;
    if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
        old->sa_sigaction(sig, si, uc);
    } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN && old->sa_handler) {
        old->sa_handler(sig);
    } else {
        signal(sig, SIG_DFL); /* the fault repeats and ends the worker */
    }
}

static void wk_install_fault_handler(void)
{
    pthread_attr_t attr;
    void *lo = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &lo, &size);
        pthread_attr_destroy(&attr);
    }
    wk_stack_lo = (uintptr_t)lo;
    static char alt[1 << 16];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = wk_on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &wk_old_segv);
    sigaction(SIGBUS, &sa, &wk_old_bus);
}

static void worker_loop(void *arg)
{
    worker_ctx *w = arg;
    CXIndex idx = clang_createIndex(0, 0);
    if (!AAC_SANITIZED) {
        wk_install_fault_handler(); /* after createIndex: chains to its crash recovery */
    }
    wbuf b = {0};
    for (;;) {
        size_t j = atomic_fetch_add(w->next, 1);
        if (j >= w->total) {
            break;
        }
        uint32_t k = (uint32_t)w->order[j];
        uint32_t start[3] = {REC_START, 4, k};
        if (write_all(w->res, (const char *)start, sizeof start) != 0) {
            break;
        }
        aac_findings f = {0};
        aac_recognised rec = {{0}, {0}, {0}};
        long long before[4];
        for (int i = 0; i < 4; i++) {
            before[i] = atomic_load(&timing_ns[i]);
        }
        int rc = aac_unit_check(idx, w->opt, &w->units->items[k], NULL, 0, &f, &rec);
        b.len = 0;
        for (size_t i = 0; i < f.len; i++) {
            aac_finding *x = &f.items[i];
            size_t fl = strlen(x->file), ml = strlen(x->message);
            wb_u32(&b, REC_FINDING);
            wb_u32(&b, (uint32_t)(16 + fl + ml));
            wb_u32(&b, (uint32_t)x->rule);
            wb_u32(&b, x->line);
            wb_u32(&b, x->col);
            wb_u32(&b, (uint32_t)fl);
            wb_put(&b, x->file, fl);
            wb_put(&b, x->message, ml);
        }
        const aac_strvec *lists[3] = {&rec.exports, &rec.families, &rec.vtables};
        for (int l = 0; l < 3; l++) {
            for (size_t i = 0; i < lists[l]->len; i++) {
                size_t n = strlen(lists[l]->items[i]);
                wb_u32(&b, REC_NAME);
                wb_u32(&b, (uint32_t)(1 + n));
                char kind = (char)l;
                wb_put(&b, &kind, 1);
                wb_put(&b, lists[l]->items[i], n);
            }
        }
        int64_t spent[4];
        for (int i = 0; i < 4; i++) {
            spent[i] = atomic_load(&timing_ns[i]) - before[i];
        }
        char done[4 + sizeof spent];
        uint32_t code = (uint32_t)rc;
        memcpy(done, &code, 4);
        memcpy(done + 4, spent, sizeof spent);
        wb_record(&b, REC_DONE, done, sizeof done);
        aac_findings_free(&f);
        aac_recognised_free(&rec);
        if (write_all(w->res, b.p, b.len) != 0 || rc == 2) {
            break; /* the parent is gone, or libclang crashed: its state is not to be trusted */
        }
    }
    free(b.p);
    clang_disposeIndex(idx);
}

static void worker_main(const aac_options *opt, const aac_units *units, const size_t *order,
                        size_t total, atomic_size_t *next, int res)
{
    if (!AAC_SANITIZED && opt->max_memory_mb > 0) {
        /* the address space it has now, plus the stack, plus what it may allocate */
        long pages = 0;
        FILE *fp = fopen("/proc/self/statm", "r");
        if (fp) {
            if (fscanf(fp, "%ld", &pages) != 1) {
                pages = 0;
            }
            fclose(fp);
        }
        rlim_t lim = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + AAC_STACK_BYTES +
                     ((rlim_t)opt->max_memory_mb << 20) + ((rlim_t)256 << 20);
        struct rlimit rl = {lim, lim};
        setrlimit(RLIMIT_AS, &rl);
    }
    worker_ctx w = {opt, units, order, total, next, res};
    wk_res_fd = res;
    aac_open_guard(1);
    aac_run_on_big_stack(worker_loop, &w);
    if (AAC_SANITIZED) {
        exit(0); /* leak checking at exit */
    }
    _exit(0); /* the kernel frees the rest faster than free() would */
}

/* ---- the pool (the parent) ---- */

typedef struct slot {
    pid_t pid;
    int res, err;      /* err: the worker's stderr, a temporary file */
    long unit;         /* the unit it is on, or -1 */
    long long started;
    char *buf;
    size_t len, cap;
    char cause[512]; /* from a REC_CAUSE record */
    int crashed;     /* libclang crashed on its last unit (already reported) */
} slot;

typedef struct pool {
    const aac_options *opt;
    const aac_units *units;
    size_t *order;
    aac_findings *results;
    int *failed;
    char *reported; /* 1 once a unit's result (or failure) is in */
    aac_strvec names[3];
    atomic_size_t *next; /* into order[0 .. total), shared with the workers */
    size_t done, total;
    int worker_trouble;
} pool;

static int tmp_fd(void)
{
    const char *dir = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/asyncabi-check-XXXXXX", dir);
        fd = mkstemp(path);
        if (fd >= 0) {
            unlink(path);
        }
    }
    return fd;
}

static int spawn(pool *p, slot *s)
{
    int r[2];
    if (pipe(r) != 0) {
        return -1;
    }
    int err = tmp_fd();
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(r[0]);
        close(r[1]);
        if (err >= 0) {
            close(err);
        }
        return -1;
    }
    if (pid == 0) {
        /* fd 3 becomes the result pipe; nothing else stays open, so that no worker holds
         * another's pipe */
        int res = dup(r[1]);
        if (err >= 0) {
            dup2(err, 2);
        }
        dup2(res, 3);
        closefrom(4);
        signal(SIGPIPE, SIG_DFL);
        worker_main(p->opt, p->units, p->order, p->total, p->next, 3);
    }
    close(r[1]);
    s->pid = pid;
    s->res = r[0];
    s->err = err;
    s->unit = -1;
    s->len = 0;
    s->cause[0] = 0;
    s->crashed = 0;
    fcntl(s->res, F_SETFD, FD_CLOEXEC);
    return 0;
}

/* The worker's stderr so far (at most the last 64 KB), malloc'd. */
static char *slot_stderr(const slot *s)
{
    if (s->err < 0) {
        return strdup("");
    }
    off_t end = lseek(s->err, 0, SEEK_END);
    off_t from = end > 65536 ? end - 65536 : 0;
    char *text = malloc((size_t)(end - from) + 1);
    ssize_t n = pread(s->err, text, (size_t)(end - from), from);
    text[n > 0 ? n : 0] = 0;
    return text;
}

/* The most telling line of a crashed worker's stderr, or "". */
static void stderr_cause(const slot *s, char *out, size_t outsz)
{
    static const char *const keys[] = {"out of memory", "AddressSanitizer", "LeakSanitizer",
                                       "runtime error", "LLVM ERROR", "Assertion", "terminate",
                                       NULL};
    out[0] = 0;
    char *text = slot_stderr(s);
    for (int k = 0; keys[k] && !out[0]; k++) {
        char *hit = strstr(text, keys[k]);
        if (hit) {
            char *b = hit;
            while (b > text && b[-1] != '\n') {
                b--;
            }
            size_t n = strcspn(b, "\n");
            snprintf(out, outsz, "%.*s", (int)(n > 200 ? 200 : n), b);
        }
    }
    free(text);
}

static void slot_close(slot *s)
{
    if (s->res >= 0) {
        close(s->res);
    }
    if (s->err >= 0) {
        close(s->err);
    }
    s->res = s->err = -1;
    s->pid = 0;
    s->unit = -1;
}

static void unit_failed(pool *p, size_t k, const char *why)
{
    aac_findings_free(&p->results[k]);
    aac_findings_add(&p->results[k], AAC_CHECKER_PARSE_ERROR, p->units->items[k].file, 1, 1, why);
    p->failed[k] = 1;
    p->reported[k] = 1;
    p->done++;
}

/* Handles the complete records in s->buf. */
static void drain(pool *p, slot *s)
{
    size_t at = 0;
    while (s->len - at >= 8) {
        uint32_t type, n;
        memcpy(&type, s->buf + at, 4);
        memcpy(&n, s->buf + at + 4, 4);
        if (s->len - at - 8 < n) {
            break;
        }
        const char *pl = s->buf + at + 8;
        if (type == REC_FINDING && n >= 16 && s->unit >= 0) {
            uint32_t rule, line, col, fl;
            memcpy(&rule, pl, 4);
            memcpy(&line, pl + 4, 4);
            memcpy(&col, pl + 8, 4);
            memcpy(&fl, pl + 12, 4);
            if (rule < AAC_RULE_COUNT && 16 + (size_t)fl <= n) {
                char *file = strndup(pl + 16, fl);
                char *msg = strndup(pl + 16 + fl, n - 16 - fl);
                aac_findings_add(&p->results[s->unit], (aac_rule_id)rule, file, line, col, msg);
                free(file);
                free(msg);
            }
        } else if (type == REC_NAME && n >= 1 && (unsigned char)pl[0] < 3) {
            char *name = strndup(pl + 1, n - 1);
            aac_strvec_push(&p->names[(unsigned char)pl[0]], name);
            free(name);
        } else if (type == REC_START && n == 4) {
            uint32_t k;
            memcpy(&k, pl, 4);
            if (k < p->units->len) {
                s->unit = (long)k;
                s->started = now_ns();
            }
        } else if (type == REC_CAUSE) {
            snprintf(s->cause, sizeof s->cause, "%.*s", (int)n, pl);
        } else if (type == REC_DONE && n >= 4 + 4 * 8 && s->unit >= 0) {
            uint32_t code;
            int64_t spent[4];
            memcpy(&code, pl, 4);
            memcpy(spent, pl + 4, sizeof spent);
            for (int i = 0; i < 4; i++) {
                atomic_fetch_add(&timing_ns[i], spent[i]);
            }
            size_t k = (size_t)s->unit;
            if (code == 2) {
                char cause[256], m[512];
                stderr_cause(s, cause, sizeof cause);
                if (strstr(cause, "out of memory") || strstr(cause, "bad_alloc")) {
                    snprintf(m, sizeof m, "not checked: out of memory while parsing this file (a "
                             "worker may use %d MB, --max-memory): %s", p->opt->max_memory_mb, cause);
                } else {
                    snprintf(m, sizeof m, "not checked: libclang crashed parsing this file%s%s",
                             cause[0] ? ": " : "", cause);
                }
                s->crashed = 1;
                unit_failed(p, k, m);
                s->unit = -1; /* the worker exits after a crash */
            } else {
                p->failed[k] = code != 0;
                p->reported[k] = 1;
                p->done++;
                s->unit = -1;
            }
        }
        at += 8 + n;
    }
    memmove(s->buf, s->buf + at, s->len - at);
    s->len -= at;
}

static const char *signal_text(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV, segmentation fault";
    case SIGBUS:
        return "SIGBUS";
    case SIGABRT:
        return "SIGABRT, aborted";
    case SIGKILL:
        return "SIGKILL, killed";
    case SIGILL:
        return "SIGILL";
    case SIGFPE:
        return "SIGFPE";
    default:
        return "a signal";
    }
}

/* The worker of `s` ended (its result pipe closed, or it was killed). */
static void reap(pool *p, slot *s, const char *killed_why)
{
    int st = 0;
    while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (s->unit >= 0) {
        char cause[256] = "", m[768];
        stderr_cause(s, cause, sizeof cause);
        if (killed_why) {
            snprintf(m, sizeof m, "not checked: %s", killed_why);
        } else if (s->cause[0]) {
            snprintf(m, sizeof m, "not checked: %s", s->cause);
        } else if (strstr(cause, "out of memory") || strstr(cause, "std::bad_alloc")) {
            snprintf(m, sizeof m, "not checked: out of memory (a worker may use %d MB, "
                                  "--max-memory): %s", p->opt->max_memory_mb, cause);
        } else if (WIFSIGNALED(st)) {
            snprintf(m, sizeof m, "not checked: the checker's worker died on this file (%s)%s%s",
                     signal_text(WTERMSIG(st)), cause[0] ? ": " : "", cause);
        } else {
            snprintf(m, sizeof m, "not checked: the checker's worker exited with status %d on "
                                  "this file%s%s", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                     cause[0] ? ": " : "", cause);
        }
        unit_failed(p, (size_t)s->unit, m);
    } else if (!killed_why && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        /* it finished its units and then failed (a sanitizer's leak report, say) */
        char *text = slot_stderr(s);
        fprintf(stderr, "asyncabi-check: error: a worker failed after its last file (%s %d)\n%s",
                WIFSIGNALED(st) ? "signal" : "status",
                WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), text);
        free(text);
        p->worker_trouble = 1;
    } else if (!killed_why && !s->crashed) {
        /* a clean exit: pass on anything it printed (sanitizer warnings) */
        char *text = slot_stderr(s);
        fputs(text, stderr);
        free(text);
    }
    slot_close(s);
}

static const off_t *order_sizes;

static int cmp_size_desc(const void *a, const void *b)
{
    off_t x = order_sizes[*(const size_t *)a], y = order_sizes[*(const size_t *)b];
    if (x != y) {
        return x > y ? -1 : 1;
    }
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static size_t count_distinct(aac_strvec *v)
{
    if (v->len == 0) {
        return 0;
    }
    qsort(v->items, v->len, sizeof *v->items, cmp_str);
    size_t n = 1;
    for (size_t i = 1; i < v->len; i++) {
        n += strcmp(v->items[i - 1], v->items[i]) != 0;
    }
    return n;
}

size_t aac_units_run(const aac_options *opt, const aac_units *units, aac_findings *out,
                     aac_summary *sum)
{
    pool p;
    memset(&p, 0, sizeof p);
    p.opt = opt;
    p.units = units;
    p.results = calloc(units->len + 1, sizeof *p.results);
    p.failed = calloc(units->len + 1, sizeof *p.failed);
    p.reported = calloc(units->len + 1, 1);
    /* Results stay in input order; work is handed out largest file first (balance). */
    off_t *sizes = calloc(units->len + 1, sizeof *sizes);
    p.order = malloc((units->len + 1) * sizeof *p.order);
    size_t todo = 0;
    for (size_t i = 0; i < units->len; i++) {
        if (units->items[i].refused) {
            aac_findings_add(&p.results[i], AAC_CHECKER_PARSE_ERROR, units->items[i].file, 1, 1,
                             units->items[i].refused);
            p.failed[i] = 1;
            continue;
        }
        struct stat st;
        sizes[todo] = stat(units->items[i].file, &st) == 0 ? st.st_size : 0;
        p.order[todo++] = i;
    }
    {
        /* sizes[] is indexed like order[] for the sort: map through a copy */
        off_t *by_unit = calloc(units->len + 1, sizeof *by_unit);
        for (size_t j = 0; j < todo; j++) {
            by_unit[p.order[j]] = sizes[j];
        }
        order_sizes = by_unit;
        qsort(p.order, todo, sizeof *p.order, cmp_size_desc);
        order_sizes = NULL;
        free(by_unit);
    }
    free(sizes);
    size_t total = todo;
    p.total = total;
    int jobs = opt->jobs < 1 ? 1 : opt->jobs;
    if ((size_t)jobs > total) {
        jobs = (int)total;
    }
    slot *slots = calloc((size_t)(jobs > 0 ? jobs : 1), sizeof *slots);
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    int live = 0;
    p.next = mmap(NULL, sizeof *p.next, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
                  0);
    if (p.next == MAP_FAILED) {
        p.next = NULL;
        jobs = 0;
    } else {
        atomic_init(p.next, 0);
    }
    for (int i = 0; i < jobs; i++) {
        slots[i].res = slots[i].err = -1;
    }
    for (int i = 0; i < jobs; i++) {
        if (spawn(&p, &slots[i]) == 0) {
            live++;
        }
    }
    if (live == 0 && total > 0) {
        fprintf(stderr, "asyncabi-check: error: cannot start a worker process: %s\n",
                strerror(errno));
        for (size_t j = 0; j < total; j++) {
            unit_failed(&p, p.order[j], "not checked: no worker process could be started");
        }
        total = 0;
    }
    struct pollfd *pfd = calloc((size_t)(jobs > 0 ? jobs : 1), sizeof *pfd);
    while (live > 0) {
        int n = 0;
        long long now = now_ns(), wait_ms = -1;
        for (int i = 0; i < jobs; i++) {
            if (slots[i].pid <= 0) {
                continue;
            }
            pfd[n].fd = slots[i].res;
            pfd[n].events = POLLIN;
            pfd[n].revents = 0;
            n++;
            if (opt->timeout_s > 0 && slots[i].unit >= 0) {
                long long left =
                    (slots[i].started + (long long)opt->timeout_s * 1000000000LL - now) / 1000000;
                if (left < 0) {
                    left = 0;
                }
                if (wait_ms < 0 || left < wait_ms) {
                    wait_ms = left + 1;
                }
            }
        }
        int r = poll(pfd, (nfds_t)n, (int)(wait_ms > 600000 ? 600000 : wait_ms));
        if (r < 0 && errno != EINTR) {
            break;
        }
        int j = 0;
        for (int i = 0; i < jobs; i++) {
            slot *s = &slots[i];
            if (s->pid <= 0) {
                continue;
            }
            struct pollfd *f = &pfd[j++];
            int ended = 0;
            if (r > 0 && (f->revents & (POLLIN | POLLHUP | POLLERR))) {
                if (s->len + 65536 > s->cap) {
                    s->cap = s->len + 65536 * 2;
                    s->buf = realloc(s->buf, s->cap);
                    if (!s->buf) {
                        abort();
                    }
                }
                ssize_t got = read(s->res, s->buf + s->len, s->cap - s->len);
                if (got > 0) {
                    s->len += (size_t)got;
                    drain(&p, s);
                } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                    reap(&p, s, NULL);
                    ended = 1;
                }
            }
            if (!ended && s->unit >= 0 && opt->timeout_s > 0 &&
                now_ns() - s->started > (long long)opt->timeout_s * 1000000000LL) {
                kill(s->pid, SIGKILL);
                char why[160];
                snprintf(why, sizeof why,
                         "parsing and checking this file took longer than %d s (--timeout)",
                         opt->timeout_s);
                reap(&p, s, why);
                ended = 1;
            }
            if (ended) {
                live--;
                if (atomic_load(p.next) < total && spawn(&p, s) == 0) {
                    live++;
                }
            }
        }
        if (live == 0 && p.next && atomic_load(p.next) < total) {
            /* every worker died and none could be restarted */
            size_t j;
            while ((j = atomic_fetch_add(p.next, 1)) < total) {
                unit_failed(&p, p.order[j], "not checked: no worker process could be started");
            }
        }
    }
    signal(SIGPIPE, old_pipe);
    /* nothing that did not run may read as passed */
    for (size_t j = 0; j < total; j++) {
        if (!p.reported[p.order[j]]) {
            unit_failed(&p, p.order[j], "not checked: its worker ended before reporting it");
        }
    }
    for (int i = 0; i < jobs; i++) {
        free(slots[i].buf);
    }
    free(slots);
    free(pfd);
    if (p.next) {
        munmap(p.next, sizeof *p.next);
    }
    if (getenv("AAC_TIMING")) {
        fprintf(stderr,
                "asyncabi-check: timing (thread-seconds): parse %.3f, diagnostics+model %.3f, "
                "rules %.3f, dispose %.3f\n",
                timing_ns[0] / 1e9, timing_ns[1] / 1e9, timing_ns[2] / 1e9, timing_ns[3] / 1e9);
    }
    size_t failed = 0;
    for (size_t i = 0; i < units->len; i++) {
        aac_findings_move(out, &p.results[i]);
        failed += p.failed[i] != 0;
    }
    sum->files = units->len;
    sum->failed = failed;
    sum->exports = count_distinct(&p.names[0]);
    sum->families = count_distinct(&p.names[1]);
    sum->vtables = count_distinct(&p.names[2]);
    for (int i = 0; i < 3; i++) {
        aac_strvec_free(&p.names[i]);
    }
    free(p.results);
    free(p.failed);
    free(p.reported);
    free(p.order);
    return failed + (p.worker_trouble ? 1 : 0);
}
