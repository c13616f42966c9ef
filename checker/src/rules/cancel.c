/* Cancellation rules.
 *
 *   cancel-frees                 nothing on the cancel path (cancel functions and what they
 *                                call in the TU) frees memory or calls a free-path function
 *   cancel-only-release          a resource released on the cancel path is also released on
 *                                the free path (cancel is optional: bindings may never call it)
 *   free-incomplete-release      a free function releases, on every path, every resource it
 *                                releases on some path (free runs in every state)
 *   foreign-complete-exactly-once a function handed a foreign complete callback calls it
 *                                exactly once on every path, unless it hands it on
 *   cancel-wait-ack              cancel never blocks or spins waiting for the cancellation to
 *                                be acknowledged
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "rules/common.h"
#include "rules/rules.h"
#include "rules/summary.h"
#include "walk.h"

enum { STAMP_CANCEL = 0xCA1 };

static void put_key(void *ud, const char *key, CXCursor at)
{
    aac_item *it = aac_state_put((aac_state *)ud, key, at);
    it->may = it->must = 1;
}

static int is_memory_free_call(const aac_call *c)
{
    char op[16];
    if (!strcmp(c->callee, "free") || !strcmp(c->callee, "munmap") ||
        !strcmp(c->callee, "aa_future_free") || !strcmp(c->callee, "aa_buffer_free")) {
        return 1;
    }
    if (aac_future_fn_parts(c->callee, NULL, 0, op, sizeof op, NULL, 0) && !strcmp(op, "free")) {
        return 1;
    }
    return c->fn && (c->fn->roles & AAC_ROLE_FREE);
}

/* Does the call free memory through a function of this TU (one that frees what it is given, or
 * memory it did not allocate itself)? */
static const aac_fsum *frees_through(aac_tu *t, const aac_call *c)
{
    if (!c->fn) {
        return NULL;
    }
    const aac_fsum *s = aac_fsum_of(t, c->fn);
    if (s->frees_foreign) {
        return s; /* frees what it finds (a table entry, a field), not only what it is given */
    }
    int n = clang_Cursor_getNumArguments(c->cursor);
    for (int i = 0; i < n && i < 32; i++) {
        if (s->frees_param & (1u << i)) {
            return s;
        }
    }
    return NULL;
}

static unsigned line_of(CXCursor c)
{
    unsigned line, col;
    aac_line_col(clang_getCursorLocation(c), &line, &col);
    return line;
}

/* The cancel entry points (ffi_*_rust_future_cancel_*, AA_CANCEL_FN) are checked call by call:
 * a helper's free, release or wait is reported at the entry point's call that leads to it. */
static void check_cancel_paths(aac_tu *t)
{
    int any_cancel = 0, any_free = 0;
    for (size_t i = 0; i < t->nfuncs; i++) {
        any_cancel |= (t->funcs[i].roles & AAC_ROLE_CANCEL) != 0;
        any_free |= (t->funcs[i].roles & AAC_ROLE_FREE) != 0;
    }
    if (!any_cancel) {
        return;
    }
    /* what the free path releases (through its helpers), for cancel-only-release */
    aac_state freed = {0};
    for (size_t i = 0; any_free && i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (!(f->roles & AAC_ROLE_FREE)) {
            continue;
        }
        for (size_t j = 0; j < f->ncalls; j++) {
            aac_call_releases(t, &f->calls[j], 0, put_key, &freed);
        }
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (!(f->roles & AAC_ROLE_CANCEL) || (f->roles & AAC_ROLE_FREE)) {
            continue;
        }
        for (size_t j = 0; j < f->ncalls; j++) {
            aac_call *c = &f->calls[j];
            if (!c->direct) {
                continue;
            }
            const aac_fsum *via = NULL;
            if (is_memory_free_call(c)) {
                aac_report(t, AAC_CANCEL_FREES, c->cursor,
                           "'%s' called on the cancel path (in '%s'): cancel must leave the "
                           "future valid; only free releases it, and free is always called",
                           c->callee, f->name);
            } else if ((via = frees_through(t, c)) != NULL) {
                aac_report(t, AAC_CANCEL_FREES, c->cursor,
                           "'%s' frees memory it did not allocate ('%s' at line %u), called on "
                           "the cancel path (in '%s'): cancel must leave the future valid; only "
                           "free releases it",
                           c->callee, via->free_fn, line_of(via->free_at), f->name);
            } else if (any_free) {
                aac_state rel = {0};
                aac_call_releases(t, c, 0, put_key, &rel);
                for (size_t r = 0; r < rel.n; r++) {
                    if (!aac_state_get(&freed, rel.items[r].key)) {
                        aac_report(t, AAC_CANCEL_ONLY_RELEASE, c->cursor,
                                   "'%s' is released on the cancel path (in '%s'%s%s) but not on "
                                   "the free path: a binding that never calls cancel leaks it",
                                   rel.items[r].key, f->name, c->fn ? ", through " : "",
                                   c->fn ? c->callee : "");
                        break;
                    }
                }
                aac_state_clear(&rel);
            }
            if (aac_blocking_call(c->cursor, c->callee)) {
                aac_report(t, AAC_CANCEL_WAIT_ACK, c->cursor,
                           "'%s' on the cancel path (in '%s') waits: cancel must return at once "
                           "and let free or the next poll observe the cancellation",
                           c->callee, f->name);
            } else if (c->fn && aac_fsum_of(t, c->fn)->blocks) {
                const aac_fsum *gs = aac_fsum_of(t, c->fn);
                aac_report(t, AAC_CANCEL_WAIT_ACK, c->cursor,
                           "'%s' waits ('%s' at line %u), called on the cancel path (in '%s'): "
                           "cancel must return at once and let free or the next poll observe "
                           "the cancellation",
                           c->callee, gs->block_fn, line_of(gs->block_at), f->name);
            }
        }
    }
    aac_state_clear(&freed);
}

