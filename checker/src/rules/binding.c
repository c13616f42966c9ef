/* Binding-side rules, for C and C++ runners that drive futures through the ABI.
 *
 *   binding-handle-leak           a handle returned by an async export reaches
 *                                 ffi_*_rust_future_free_* on every path (or is handed on:
 *                                 returned, stored, kept by a helper)
 *   binding-complete-before-ready complete is called only after evidence that the
 *                                 continuation reported READY: a loop that polls, a condition
 *                                 or loop that tests a *READY constant (enum or #define), a
 *                                 helper that does either
 *   binding-use-after-free        no cancel, poll, complete or second free after free
 *
 * Method: a path walk (flow.h) per function that creates handles; handles are tracked by place
 * (a variable or a struct field: `h`, `op.handle`). A call to a function of this TU applies its
 * handle summary (what it does to the handles it is given, computed once by the same walk over
 * its body): it frees, polls, waits for READY, completes or keeps them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "rules/common.h"
#include "rules/rules.h"
#include "walk.h"

enum {
    H_CREATED = 1,
    H_FREED = 2,
    H_ESCAPED = 4,
    H_POLLED = 8,
    H_READY = 16,
    H_COMPLETED = 32,
    H_UNREADY_COMPLETE = 64 /* completed without READY evidence (summary mode) */
};

#define BSUM_MAX 16

/* What a function does to the handles reached from its parameters. */
typedef struct aac_bsum {
    int state; /* 0 fresh, 1 being computed, 2 done */
    int n;
    struct {
        int param;
        char suffix[48];   /* "" for the parameter itself, ".handle" for param->handle */
        unsigned must;     /* on every exit */
        unsigned may;      /* on some exit */
        int unready_complete; /* completes it without READY evidence of its own */
        int exits;
    } e[BSUM_MAX];
    int waits_ready; /* loops until a *READY constant is seen: READY for what was polled */
} aac_bsum;

typedef struct bind_ud {
    aac_state reported; /* creation sites already reported as leaks */
    aac_bsum *sum;      /* summary mode: collect, do not report */
    aac_func *f;
} bind_ud;

static int is_export_call(CXCursor e)
{
    CXCursor c = aac_strip(e);
    return c.kind == CXCursor_CallExpr && aac_is_async_export_decl(clang_getCursorReferenced(c));
}

static int is_place(CXCursor c)
{
    return c.kind == CXCursor_DeclRefExpr || c.kind == CXCursor_MemberRefExpr;
}

static aac_item *tracked_key(aac_state *st, const char *key)
{
    return aac_state_get(st, key);
}

/* The tracked place an expression names, or NULL (borrowed pointer into st). */
static aac_item *tracked(aac_flow *fl, aac_state *st, CXCursor e)
{
    CXCursor c = aac_strip(e);
    if (!is_place(c)) {
        return NULL;
    }
    char *key = aac_place_key(fl->t->tu, c);
    aac_item *it = tracked_key(st, key);
    free(key);
    return it;
}

static void set(aac_item *it, unsigned bits)
{
    it->may |= bits;
    it->must |= bits;
}

/* A local pointer initialised by malloc/calloc here: the object is this function's own. */
static int fresh_allocation(CXCursor var)
{
    if (var.kind != CXCursor_VarDecl) {
        return 0;
    }
    CXCursor init = aac_strip(clang_Cursor_getVarDeclInitializer(var));
    if (init.kind != CXCursor_CallExpr) {
        return 0;
    }
    char *callee = aac_callee_name(init, NULL);
    int fresh = !strcmp(callee, "malloc") || !strcmp(callee, "calloc") ||
                !strcmp(callee, "aligned_alloc");
    free(callee);
    return fresh;
}

static void create(aac_flow *fl, aac_state *st, const char *key, CXCursor call, int escaped)
{
    (void)fl;
    aac_item *it = aac_state_put(st, key, call);
    it->may = it->must = H_CREATED | (escaped ? H_ESCAPED : 0);
    it->where = call;
}

typedef struct esc_scan {
    aac_flow *fl;
    aac_state *st;
} esc_scan;

