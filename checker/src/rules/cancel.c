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
#include "walk.h"

enum { STAMP_CANCEL = 0xCA1, STAMP_FREE = 0xF3EE };

static int is_memory_free(aac_tu *t, const char *callee)
{
    char op[16];
    if (!strcmp(callee, "free") || !strcmp(callee, "aa_future_free") || !strcmp(callee, "munmap")) {
        return 1;
    }
    if (aac_future_fn_parts(callee, NULL, 0, op, sizeof op, NULL, 0) && !strcmp(op, "free")) {
        return 1;
    }
    aac_func *g = aac_tu_func(t, callee);
    return g && (g->roles & AAC_ROLE_FREE);
}

/* "close(fd)" style key of a release call. */
static char *release_key(aac_tu *t, aac_call *c)
{
    char *arg = clang_Cursor_getNumArguments(c->cursor) > 0
                    ? aac_place_key(t, clang_Cursor_getArgument(c->cursor, 0))
                    : strdup("");
    size_t n = strlen(c->callee) + strlen(arg) + 4;
    char *key = malloc(n);
    snprintf(key, n, "%s(%s)", c->callee, aac_key_leaf(arg));
    free(arg);
    return key;
}

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
    /* the free path's releases, for cancel-only-release */
    aac_state freed = {0};
    if (any_free) {
        aac_mark_reachable(t, AAC_ROLE_FREE, 0, STAMP_FREE);
        for (size_t i = 0; i < t->nfuncs; i++) {
            aac_func *f = &t->funcs[i];
            for (size_t j = 0; f->mark == STAMP_FREE && j < f->ncalls; j++) {
                if (f->calls[j].direct && aac_release_fn(f->calls[j].callee, 0)) {
                    char *key = release_key(t, &f->calls[j]);
                    aac_state_put(&freed, key, f->calls[j].cursor);
                    free(key);
                }
            }
        }
    }
    aac_mark_reachable(t, AAC_ROLE_CANCEL, AAC_ROLE_FREE, STAMP_CANCEL);
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (f->mark != STAMP_CANCEL) {
            continue;
        }
        for (size_t j = 0; j < f->ncalls; j++) {
            aac_call *c = &f->calls[j];
            if (!c->direct) {
                continue;
            }
            if (is_memory_free(t, c->callee)) {
                aac_report(t, AAC_CANCEL_FREES, c->cursor,
                           "'%s' called on the cancel path (in '%s'): cancel must leave the "
                           "future valid; only free releases it, and free is always called",
                           c->callee, f->name);
            } else if (any_free && aac_release_fn(c->callee, 0)) {
                char *key = release_key(t, c);
                if (!aac_state_get(&freed, key)) {
                    aac_report(t, AAC_CANCEL_ONLY_RELEASE, c->cursor,
                               "'%s' is released on the cancel path (in '%s') but not on the "
                               "free path: a binding that never calls cancel leaks it",
                               key, f->name);
                }
                free(key);
            }
            if (aac_blocking_fn(c->callee)) {
                aac_report(t, AAC_CANCEL_WAIT_ACK, c->cursor,
                           "'%s' on the cancel path (in '%s') waits: cancel must return at once "
                           "and let free or the next poll observe the cancellation",
                           c->callee, f->name);
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
    aac_state universe;
    int reported;
} free_ud;

static char *event_release_key(aac_tu *t, CXCursor c)
{
    if (c.kind != CXCursor_CallExpr) {
        return NULL;
    }
    int direct = 0;
    char *callee = aac_callee_name(c, &direct);
    char *key = NULL;
    /* a release names its resource: calls without arguments are not tracked */
    if (direct && clang_Cursor_getNumArguments(c) > 0 &&
        (aac_release_fn(callee, 1) || is_memory_free(t, callee))) {
        aac_call call = {callee, c, 1};
        key = release_key(t, &call);
    }
    free(callee);
    return key;
}

static void free_event(aac_flow *fl, aac_state *st, CXCursor c)
{
    char *key = event_release_key(fl->t, c);
    if (key) {
        aac_item *it = aac_state_put(st, key, c);
        it->may = it->must = 1;
        free(key);
    }
}

static int is_null_check(aac_tu *t, CXCursor cond)
{
    if (clang_Cursor_isNull(cond)) {
        return 0;
    }
    char *s = aac_text(t, cond);
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

static void free_exit(aac_flow *fl, aac_state *st, CXCursor at, int is_return)
{
    free_ud *ud = fl->ud;
    if (is_return && st->n == 0 && is_null_check(fl->t, fl->if_cond)) {
        return; /* if (!state) return; : nothing to release yet */
    }
    char missing[512] = "";
    for (size_t i = 0; i < ud->universe.n; i++) {
        if (!aac_state_get(st, ud->universe.items[i].key)) {
            size_t l = strlen(missing);
            snprintf(missing + l, sizeof missing - l, "%s%s", l ? ", " : "",
                     ud->universe.items[i].key);
        }
    }
    if (!missing[0]) {
        return;
    }
    CXSourceLocation loc = is_return ? clang_getCursorLocation(at)
                                     : clang_getRangeEnd(clang_getCursorExtent(at));
    if (!is_return) {
        /* the closing brace itself: one column before the range end */
        CXFile f;
        unsigned line, col;
        clang_getExpansionLocation(loc, &f, &line, &col, NULL);
        loc = clang_getLocation(fl->t->tu, f, line, col > 1 ? col - 1 : col);
    }
    aac_report_at(fl->t, AAC_FREE_INCOMPLETE_RELEASE, loc,
                  "this path of free function leaves without %s, which other paths release: free "
                  "must release in every state",
                  missing);
}

/* `if (s->buf) free(s->buf);` releases on both paths as far as this rule is concerned. */
static void free_if(aac_flow *fl, CXCursor cond, aac_state *then_st, aac_state *else_st)
{
    if (!then_st || !else_st) {
        return;
    }
    char *ck = aac_place_key(fl->t, cond);
    for (size_t i = 0; i < then_st->n; i++) {
        const char *key = then_st->items[i].key;
        const char *open = strchr(key, '(');
        char leaf[128];
        snprintf(leaf, sizeof leaf, "%s", open ? open + 1 : key);
        char *close = strchr(leaf, ')');
        if (close) {
            *close = 0;
        }
        if (leaf[0] && strstr(ck, leaf) && !aac_state_get(else_st, key)) {
            aac_item *it = aac_state_put(else_st, key, then_st->items[i].where);
            it->may = it->must = 1;
        }
    }
    free(ck);
}

static void check_free_function(aac_tu *t, aac_func *f)
{
    CXCursor body = aac_body(f->cursor);
    if (clang_Cursor_isNull(body)) {
        return;
    }
    free_ud ud = {{0}, 0};
    for (size_t j = 0; j < f->ncalls; j++) {
        char *key = event_release_key(t, f->calls[j].cursor);
        if (key) {
            aac_state_put(&ud.universe, key, f->calls[j].cursor);
            free(key);
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
        aac_state st = {0};
        aac_flow_run(&fl, body, &st);
    }
    aac_state_clear(&ud.universe);
}

/* ---- foreign-complete-exactly-once ---- */

typedef struct complete_ud {
    CXCursor param;
    int refs, calls;
    char *name;
} complete_ud;

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
               clang_equalCursors(clang_getCursorReferenced(c), ud->param)) {
        ud->calls++;
    }
    return CXChildVisit_Recurse;
}

static void complete_event(aac_flow *fl, aac_state *st, CXCursor c)
{
    complete_ud *ud = fl->ud;
    if (c.kind == CXCursor_CallExpr && clang_equalCursors(clang_getCursorReferenced(c), ud->param)) {
        st->lo = st->lo < 2 ? st->lo + 1 : 2;
        st->hi = st->hi < 2 ? st->hi + 1 : 2;
    }
}

static void complete_exit(aac_flow *fl, aac_state *st, CXCursor at, int is_return)
{
    complete_ud *ud = fl->ud;
    const char *problem = st->lo < 1   ? "without calling"
                          : st->hi > 1 ? "after calling more than once"
                                       : NULL;
    if (!problem) {
        return;
    }
    CXSourceLocation loc = clang_getCursorLocation(at);
    if (!is_return) {
        CXFile f;
        unsigned line, col;
        clang_getExpansionLocation(clang_getRangeEnd(clang_getCursorExtent(at)), &f, &line, &col,
                                   NULL);
        loc = clang_getLocation(fl->t->tu, f, line, col > 1 ? col - 1 : col);
    }
    aac_report_at(fl->t, AAC_FOREIGN_COMPLETE_EXACTLY_ONCE, loc,
                  "this path leaves %s the foreign complete callback '%s': it must be called "
                  "exactly once on every path (also on error and cancellation)",
                  problem, ud->name);
}

static void check_foreign_complete(aac_tu *t, aac_func *f)
{
    int n = clang_Cursor_getNumArguments(f->cursor);
    for (int i = 0; i < n; i++) {
        CXCursor p = clang_Cursor_getArgument(f->cursor, (unsigned)i);
        if (!aac_type_is_foreign_complete(clang_getCursorType(p))) {
            continue;
        }
        CXCursor body = aac_body(f->cursor);
        if (clang_Cursor_isNull(body)) {
            return;
        }
        complete_ud ud = {p, 0, 0, aac_spelling(p)};
        clang_visitChildren(body, count_visit, &ud);
        /* every call names the parameter once; any other use hands it on */
        if (ud.refs == ud.calls) {
            aac_flow fl;
            memset(&fl, 0, sizeof fl);
            fl.t = t;
            fl.join = AAC_JOIN_INTERSECT;
            fl.ud = &ud;
            fl.on_event = complete_event;
            fl.on_exit = complete_exit;
            aac_state st = {0};
            aac_flow_run(&fl, body, &st);
        }
        free(ud.name);
    }
}

void aac_rules_cancel(aac_tu *t)
{
    check_cancel_paths(t);
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (f->mark == STAMP_CANCEL && aac_enabled(t, AAC_CANCEL_WAIT_ACK)) {
            CXCursor body = aac_body(f->cursor);
            if (!clang_Cursor_isNull(body)) {
                clang_visitChildren(body, spin_visit, t);
            }
        }
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if ((f->roles & AAC_ROLE_FREE) && aac_enabled(t, AAC_FREE_INCOMPLETE_RELEASE)) {
            check_free_function(t, f);
        }
        if (aac_enabled(t, AAC_FOREIGN_COMPLETE_EXACTLY_ONCE)) {
            check_foreign_complete(t, f);
        }
        f->mark = 0;
    }
}