/* cancel-wait-ack: spin loops (empty or yield-only bodies) in cancel-path functions. */
static int yield_only(CXCursor body)
{
    if (body.kind == CXCursor_NullStmt) {
        return 1;
    }
    CXCursor k[8];
    int n = aac_children(body, k, 8);
    if (body.kind != CXCursor_CompoundStmt) {
        if (body.kind != CXCursor_CallExpr) {
            return 0;
        }
        k[0] = body;
        n = 1;
    }
    if (n > 8) {
        return 0;
    }
    for (int i = 0; i < n; i++) {
        CXCursor s = aac_strip(k[i]);
        if (s.kind != CXCursor_CallExpr) {
            return 0;
        }
        char *name = aac_callee_name(s, NULL);
        int ok = !strcmp(name, "sched_yield") || !strcmp(name, "thrd_yield") ||
                 strstr(name, "pause") || strstr(name, "relax");
        free(name);
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

static enum CXChildVisitResult spin_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    aac_tu *t = data;
    if (aac_walk_skip(c)) {
        return CXChildVisit_Continue;
    }
    if (c.kind == CXCursor_WhileStmt || c.kind == CXCursor_DoStmt || c.kind == CXCursor_ForStmt) {
        CXCursor k[4];
        int n = aac_children(c, k, 4);
        if (n >= 1 && n <= 4) {
            CXCursor body = c.kind == CXCursor_DoStmt ? k[0] : k[n - 1];
            if (n >= 2 && yield_only(body)) {
                aac_report(t, AAC_CANCEL_WAIT_ACK, c,
                           "cancel path spins until a condition changes: cancel must not wait "
                           "for the cancellation to be acknowledged");
            }
        }
    }
    return CXChildVisit_Recurse;
}

/* ---- free-incomplete-release ---- */

typedef struct free_ud {
    aac_func *f;
    aac_state *per_call; /* per call of f (same index): the resources it releases */
    aac_state universe; /* every resource some path releases (where: the releasing call) */
    aac_state splits;   /* resource -> the condition of the first if whose arms disagree */
    aac_state reported; /* "line:col" of reports made */
} free_ud;

static const aac_call *call_of(aac_func *f, CXCursor c)
{
    CXSourceRange r = clang_getCursorExtent(c);
    for (size_t j = 0; j < f->ncalls; j++) {
        if (clang_equalRanges(clang_getCursorExtent(f->calls[j].cursor), r)) {
            return &f->calls[j];
        }
    }
    return NULL;
}

/* Adds what call `call` releases (computed once per call) to `st`, made at `at`. */
static void put_call_keys(free_ud *ud, const aac_call *call, aac_state *st, CXCursor at)
{
    const aac_state *keys = &ud->per_call[call - ud->f->calls];
    for (size_t i = 0; i < keys->n; i++) {
        aac_item *it = aac_state_put(st, keys->items[i].key, at);
        it->may = it->must = 1;
    }
}

static void free_event(aac_flow *fl, aac_state *st, CXCursor c)
{
    free_ud *ud = fl->ud;
    if (c.kind != CXCursor_CallExpr) {
        return;
    }
    const aac_call *call = call_of(ud->f, c);
    if (call) {
        put_call_keys(ud, call, st, c);
    }
}

static int is_null_check(aac_tu *t, CXCursor cond)
{
    if (clang_Cursor_isNull(cond)) {
        return 0;
    }
    char *s = aac_text(t->tu, cond);
    char buf[256];
    size_t w = 0;
    for (const char *p = s; *p && w + 1 < sizeof buf; p++) {
        if (*p != '(' && *p != ')') {
            buf[w++] = *p;
        }
    }
    buf[w] = 0;
    free(s);
    size_t l = strlen(buf);
    if (buf[0] == '!' && l > 1) {
        return 1;
    }
    return strstr(buf, "==NULL") || strstr(buf, "NULL==") || strstr(buf, "==0") ||
           strstr(buf, "==nullptr");
}

/* Reports once per location. */
static void free_report(aac_flow *fl, CXSourceLocation loc, const char *fmt, const char *what)
{
    free_ud *ud = fl->ud;
    unsigned line, col;
    aac_line_col(loc, &line, &col);
    char key[32];
    snprintf(key, sizeof key, "%u:%u", line, col);
    if (aac_state_get(&ud->reported, key)) {
        return;
    }
    aac_state_put(&ud->reported, key, clang_getNullCursor());
    aac_report_at(fl->t, AAC_FREE_INCOMPLETE_RELEASE, loc, fmt, what, ud->f->name);
}

static void free_exit(aac_flow *fl, aac_state *st, CXCursor at, int is_return)
{
    free_ud *ud = fl->ud;
    if (is_return && st->n == 0 && is_null_check(fl->t, fl->if_cond)) {
        return; /* if (!state) return; : nothing to release yet */
    }
    char missing[512] = "";
    for (size_t i = 0; i < ud->universe.n; i++) {
        const aac_item *u = &ud->universe.items[i];
        if (aac_state_get(st, u->key)) {
            continue;
        }
        if (!is_return) {
            /* the path falls off the end: the defect is where it went around the release */
            aac_item *sp = aac_state_get(&ud->splits, u->key);
            if (sp) {
                free_report(fl, clang_getCursorLocation(sp->where),
                            "'%s' is released on only one arm of this condition in free "
                            "function '%s': free must release in every state",
                            u->key);
            } else {
                free_report(fl, clang_getCursorLocation(u->where),
                            "'%s' is released here on only some paths of free function '%s': "
                            "free must release in every state",
                            u->key);
            }
            continue;
        }
        size_t l = strlen(missing);
        snprintf(missing + l, sizeof missing - l, "%s%s", l ? ", " : "", u->key);
    }
    if (missing[0]) {
        free_report(fl, clang_getCursorLocation(at),
                    "this return leaves without releasing %s, which other paths of free "
                    "function '%s' release: free must release in every state",
                    missing);
    }
}

/* The field a release key names: "close(conn.fd)" -> "fd", "free(job)" -> "job". */
static void key_leaf(const char *key, char *out, size_t sz)
{
    const char *open = strchr(key, '(');
    snprintf(out, sz, "%s", open ? open + 1 : key);
    char *close = strchr(out, ')');
    if (close) {
        *close = 0;
    }
    char *dot = strrchr(out, '.');
    if (dot) {
        memmove(out, dot + 1, strlen(dot + 1) + 1);
    }
}

/* Does the condition (its place key `ck`, e.g. "req.io!=NULL") test the object the call's
 * first argument lies in (`free(req->io->buf)`)? */
static int guards_arg(aac_tu *t, const char *ck, CXCursor call)
{
    if (call.kind != CXCursor_CallExpr || clang_Cursor_getNumArguments(call) < 1) {
        return 0;
    }
    const char *p = ck;
    while (*p == '!') {
        p++;
    }
    size_t pl = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
    if (pl == 0) {
        return 0;
    }
    char *ak = aac_place_key(t->tu, clang_Cursor_getArgument(call, 0));
    int ok = !strncmp(ak, p, pl) && (ak[pl] == 0 || ak[pl] == '.');
    free(ak);
    return ok;
}

/* `if (s->buf) free(s->buf);` releases on both paths as far as this rule is concerned; any
 * other if whose arms disagree on a resource is remembered as where a path went around it. */
static void free_if(aac_flow *fl, CXCursor cond, aac_state *then_st, aac_state *else_st)
{
    free_ud *ud = fl->ud;
    if (!then_st || !else_st) {
        return;
    }
    /* if (a) release(x) else release(y): each arm releases what that state owns */
    int then_only = 0, else_only = 0;
    for (size_t i = 0; i < then_st->n; i++) {
        then_only += !aac_state_get(else_st, then_st->items[i].key);
    }
    for (size_t i = 0; i < else_st->n; i++) {
        else_only += !aac_state_get(then_st, else_st->items[i].key);
    }
    if (then_only && else_only) {
        for (size_t i = 0; i < then_st->n; i++) {
            aac_state_put(else_st, then_st->items[i].key, then_st->items[i].where)->must = 1;
        }
        for (size_t i = 0; i < else_st->n; i++) {
            aac_state_put(then_st, else_st->items[i].key, else_st->items[i].where)->must = 1;
        }
        return;
    }
    char *ck = aac_place_key(fl->t->tu, cond);
    for (size_t i = 0; i < then_st->n; i++) {
        const char *key = then_st->items[i].key;
        char leaf[128], arg_leaf[128] = "";
        key_leaf(key, leaf, sizeof leaf);
        if (aac_state_get(else_st, key)) {
            continue;
        }
        /* released through a call: the guard may test the call's argument instead */
        CXCursor w = then_st->items[i].where;
        if (w.kind == CXCursor_CallExpr && clang_Cursor_getNumArguments(w) > 0) {
            char *ak = aac_place_key(fl->t->tu, clang_Cursor_getArgument(w, 0));
            const char *dot = strrchr(ak, '.');
            snprintf(arg_leaf, sizeof arg_leaf, "%s", dot ? dot + 1 : ak);
            free(ak);
        }
        if ((leaf[0] && strstr(ck, leaf)) || (arg_leaf[0] && strstr(ck, arg_leaf)) ||
            guards_arg(fl->t, ck, w)) {
            aac_item *it = aac_state_put(else_st, key, then_st->items[i].where);
            it->may = it->must = 1;
        } else if (!aac_state_get(&ud->splits, key)) {
            aac_state_put(&ud->splits, key, cond);
        }
    }
    for (size_t i = 0; i < else_st->n; i++) {
        const char *key = else_st->items[i].key;
        if (!aac_state_get(then_st, key) && !aac_state_get(&ud->splits, key)) {
            aac_state_put(&ud->splits, key, cond);
        }
    }
    free(ck);
}

typedef struct loop_rel {
    aac_flow *fl;
    aac_state *st;
} loop_rel;

static enum CXChildVisitResult loop_rel_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    loop_rel *lr = data;
    if (aac_walk_skip(c)) {
        return CXChildVisit_Continue;
    }
    if (c.kind == CXCursor_CallExpr) {
        free_ud *ud = lr->fl->ud;
        const aac_call *call = call_of(ud->f, c);
        if (call) {
            put_call_keys(ud, call, lr->st, c);
        }
    }
    return CXChildVisit_Recurse;
}