static enum CXChildVisitResult esc_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    esc_scan *s = data;
    if (aac_walk_skip(c)) {
        return CXChildVisit_Continue;
    }
    if (is_place(c)) {
        aac_item *it = tracked(s->fl, s->st, c);
        if (it) {
            set(it, H_ESCAPED);
        }
        /* handing on a struct hands on the handles in it */
        char *key = aac_place_key(s->fl->t->tu, c);
        size_t kl = strlen(key);
        for (size_t i = 0; i < s->st->n; i++) {
            if (!strncmp(s->st->items[i].key, key, kl) && s->st->items[i].key[kl] == '.') {
                set(&s->st->items[i], H_ESCAPED);
            }
        }
        free(key);
        return CXChildVisit_Continue; /* `c.sem` hands on c.sem, not all of c */
    }
    return CXChildVisit_Recurse;
}

static void escape_all_in(aac_flow *fl, aac_state *st, CXCursor e)
{
    esc_scan s = {fl, st};
    esc_visit(e, clang_getNullCursor(), &s);
    clang_visitChildren(e, esc_visit, &s);
}

static void mark_ready(aac_state *st)
{
    for (size_t i = 0; i < st->n; i++) {
        if (st->items[i].may & H_POLLED) {
            set(&st->items[i], H_READY);
        }
    }
}

/* Names of functions declared elsewhere that wait for READY (no body to look into); the
 * system's own waits (sem_wait, pthread_cond_wait, ...) only wait for a signal. */
static int ready_helper(const char *name)
{
    if (aac_blocking_fn(name)) {
        return 0;
    }
    return strstr(name, "wait") || strstr(name, "ready") || strstr(name, "block_on") ||
           strstr(name, "until") || strstr(name, "drive") || strstr(name, "run_loop");
}

/* Library functions that read their arguments and keep nothing (formatting, logging). */
static int keeps_nothing(const char *name)
{
    return strstr(name, "printf") || strstr(name, "syslog") || !strcmp(name, "puts") ||
           !strcmp(name, "fputs") || !strcmp(name, "perror") || !strcmp(name, "__assert_fail") ||
           !strcmp(name, "free") || /* frees the holder, not what it held */
           aac_blocking_fn(name) || !strncmp(name, "sem_", 4) || !strncmp(name, "pthread_", 8);
}

/* Does `cond` test a READY constant (an enumerator or macro whose name ends in READY)?
 * Returns 1 for `== READY` (or a bare mention), -1 for `!= READY`, 0 otherwise. */
static int tests_ready(aac_tu *t, CXCursor cond)
{
    if (clang_Cursor_isNull(cond)) {
        return 0;
    }
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(t->tu, clang_getCursorExtent(cond), &toks, &n);
    int found = 0, negated = 0;
    for (unsigned i = 0; i < n && i < 64; i++) {
        CXString s = clang_getTokenSpelling(t->tu, toks[i]);
        const char *p = clang_getCString(s);
        size_t l = strlen(p);
        if (!strcmp(p, "!=")) {
            negated = 1;
        }
        if (clang_getTokenKind(toks[i]) == CXToken_Identifier && l >= 5 &&
            !strcmp(p + l - 5, "READY") && isupper((unsigned char)p[0])) {
            found = 1;
        }
        clang_disposeString(s);
    }
    if (toks) {
        clang_disposeTokens(t->tu, toks, n);
    }
    return found ? (negated ? -1 : 1) : 0;
}

static CXCursor loop_cond(CXCursor loop)
{
    CXCursor k[4];
    int n = aac_children(loop, k, 4);
    if (n < 2 || n > 4) {
        return clang_getNullCursor();
    }
    if (loop.kind == CXCursor_DoStmt) {
        return k[1];
    }
    if (loop.kind == CXCursor_WhileStmt) {
        return k[0];
    }
    return n == 4 ? k[1] : clang_getNullCursor();
}

static aac_bsum *bsum_of(aac_tu *t, aac_func *g);

static void report(aac_flow *fl, aac_rule_id rule, CXCursor at, const char *fmt, const char *a,
                   const char *b)
{
    bind_ud *ud = fl->ud;
    if (ud->sum) {
        return;
    }
    aac_report(fl->t, rule, at, fmt, a, b);
}

