/* Binding-side rules, for C and C++ runners that drive futures through the ABI.
 *
 *   binding-handle-leak           a handle returned by an async export reaches
 *                                 ffi_*_rust_future_free_* on every path (or is handed on:
 *                                 returned, stored, passed to another function)
 *   binding-complete-before-ready complete is called only after evidence that the
 *                                 continuation reported READY: a poll loop, a reference to
 *                                 UNIFFI_RUST_FUTURE_POLL_READY, or a call to a wait/ready
 *                                 helper after the poll
 *   binding-use-after-free        no cancel, poll, complete or second free after free
 *
 * Method: intra-procedural path walk (flow.h), handles tracked by local variable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "rules/common.h"
#include "rules/rules.h"
#include "walk.h"

enum { H_CREATED = 1, H_FREED = 2, H_ESCAPED = 4, H_POLLED = 8, H_READY = 16 };

typedef struct bind_ud {
    aac_state reported; /* creation sites already reported as leaks */
} bind_ud;

static int is_export_call(CXCursor e)
{
    CXCursor c = aac_strip(e);
    return c.kind == CXCursor_CallExpr && aac_is_async_export_decl(clang_getCursorReferenced(c));
}

/* The tracked variable an expression names, or NULL (borrowed pointer into st). */
static aac_item *tracked(aac_state *st, CXCursor e)
{
    CXCursor c = aac_strip(e);
    if (c.kind != CXCursor_DeclRefExpr) {
        return NULL;
    }
    char *name = aac_spelling(c);
    aac_item *it = aac_state_get(st, name);
    free(name);
    return it;
}

static void create(aac_state *st, CXCursor var_or_ref, CXCursor call)
{
    char *name = aac_spelling(var_or_ref);
    aac_item *it = aac_state_put(st, name, call);
    it->may = it->must = H_CREATED;
    it->where = call;
    free(name);
}

typedef struct esc_scan {
    aac_state *st;
} esc_scan;

static enum CXChildVisitResult esc_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    esc_scan *s = data;
    if (aac_walk_skip(c)) {
        return CXChildVisit_Continue;
    }
    if (c.kind == CXCursor_DeclRefExpr) {
        aac_item *it = tracked(s->st, c);
        if (it) {
            it->may |= H_ESCAPED;
            it->must |= H_ESCAPED;
        }
    }
    return CXChildVisit_Recurse;
}

static void escape_all_in(aac_state *st, CXCursor e)
{
    esc_scan s = {st};
    esc_visit(e, clang_getNullCursor(), &s);
    clang_visitChildren(e, esc_visit, &s);
}

static void mark_ready(aac_state *st)
{
    for (size_t i = 0; i < st->n; i++) {
        if (st->items[i].may & H_POLLED) {
            st->items[i].may |= H_READY;
            st->items[i].must |= H_READY;
        }
    }
}

static int ready_helper(const char *name)
{
    return strstr(name, "wait") || strstr(name, "ready") || strstr(name, "block_on") ||
           strstr(name, "until") || strstr(name, "drive") || strstr(name, "run_loop");
}