/* A loop that releases (`while (n) { next = n->next; free(n); n = next; }`) releases the whole
 * collection: the path that skips the body had nothing left to release. */
static void free_loop(aac_flow *fl, aac_state *st, CXCursor loop)
{
    loop_rel lr = {fl, st};
    clang_visitChildren(loop, loop_rel_visit, &lr);
}

static void check_free_function(aac_tu *t, aac_func *f)
{
    CXCursor body = aac_body(f->cursor);
    if (clang_Cursor_isNull(body)) {
        return;
    }
    free_ud ud;
    memset(&ud, 0, sizeof ud);
    ud.f = f;
    ud.per_call = calloc(f->ncalls + 1, sizeof *ud.per_call);
    if (!ud.per_call) {
        abort();
    }
    for (size_t j = 0; j < f->ncalls; j++) {
        aac_call_releases(t, &f->calls[j], 1, put_key, &ud.per_call[j]);
        for (size_t k = 0; k < ud.per_call[j].n; k++) {
            /* where: the call in this function that releases it */
            (void)aac_state_put(&ud.universe, ud.per_call[j].items[k].key, f->calls[j].cursor);
        }
    }
    if (ud.universe.n > 0) {
        aac_flow fl;
        memset(&fl, 0, sizeof fl);
        fl.t = t;
        fl.join = AAC_JOIN_INTERSECT;
        fl.ud = &ud;
        fl.on_event = free_event;
        fl.on_exit = free_exit;
        fl.on_if = free_if;
        fl.on_loop = free_loop;
        aac_state st = {0};
        aac_flow_run(&fl, body, &st);
    }
    for (size_t j = 0; j < f->ncalls; j++) {
        aac_state_clear(&ud.per_call[j]);
    }
    free(ud.per_call);
    aac_state_clear(&ud.universe);
    aac_state_clear(&ud.splits);
    aac_state_clear(&ud.reported);
}