/* A handle operation (poll, cancel, complete, free) on item `it`, at `c`. */
static void handle_op(aac_flow *fl, aac_item *it, const char *op, const char *what, CXCursor c,
                      unsigned bits, int unready_complete)
{
    bind_ud *ud = fl->ud;
    if (it->may & H_FREED) {
        report(fl, AAC_BINDING_USE_AFTER_FREE, c,
               "'%s' on handle '%s' after it was freed: free must be the last call", what,
               it->key);
    } else if (!strcmp(op, "complete") && !(it->must & H_READY)) {
        if (ud->sum) {
            it->may |= H_UNREADY_COMPLETE;
        } else {
            report(fl, AAC_BINDING_COMPLETE_BEFORE_READY, c,
                   "'%s' on handle '%s' before its continuation reported READY: poll until the "
                   "continuation is called with 0 (READY), then complete",
                   what, it->key);
        }
    } else if (unready_complete && !(it->must & H_READY)) {
        report(fl, AAC_BINDING_COMPLETE_BEFORE_READY, c,
               "'%s' completes handle '%s' before its continuation reported READY: poll until "
               "the continuation is called with 0 (READY), then complete",
               what, it->key);
    }
    if (bits & H_FREED) {
        set(it, H_FREED);
    }
    if (bits & H_POLLED) {
        set(it, H_POLLED);
    }
    if (bits & H_READY) {
        set(it, H_READY);
    }
}

static int param_named(aac_func *f, const char *name)
{
    int n = clang_Cursor_getNumArguments(f->cursor);
    for (int i = 0; i < n; i++) {
        char *pn = aac_spelling(clang_Cursor_getArgument(f->cursor, (unsigned)i));
        int ok = !strcmp(pn, name);
        free(pn);
        if (ok) {
            return 1;
        }
    }
    return 0;
}

/* The call `c` passes argument `arg` to parameter `i` of `g`: apply g's handle summary. */
static int apply_summary(aac_flow *fl, aac_state *st, aac_bsum *gs, int i, CXCursor arg,
                         CXCursor c, const char *callee)
{
    CXCursor a = aac_strip(arg);
    if (a.kind == CXCursor_UnaryOperator) { /* &op */
        CXCursor k[2];
        if (aac_children(a, k, 2) == 1) {
            a = aac_strip(k[0]);
        }
    }
    if (!is_place(a)) {
        return 0;
    }
    char *base = aac_place_key(fl->t->tu, a);
    int applied = 0;
    for (int e = 0; e < gs->n; e++) {
        if (gs->e[e].param != i) {
            continue;
        }
        char key[200];
        snprintf(key, sizeof key, "%s%s", base, gs->e[e].suffix);
        aac_item *it = tracked_key(st, key);
        unsigned must = gs->e[e].must, may = gs->e[e].may;
        bind_ud *ud = fl->ud;
        if (!it && gs->e[e].suffix[0] && ((may & H_FREED) || (ud->sum && param_named(ud->f, base)))) {
            it = aac_state_put(st, key, c); /* a handle in a struct, freed by a helper */
        }
        if (!it) {
            continue;
        }
        applied = 1;
        if (may & H_ESCAPED) {
            set(it, H_ESCAPED);
        }
        const char *op = (may & (H_FREED | H_POLLED | H_COMPLETED)) ? "use" : "none";
        if (strcmp(op, "none") || gs->e[e].unready_complete) {
            handle_op(fl, it, gs->e[e].unready_complete ? "helper-complete" : op, callee, c,
                      must & (H_FREED | H_POLLED | H_READY), gs->e[e].unready_complete);
        }
        if ((may & H_FREED) && !(must & H_FREED)) {
            it->may |= H_FREED;
        }
    }
    free(base);
    return applied;
}