static void on_event(aac_flow *fl, aac_state *st, CXCursor c)
{
    switch (c.kind) {
    case CXCursor_VarDecl: {
        CXCursor init = clang_Cursor_getVarDeclInitializer(c);
        if (!clang_Cursor_isNull(init) && is_export_call(init)) {
            create(st, c, aac_strip(init));
        } else if (!clang_Cursor_isNull(init) && tracked(st, init)) {
            aac_item *it = tracked(st, init);
            it->may |= H_ESCAPED;
            it->must |= H_ESCAPED;
        }
        return;
    }
    case CXCursor_BinaryOperator: {
        CXCursor k[3];
        if (aac_children(c, k, 3) != 2) {
            return;
        }
        if (is_export_call(k[1]) && aac_strip(k[0]).kind == CXCursor_DeclRefExpr &&
            aac_is_assignment(fl->t, c, NULL, NULL)) {
            create(st, aac_strip(k[0]), aac_strip(k[1]));
        } else if (tracked(st, k[1]) && aac_is_assignment(fl->t, c, NULL, NULL)) {
            aac_item *it = tracked(st, k[1]);
            it->may |= H_ESCAPED;
            it->must |= H_ESCAPED;
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
    if (direct && aac_future_fn_parts(callee, NULL, 0, op, sizeof op, NULL, 0) && nargs >= 1) {
        aac_item *it = tracked(st, clang_Cursor_getArgument(c, 0));
        if (it) {
            if (it->may & H_FREED) {
                aac_report(fl->t, AAC_BINDING_USE_AFTER_FREE, c,
                           "'%s' on handle '%s' after it was freed%s: free must be the last call",
                           callee, it->key, (it->must & H_FREED) ? "" : " (on some path)");
            } else if (!strcmp(op, "complete") && !(it->must & H_READY)) {
                aac_report(fl->t, AAC_BINDING_COMPLETE_BEFORE_READY, c,
                           "'%s' on handle '%s' before its continuation reported READY: poll "
                           "until the continuation is called with 0 (READY), then complete",
                           callee, it->key);
            }
            if (!strcmp(op, "free")) {
                it->may |= H_FREED;
                it->must |= H_FREED;
            } else if (!strcmp(op, "poll")) {
                it->may |= H_POLLED;
                it->must |= H_POLLED;
            }
        }
    } else {
        for (int i = 0; i < nargs; i++) {
            escape_all_in(st, clang_Cursor_getArgument(c, (unsigned)i));
        }
        if (direct && ready_helper(callee)) {
            mark_ready(st);
        }
    }
    free(callee);
}

typedef struct poll_in_loop {
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
        char *callee = aac_callee_name(c, NULL);
        char op[16];
        if (aac_future_fn_parts(callee, NULL, 0, op, sizeof op, NULL, 0) && !strcmp(op, "poll") &&
            clang_Cursor_getNumArguments(c) >= 1) {
            aac_item *it = tracked(p->st, clang_Cursor_getArgument(c, 0));
            if (it) {
                it->may |= H_READY;
                it->must |= H_READY;
            }
        }
        free(callee);
    }
    return CXChildVisit_Recurse;
}

/* A loop that polls a handle runs until it is READY. */
static void on_loop(aac_flow *fl, aac_state *st, CXCursor loop)
{
    (void)fl;
    poll_in_loop p = {st};
    clang_visitChildren(loop, loop_visit, &p);
}

/* `if (!h) return ...;`: handle 0 is the export's allocation failure, nothing to free. */
static int null_handle_path(aac_flow *fl, const char *name)
{
    if (clang_Cursor_isNull(fl->if_cond)) {
        return 0;
    }
    char *text = aac_text(fl->t, fl->if_cond);
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

static void on_exit_(aac_flow *fl, aac_state *st, CXCursor at, int is_return)
{
    bind_ud *ud = fl->ud;
    if (is_return) {
        escape_all_in(st, at);
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
        unsigned xl, xc;
        aac_line_col(is_return ? clang_getCursorLocation(at)
                               : clang_getRangeEnd(clang_getCursorExtent(at)),
                     &xl, &xc);
        aac_report(fl->t, AAC_BINDING_HANDLE_LEAK, it->where,
                   "future handle '%s' may leak: the path leaving at line %u never calls "
                   "ffi_*_rust_future_free_* on it",
                   it->key, xl);
    }
}

void aac_rules_binding(aac_tu *t)
{
    if (!aac_enabled(t, AAC_BINDING_HANDLE_LEAK) && !aac_enabled(t, AAC_BINDING_USE_AFTER_FREE) &&
        !aac_enabled(t, AAC_BINDING_COMPLETE_BEFORE_READY)) {
        return;
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (!(f->facts & AAC_FACT_CALLS_EXPORT)) {
            continue;
        }
        CXCursor body = aac_body(f->cursor);
        if (clang_Cursor_isNull(body)) {
            continue;
        }
        bind_ud ud = {{0}};
        aac_flow fl;
        memset(&fl, 0, sizeof fl);
        fl.t = t;
        fl.join = AAC_JOIN_UNION;
        fl.ud = &ud;
        fl.on_event = on_event;
        fl.on_exit = on_exit_;
        fl.on_loop = on_loop;
        aac_state st = {0};
        aac_flow_run(&fl, body, &st);
        aac_state_clear(&ud.reported);
    }
}