/* ---- foreign-complete-exactly-once ---- */

/* Per function of the TU: bit i set when it calls its foreign-complete parameter i exactly once
 * on every path (so that a call of it counts as a call of the callback). */
typedef struct complete_memo {
    unsigned char *state; /* 0 fresh, 1 being computed, 2 done */
    unsigned *bits;
} complete_memo;

typedef struct complete_ud {
    aac_tu *t;
    complete_memo *memo;
    CXCursor param;
    int refs, calls;
    char *name;
    CXCursor fn;
    int quiet, bad;     /* summary mode: record a problem instead of reporting it */
    aac_state splits;   /* "split": the condition of the first if whose arms disagree */
    aac_state reported; /* "line:col" of reports made */
} complete_ud;

static int run_complete_check(aac_tu *t, complete_memo *memo, aac_func *f, int i, int quiet);

/* Does the call `c` hand `param` to a helper that calls it exactly once on every path? */
static int helper_completes(complete_ud *ud, CXCursor c)
{
    if (c.kind != CXCursor_CallExpr || !ud->memo) {
        return 0;
    }
    aac_func *g = NULL;
    int direct = 0;
    char *callee = aac_callee_name(c, &direct);
    if (direct) {
        g = aac_tu_func(ud->t, callee);
    }
    free(callee);
    if (!g) {
        return 0;
    }
    size_t gi = (size_t)(g - ud->t->funcs);
    int n = clang_Cursor_getNumArguments(c);
    for (int k = 0; k < n && k < 32; k++) {
        CXCursor a = aac_strip(clang_Cursor_getArgument(c, (unsigned)k));
        if (a.kind != CXCursor_DeclRefExpr ||
            !clang_equalCursors(clang_getCursorReferenced(a), ud->param)) {
            continue;
        }
        if (ud->memo->state[gi] == 1) {
            return 0; /* recursion */
        }
        if (ud->memo->state[gi] == 0) {
            ud->memo->state[gi] = 1;
            int np = clang_Cursor_getNumArguments(g->cursor);
            for (int j = 0; j < np && j < 32; j++) {
                if (run_complete_check(ud->t, ud->memo, g, j, 1)) {
                    ud->memo->bits[gi] |= 1u << j;
                }
            }
            ud->memo->state[gi] = 2;
        }
        return (ud->memo->bits[gi] >> k) & 1u;
    }
    return 0;
}