static void on_event(aac_flow *fl, aac_state *st, CXCursor c)
{
    bind_ud *ud = fl->ud;
    switch (c.kind) {
    case CXCursor_VarDecl: {
        CXCursor init = clang_Cursor_getVarDeclInitializer(c);
        if (!clang_Cursor_isNull(init) && is_export_call(init)) {
            char *name = aac_spelling(c);
            create(fl, st, name, aac_strip(init), 0);
            free(name);
        } else if (!clang_Cursor_isNull(init) && is_place(aac_strip(init))) {
            escape_all_in(fl, st, aac_strip(init));
        }
        return;
    }
    case CXCursor_BinaryOperator: {
        CXCursor k[3];
        if (aac_children(c, k, 3) != 2) {
            return;
        }
        CXCursor lhs = aac_strip(k[0]);
        if (is_export_call(k[1]) && is_place(lhs) && aac_is_assignment(fl->t->tu, c, NULL, NULL)) {
            char *key = aac_place_key(fl->t->tu, lhs);
            /* stored through a pointer it is the pointee owner's: still checked for use after
             * free and complete before READY, not for leaks */
            int through_ptr = 0;
            CXCursor root = lhs;
            for (int g = 0; g < 8 && root.kind == CXCursor_MemberRefExpr; g++) {
                CXCursor kk[2];
                if (aac_children(root, kk, 2) < 1) {
                    break;
                }
                root = aac_strip(kk[0]);
            }
            if (lhs.kind == CXCursor_MemberRefExpr) {
                CXCursor rd = aac_ref(root);
                CXType rt = clang_getCanonicalType(clang_getCursorType(rd));
                through_ptr = !aac_is_automatic(rd) ||
                              (rt.kind == CXType_Pointer && !fresh_allocation(rd));
            }
            create(fl, st, key, aac_strip(k[1]), through_ptr);
            free(key);
        } else if (is_place(aac_strip(k[1])) && aac_is_assignment(fl->t->tu, c, NULL, NULL)) {
            escape_all_in(fl, st, aac_strip(k[1])); /* h, or a struct holding handles */
        }
        return;
    }
    case CXCursor_DeclRefExpr: {
        CXCursor d = clang_getCursorReferenced(c);
        if (d.kind == CXCursor_EnumConstantDecl) {
            char *n = aac_spelling(d);
            size_t l = strlen(n);
            if (l >= 10 && !strcmp(n + l - 10, "POLL_READY")) {
                mark_ready(st);
            }
            free(n);
        }
        return;
    }
    case CXCursor_CallExpr:
        break;
    default:
        return;
    }
    int direct = 0;
    char *callee = aac_callee_name(c, &direct);
    char op[16];
    int nargs = clang_Cursor_getNumArguments(c);
    aac_func *g = direct ? aac_tu_func(fl->t, callee) : NULL;
    if (direct && aac_future_fn_parts(callee, NULL, 0, op, sizeof op, NULL, 0) && nargs >= 1) {
        CXCursor a0 = aac_strip(clang_Cursor_getArgument(c, 0));
        aac_item *it = tracked(fl, st, a0);
        if (!it && ud->sum && is_place(a0)) {
            /* summary mode: a handle reached from a parameter (param->handle) */
            char *key = aac_place_key(fl->t->tu, a0);
            for (int i = 0; i < clang_Cursor_getNumArguments(ud->f->cursor); i++) {
                char *pn = aac_spelling(clang_Cursor_getArgument(ud->f->cursor, (unsigned)i));
                size_t pl = strlen(pn);
                if (!strncmp(key, pn, pl) && key[pl] == '.') {
                    it = aac_state_put(st, key, c);
                }
                free(pn);
            }
            free(key);
        }
        if (it) {
            unsigned bits = !strcmp(op, "free")   ? H_FREED
                            : !strcmp(op, "poll") ? H_POLLED
                                                  : 0;
            if (!strcmp(op, "complete")) {
                it->may |= H_COMPLETED;
            }
            handle_op(fl, it, op, callee, c, bits, 0);
        }
    } else if (g && g != ud->f) {
        aac_bsum *gs = bsum_of(fl->t, g);
        for (int i = 0; i < nargs; i++) {
            CXCursor arg = clang_Cursor_getArgument(c, (unsigned)i);
            if (!gs || !apply_summary(fl, st, gs, i, arg, c, callee)) {
                if (!gs) {
                    escape_all_in(fl, st, arg);
                }
            }
        }
        if (gs && gs->waits_ready) {
            mark_ready(st);
        }
    } else {
        int waits = direct && !g && ready_helper(callee);
        for (int i = 0; i < nargs; i++) {
            CXCursor arg = clang_Cursor_getArgument(c, (unsigned)i);
            aac_item *it = waits ? tracked(fl, st, arg) : NULL;
            if (it && !(it->may & H_FREED)) {
                set(it, H_POLLED | H_READY); /* wait_until_ready(h): it drives h itself */
            } else if (!(direct && keeps_nothing(callee))) {
                escape_all_in(fl, st, arg);
            }
        }
        if (waits) {
            mark_ready(st);
        }
    }
    free(callee);
}

typedef struct poll_in_loop {
    aac_flow *fl;
    aac_state *st;
} poll_in_loop;

