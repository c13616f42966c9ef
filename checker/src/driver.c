/* Units, the worker pool, and the per-unit pipeline: parse once, map clang's diagnostics,
 * collect the AST model once, run every rule family. */
#include "driver.h"

#include <clang-c/CXCompilationDatabase.h>
#include <clang-c/Index.h>
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ast.h"
#include "rules/rules.h"

#ifndef AAC_RUNTIME_INCLUDE_DIR
#define AAC_RUNTIME_INCLUDE_DIR ""
#endif

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
    if (!opt->no_default_includes && AAC_RUNTIME_INCLUDE_DIR[0]) {
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

static void scan_dir(const char *dir, aac_strvec *out)
{
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
        if (stat(path, &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            scan_dir(path, out);
        } else if (has_ext(path, dir_exts)) {
            aac_strvec_push(out, path);
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

int aac_units_collect(const aac_options *opt, aac_units *units)
{
    aac_strvec files = {0};
    for (size_t i = 0; i < opt->inputs.len; i++) {
        const char *in = opt->inputs.items[i];
        struct stat st;
        if (stat(in, &st) != 0) {
            fprintf(stderr, "asyncabi-check: error: no such file or directory: '%s'\n", in);
            aac_strvec_free(&files);
            return 2;
        }
        if (S_ISDIR(st.st_mode)) {
            scan_dir(in, &files);
        } else {
            aac_strvec_push(&files, in);
        }
    }
    CXCompilationDatabase db = NULL;
    if (opt->build_dir) {
        CXCompilationDatabase_Error err;
        db = clang_CompilationDatabase_fromDirectory(opt->build_dir, &err);
        if (err != CXCompilationDatabase_NoError || !db) {
            fprintf(stderr,
                    "asyncabi-check: error: cannot load compile_commands.json from '%s'\n",
                    opt->build_dir);
            aac_strvec_free(&files);
            return 2;
        }
    }
    if (db && opt->inputs.len == 0) {
        CXCompileCommands all = clang_CompilationDatabase_getAllCompileCommands(db);
        unsigned n = clang_CompileCommands_getSize(all);
        for (unsigned i = 0; i < n; i++) {
            CXCompileCommand cmd = clang_CompileCommands_getCommand(all, i);
            CXString fs = clang_CompileCommand_getFilename(cmd);
            const char *f = clang_getCString(fs);
            char abs[PATH_MAX];
            if (f[0] != '/') {
                CXString ds = clang_CompileCommand_getDirectory(cmd);
                snprintf(abs, sizeof abs, "%s/%s", clang_getCString(ds), f);
                clang_disposeString(ds);
            } else {
                snprintf(abs, sizeof abs, "%s", f);
            }
            int dup = 0;
            for (size_t k = 0; k < units->len; k++) {
                dup |= !strcmp(units->items[k].file, abs);
            }
            if (!dup && has_ext(abs, dir_exts)) {
                aac_unit *x = units_add(units, abs);
                db_args(cmd, f, x);
                common_args(opt, x);
            }
            clang_disposeString(fs);
        }
        clang_CompileCommands_dispose(all);
    }
    for (size_t i = 0; i < files.len; i++) {
        aac_unit *x = units_add(units, files.items[i]);
        CXCompileCommands cmds = NULL;
        if (db) {
            char abs[PATH_MAX];
            if (realpath(files.items[i], abs)) {
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
    aac_strvec_free(&files);
    if (db) {
        clang_CompilationDatabase_dispose(db);
    }
    if (units->len == 0) {
        fprintf(stderr, "asyncabi-check: error: nothing to check (give files, directories or -p)\n");
        return 2;
    }
    return 0;
}

void aac_units_free(aac_units *units)
{
    for (size_t i = 0; i < units->len; i++) {
        free(units->items[i].file);
        aac_strvec_free(&units->items[i].args);
    }
    free(units->items);
    units->items = NULL;
    units->len = units->cap = 0;
}

/* ---- the pool ---- */

typedef struct pool {
    const aac_options *opt;
    const aac_units *units;
    size_t *order;         /* largest files first: the last file to start is a small one */
    aac_findings *results; /* one per unit */
    int *failed;           /* one per unit */
    atomic_size_t next;
} pool;

static void diag_location(CXDiagnostic d, char **file, unsigned *line, unsigned *col)
{
    CXSourceLocation loc = clang_getDiagnosticLocation(d);
    CXFile f;
    clang_getExpansionLocation(loc, &f, line, col, NULL);
    CXString s = clang_getFileName(f);
    *file = strdup(clang_getCString(s) ? clang_getCString(s) : "");
    clang_disposeString(s);
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
                aac_findings_add(t->out, AAC_CHECKER_PARSE_ERROR, file[0] ? file : unit_file,
                                 file[0] ? line : 1, file[0] ? col : 1, clang_getCString(msg));
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

static void run_unit(CXIndex idx, const aac_options *opt, const aac_unit *u, aac_findings *out,
                     int *failed)
{
    long long t0 = now_ns();
    const char **argv = malloc((u->args.len + 1) * sizeof *argv);
    for (size_t i = 0; i < u->args.len; i++) {
        argv[i] = u->args.items[i];
    }
    CXTranslationUnit tu = NULL;
    enum CXErrorCode ec = clang_parseTranslationUnit2(
        idx, u->file, argv, (int)u->args.len, NULL, 0, CXTranslationUnit_KeepGoing, &tu);
    free(argv);
    long long t1 = now_ns();
    atomic_fetch_add(&timing_ns[0], t1 - t0);
    if (ec != CXError_Success || !tu) {
        char m[256];
        snprintf(m, sizeof m, "cannot parse this file (libclang error %d)", (int)ec);
        aac_findings_add(out, AAC_CHECKER_PARSE_ERROR, u->file, 1, 1, m);
        *failed = 1;
        return;
    }
    aac_tu t;
    memset(&t, 0, sizeof t);
    t.tu = tu;
    t.opt = opt;
    t.out = out;
    t.is_cxx = has_ext(u->file, cxx_exts);
    for (size_t i = 0; i < u->args.len; i++) {
        if (!strcmp(u->args.items[i], "-xc++") || !strncmp(u->args.items[i], "-std=c++", 8) ||
            !strncmp(u->args.items[i], "-std=gnu++", 10)) {
            t.is_cxx = 1;
        }
    }
    if (map_diagnostics(&t, u->file) > 0) {
        *failed = 1;
    }
    aac_tu_collect(&t);
    long long t2 = now_ns();
    aac_rules_run(&t);
    long long t3 = now_ns();
    aac_tu_free(&t);
    clang_disposeTranslationUnit(tu);
    atomic_fetch_add(&timing_ns[1], t2 - t1);
    atomic_fetch_add(&timing_ns[2], t3 - t2);
    atomic_fetch_add(&timing_ns[3], now_ns() - t3);
}

static void *worker(void *arg)
{
    pool *p = arg;
    CXIndex idx = clang_createIndex(0, 0);
    for (;;) {
        size_t k = atomic_fetch_add(&p->next, 1);
        if (k >= p->units->len) {
            break;
        }
        size_t i = p->order[k];
        run_unit(idx, p->opt, &p->units->items[i], &p->results[i], &p->failed[i]);
    }
    clang_disposeIndex(idx);
    return NULL;
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

size_t aac_units_run(const aac_options *opt, const aac_units *units, aac_findings *out)
{
    pool p;
    p.opt = opt;
    p.units = units;
    /* Results stay in input order; work is handed out largest file first (balance). */
    off_t *sizes = calloc(units->len + 1, sizeof *sizes);
    p.order = malloc((units->len + 1) * sizeof *p.order);
    for (size_t i = 0; i < units->len; i++) {
        struct stat st;
        sizes[i] = stat(units->items[i].file, &st) == 0 ? st.st_size : 0;
        p.order[i] = i;
    }
    order_sizes = sizes;
    qsort(p.order, units->len, sizeof *p.order, cmp_size_desc);
    order_sizes = NULL;
    free(sizes);
    p.results = calloc(units->len, sizeof *p.results);
    p.failed = calloc(units->len, sizeof *p.failed);
    atomic_init(&p.next, 0);
    int jobs = opt->jobs < 1 ? 1 : opt->jobs;
    if ((size_t)jobs > units->len) {
        jobs = (int)units->len;
    }
    {
        /* Workers get a large stack: the AST walks recurse as deep as the source nests. */
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, (size_t)64 << 20);
        pthread_t *th = calloc((size_t)jobs, sizeof *th);
        for (int i = 0; i < jobs; i++) {
            if (pthread_create(&th[i], &attr, worker, &p) != 0) {
                th[i] = 0;
            }
        }
        pthread_attr_destroy(&attr);
        for (int i = 0; i < jobs; i++) {
            if (th[i]) {
                pthread_join(th[i], NULL);
            }
        }
        free(th);
        /* a thread that could not start leaves work: finish it here */
        if (atomic_load(&p.next) < units->len) {
            worker(&p);
        }
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
    free(p.results);
    free(p.failed);
    free(p.order);
    return failed;
}