static enum CXChildVisitResult count_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    complete_ud *ud = data;
    if (aac_walk_skip(c)) {
        return CXChildVisit_Continue;
    }
    if (c.kind == CXCursor_DeclRefExpr &&
        clang_equalCursors(clang_getCursorReferenced(c), ud->param)) {
        ud->refs++;
    } else if (c.kind == CXCursor_CallExpr &&
               (clang_equalCursors(clang_getCursorReferenced(c), ud->param) ||
                helper_completes(ud, c))) {
        ud->calls++;
    }
    return CXChildVisit_Recurse;
}

static void complete_report(aac_flow *fl, CXSourceLocation loc, const char *problem)
{
    complete_ud *ud = fl->ud;
    if (ud->quiet) {
        ud->bad = 1;
        return;
    }
    unsigned line, col;
    aac_line_col(loc, &line, &col);
    char key[32];
    snprintf(key, sizeof key, "%u:%u", line, col);
    if (aac_state_get(&ud->reported, key)) {
        return;
    }
    aac_state_put(&ud->reported, key, clang_getNullCursor());
    aac_report_at(fl->t, AAC_FOREIGN_COMPLETE_EXACTLY_ONCE, loc,
                  "%s the foreign complete callback '%s': it must be called exactly once on "
                  "every path (also on error and cancellation)",
                  problem, ud->name);
}