static enum CXChildVisitResult loop_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    poll_in_loop *p = data;
    if (aac_walk_skip(c)) {
        return CXChildVisit_Continue;
    }
    if (c.kind == CXCursor_CallExpr) {
        int direct = 0;
        char *callee = aac_callee_name(c, &direct);
        char op[16];
        int nargs = clang_Cursor_getNumArguments(c);
        if (aac_future_fn_parts(callee, NULL, 0, op, sizeof op, NULL, 0) && !strcmp(op, "poll") &&
            nargs >= 1) {
            aac_item *it = tracked(p->fl, p->st, clang_Cursor_getArgument(c, 0));
            if (it) {
                set(it, H_READY);
            }
        } else if (direct) {
            /* a helper that polls what it is given, called in a loop */
            aac_func *g = aac_tu_func(p->fl->t, callee);
            aac_bsum *gs = g ? bsum_of(p->fl->t, g) : NULL;
            for (int e = 0; gs && e < gs->n; e++) {
                if (!(gs->e[e].may & H_POLLED) || gs->e[e].param >= nargs) {
                    continue;
                }
                CXCursor a = aac_strip(clang_Cursor_getArgument(c, (unsigned)gs->e[e].param));
                if (a.kind == CXCursor_UnaryOperator) {
                    CXCursor k[2];
                    if (aac_children(a, k, 2) == 1) {
                        a = aac_strip(k[0]);
                    }
                }
                if (!is_place(a)) {
                    continue;
                }
                char *base = aac_place_key(p->fl->t->tu, a);
                char key[200];
                snprintf(key, sizeof key, "%s%s", base, gs->e[e].suffix);
                free(base);
                aac_item *it = tracked_key(p->st, key);
                if (it) {
                    set(it, H_READY);
                }
            }
        }
        free(callee);
    }
    return CXChildVisit_Recurse;
}

/* A loop that polls a handle, or that runs until a READY constant is seen, ends READY. */
static void on_loop(aac_flow *fl, aac_state *st, CXCursor loop)
{
    bind_ud *ud = fl->ud;
    if (tests_ready(fl->t, loop_cond(loop)) != 0) {
        mark_ready(st);
        if (ud->sum) {
            ud->sum->waits_ready = 1;
        }
    }
    poll_in_loop p = {fl, st};
    clang_visitChildren(loop, loop_visit, &p);
}

/* `if (code == READY)`: the then-arm has seen READY; `if (code != READY)` the else-arm. */
static void on_branch(aac_flow *fl, CXCursor cond, aac_state *then_st, aac_state *else_st)
{
    int r = tests_ready(fl->t, cond);
    if (r > 0) {
        mark_ready(then_st);
    } else if (r < 0) {
        mark_ready(else_st);
    }
}

/* `if (!h) return ...;`: handle 0 is the export's allocation failure, nothing to free. */
static int null_handle_path(aac_flow *fl, const char *name)
{
    if (clang_Cursor_isNull(fl->if_cond)) {
        return 0;
    }
    char *text = aac_place_key(fl->t->tu, fl->if_cond); /* `!u->fut` as `!u.fut` */
    char buf[256];
    size_t w = 0;
    for (const char *p = text; *p && w + 1 < sizeof buf; p++) {
        if (*p != '(' && *p != ')') {
            buf[w++] = *p;
        }
    }
    buf[w] = 0;
    free(text);
    char a[160], b[160], c[160];
    snprintf(a, sizeof a, "!%s", name);
    snprintf(b, sizeof b, "%s==0", name);
    snprintf(c, sizeof c, "0==%s", name);
    return !strcmp(buf, a) || !strcmp(buf, b) || !strcmp(buf, c);
}

static void sum_exit(aac_flow *fl, aac_state *st)
{
    bind_ud *ud = fl->ud;
    aac_bsum *s = ud->sum;
    for (int i = 0; i < s->n; i++) {
        char *pn = aac_spelling(clang_Cursor_getArgument(ud->f->cursor, (unsigned)s->e[i].param));
        char key[160];
        snprintf(key, sizeof key, "%s%s", pn, s->e[i].suffix);
        free(pn);
        aac_item *it = aac_state_get(st, key);
        unsigned must = it ? it->must : 0, may = it ? it->may : 0;
        s->e[i].must = s->e[i].exits ? (s->e[i].must & must) : must;
        s->e[i].may |= may;
        s->e[i].unready_complete |= (may & H_UNREADY_COMPLETE) != 0;
        s->e[i].exits++;
    }
    /* entries for param->field handles first seen on this path */
    for (size_t j = 0; j < st->n && s->n < BSUM_MAX; j++) {
        const char *key = st->items[j].key;
        const char *dot = strchr(key, '.');
        if (!dot) {
            continue;
        }
        int n = clang_Cursor_getNumArguments(ud->f->cursor);
        for (int p = 0; p < n && p < 32; p++) {
            char *pn = aac_spelling(clang_Cursor_getArgument(ud->f->cursor, (unsigned)p));
            size_t pl = strlen(pn);
            int match = (size_t)(dot - key) == pl && !strncmp(key, pn, pl);
            free(pn);
            if (!match) {
                continue;
            }
            int known = 0;
            for (int i = 0; i < s->n && !known; i++) {
                known = s->e[i].param == p && !strcmp(s->e[i].suffix, dot);
            }
            if (!known) {
                int i = s->n++;
                memset(&s->e[i], 0, sizeof s->e[i]);
                s->e[i].param = p;
                snprintf(s->e[i].suffix, sizeof s->e[i].suffix, "%s", dot);
                s->e[i].must = st->items[j].must;
                s->e[i].may = st->items[j].may;
                s->e[i].unready_complete = (st->items[j].may & H_UNREADY_COMPLETE) != 0;
                s->e[i].exits = 1;
            }
        }
    }
}