static void complete_event(aac_flow *fl, aac_state *st, CXCursor c)
{
    complete_ud *ud = fl->ud;
    if (c.kind == CXCursor_CallExpr &&
        (clang_equalCursors(clang_getCursorReferenced(c), ud->param) || helper_completes(ud, c))) {
        if (st->hi >= 1) {
            complete_report(fl, clang_getCursorLocation(c),
                            st->lo >= 1 ? "this call runs after another call of"
                                        : "on some paths this call runs after another call of");
        }
        st->lo = st->lo < 2 ? st->lo + 1 : 2;
        st->hi = st->hi < 2 ? st->hi + 1 : 2;
    }
}

static void complete_if(aac_flow *fl, CXCursor cond, aac_state *then_st, aac_state *else_st)
{
    complete_ud *ud = fl->ud;
    if (then_st && else_st && (then_st->lo < 1) != (else_st->lo < 1) &&
        !aac_state_get(&ud->splits, "split")) {
        aac_state_put(&ud->splits, "split", cond);
    }
}

static void complete_exit(aac_flow *fl, aac_state *st, CXCursor at, int is_return)
{
    complete_ud *ud = fl->ud;
    if (st->lo >= 1) {
        return;
    }
    if (is_return) {
        complete_report(fl, clang_getCursorLocation(at), "this return leaves without calling");
        return;
    }
    aac_item *sp = aac_state_get(&ud->splits, "split");
    if (sp) {
        complete_report(fl, clang_getCursorLocation(sp->where),
                        "one arm of this condition falls through to the end without calling");
    } else {
        complete_report(fl, clang_getCursorLocation(ud->fn),
                        "this function can reach its end without calling");
    }
}

/* Checks parameter i of f if it is a foreign complete callback; returns 1 when every path calls
 * it exactly once (quiet: nothing is reported, for a helper's summary). */
static int run_complete_check(aac_tu *t, complete_memo *memo, aac_func *f, int i, int quiet)
{
    CXCursor p = clang_Cursor_getArgument(f->cursor, (unsigned)i);
    if (!aac_type_is_foreign_complete(clang_getCursorType(p))) {
        return 0;
    }
    CXCursor body = aac_body(f->cursor);
    if (clang_Cursor_isNull(body)) {
        return 0;
    }
    complete_ud ud;
    memset(&ud, 0, sizeof ud);
    ud.t = t;
    ud.memo = memo;
    ud.param = p;
    ud.name = aac_spelling(p);
    ud.fn = f->cursor;
    ud.quiet = quiet;
    clang_visitChildren(body, count_visit, &ud);
    /* every call names the parameter once; any other use hands it on */
    int checked = ud.refs == ud.calls;
    if (checked) {
        aac_flow fl;
        memset(&fl, 0, sizeof fl);
        fl.t = t;
        fl.join = AAC_JOIN_INTERSECT;
        fl.ud = &ud;
        fl.on_event = complete_event;
        fl.on_exit = complete_exit;
        fl.on_if = complete_if;
        aac_state st = {0};
        aac_flow_run(&fl, body, &st);
    }
    aac_state_clear(&ud.splits);
    aac_state_clear(&ud.reported);
    free(ud.name);
    return checked && !ud.bad && ud.calls > 0;
}

static void check_foreign_complete(aac_tu *t, complete_memo *memo, aac_func *f)
{
    int n = clang_Cursor_getNumArguments(f->cursor);
    for (int i = 0; i < n; i++) {
        run_complete_check(t, memo, f, i, 0);
    }
}

void aac_rules_cancel(aac_tu *t)
{
    check_cancel_paths(t);
    aac_mark_reachable(t, AAC_ROLE_CANCEL, AAC_ROLE_FREE, STAMP_CANCEL);
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (f->mark == STAMP_CANCEL && aac_enabled(t, AAC_CANCEL_WAIT_ACK)) {
            CXCursor body = aac_body(f->cursor);
            if (!clang_Cursor_isNull(body)) {
                clang_visitChildren(body, spin_visit, t);
            }
        }
    }
    complete_memo memo;
    memo.state = calloc(t->nfuncs + 1, 1);
    memo.bits = calloc(t->nfuncs + 1, sizeof *memo.bits);
    if (!memo.state || !memo.bits) {
        abort();
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if ((f->roles & AAC_ROLE_FREE) && aac_enabled(t, AAC_FREE_INCOMPLETE_RELEASE)) {
            check_free_function(t, f);
        }
        if (aac_enabled(t, AAC_FOREIGN_COMPLETE_EXACTLY_ONCE)) {
            check_foreign_complete(t, &memo, f);
        }
        f->mark = 0;
    }
    free(memo.state);
    free(memo.bits);
}