static void on_exit_(aac_flow *fl, aac_state *st, CXCursor at, int is_return)
{
    bind_ud *ud = fl->ud;
    if (is_return) {
        escape_all_in(fl, st, at);
    }
    if (ud->sum) {
        sum_exit(fl, st);
        return;
    }
    for (size_t i = 0; i < st->n; i++) {
        aac_item *it = &st->items[i];
        if (!(it->may & H_CREATED) || (it->must & H_FREED) || (it->may & H_ESCAPED)) {
            continue;
        }
        if (is_return && null_handle_path(fl, it->key)) {
            continue;
        }
        unsigned line, col;
        aac_line_col(clang_getCursorLocation(it->where), &line, &col);
        char key[300];
        snprintf(key, sizeof key, "%s@%u:%u", it->key, line, col);
        if (aac_state_get(&ud->reported, key)) {
            continue;
        }
        aac_state_put(&ud->reported, key, it->where);
        if (is_return) {
            aac_report(fl->t, AAC_BINDING_HANDLE_LEAK, at,
                       "this return leaks future handle '%s' (created at line %u): every path "
                       "must call ffi_*_rust_future_free_* on it",
                       it->key, line);
        } else {
            aac_report(fl->t, AAC_BINDING_HANDLE_LEAK, it->where,
                       "future handle '%s' may leak: the path that reaches the end of '%s' "
                       "never calls ffi_*_rust_future_free_* on it",
                       it->key, ud->f->name);
        }
    }
}

static void run(aac_tu *t, aac_func *f, aac_bsum *sum)
{
    CXCursor body = aac_body(f->cursor);
    if (clang_Cursor_isNull(body)) {
        return;
    }
    bind_ud ud;
    memset(&ud, 0, sizeof ud);
    ud.sum = sum;
    ud.f = f;
    aac_flow fl;
    memset(&fl, 0, sizeof fl);
    fl.t = t;
    fl.join = AAC_JOIN_UNION;
    fl.ud = &ud;
    fl.on_event = on_event;
    fl.on_exit = on_exit_;
    fl.on_loop = on_loop;
    fl.on_branch = on_branch;
    aac_state st = {0};
    if (sum) {
        /* the parameters that can carry a handle: uint64_t, or a pointer to a struct */
        int n = clang_Cursor_getNumArguments(f->cursor);
        for (int i = 0; i < n && sum->n < BSUM_MAX; i++) {
            CXCursor p = clang_Cursor_getArgument(f->cursor, (unsigned)i);
            if (!aac_type_is_u64(clang_getCursorType(p))) {
                continue;
            }
            char *pn = aac_spelling(p);
            aac_state_put(&st, pn, p);
            free(pn);
            int k = sum->n++;
            memset(&sum->e[k], 0, sizeof sum->e[k]);
            sum->e[k].param = i;
        }
    }
    aac_flow_run(&fl, body, &st);
    aac_state_clear(&ud.reported);
}

static aac_bsum *bsum_of(aac_tu *t, aac_func *g)
{
    if (g->bsum) {
        return g->bsum->state == 2 ? g->bsum : NULL; /* recursion: unknown */
    }
    g->bsum = calloc(1, sizeof *g->bsum);
    if (!g->bsum) {
        abort();
    }
    g->bsum->state = 1;
    run(t, g, g->bsum);
    g->bsum->state = 2;
    return g->bsum;
}

void aac_rules_binding(aac_tu *t)
{
    if (!aac_enabled(t, AAC_BINDING_HANDLE_LEAK) && !aac_enabled(t, AAC_BINDING_USE_AFTER_FREE) &&
        !aac_enabled(t, AAC_BINDING_COMPLETE_BEFORE_READY)) {
        return;
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (f->facts & AAC_FACT_CALLS_EXPORT) {
            run(t, f, NULL);
        }
    }
}
