/* Send rules: what crosses threads must not point into one thread's stack or TLS.
 *
 *   send-automatic-address  &local (or a local array) stored into future state, a dropped-
 *                           callback struct, or passed as callback / complete data or state
 *   send-thread-local       the same with a _Thread_local / __thread variable, or the value
 *                           of pthread_getspecific()
 *
 * Sinks (summary.h): aa_future_new's state argument; the callback_data of
 * ffi_*_rust_future_poll_*; any argument named callback_data, complete_data, user_data,
 * waker_data or state of an aa_*, ffi_* or uniffi_* function; the first argument of a call
 * through a continuation / complete / dropped callback pointer; a parameter of a function of
 * this TU that ends in one of those (reported at the call that passes the address); stores into
 * fields of future state (inferred: what aa_future_new is given, and what it reaches) or of the
 * dropped-callback struct.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "rules/summary.h"
#include "walk.h"

typedef struct hit {
    aac_rule_id rule;
    char what[160];
    int found;
    int via_depth; /* pointer variables followed so far (`int *p = &x;`) */
} hit;

static int scan(CXCursor e, hit *h);

/* The variable at the root of `x.a.b[i]` (value chains, not through pointers). */
static CXCursor base_var(CXCursor e)
{
    for (int guard = 0; guard < 16; guard++) {
        e = aac_strip(e);
        if (e.kind == CXCursor_DeclRefExpr) {
            return clang_getCursorReferenced(e);
        }
        CXCursor k[2];
        if (e.kind == CXCursor_MemberRefExpr) {
            if (aac_children(e, k, 2) < 1) {
                break;
            }
            /* through a pointer (p->f) the storage is wherever p points: stop */
            if (clang_getCanonicalType(clang_getCursorType(aac_strip(k[0]))).kind ==
                CXType_Pointer) {
                break;
            }
            e = k[0];
        } else if (e.kind == CXCursor_ArraySubscriptExpr) {
            if (aac_children(e, k, 2) != 2) {
                break;
            }
            if (clang_getCanonicalType(clang_getCursorType(aac_strip(k[0]))).kind !=
                CXType_ConstantArray) {
                break;
            }
            e = k[0];
        } else {
            break;
        }
    }
    return clang_getNullCursor();
}

static void classify(CXCursor var, hit *h, const char *how)
{
    if (clang_Cursor_isNull(var) || h->found) {
        return;
    }
    char *name = aac_spelling(var);
    if (aac_is_thread_local(var)) {
        h->rule = AAC_SEND_THREAD_LOCAL;
        snprintf(h->what, sizeof h->what, "%s thread-local '%s'", how, name);
        h->found = 1;
    } else if (aac_is_automatic(var)) {
        h->rule = AAC_SEND_AUTOMATIC_ADDRESS;
        snprintf(h->what, sizeof h->what, "%s automatic variable '%s'", how, name);
        h->found = 1;
    }
    free(name);
}

static int is_address_of(CXCursor u, CXCursor *operand)
{
    CXCursor k[2];
    if (u.kind != CXCursor_UnaryOperator || aac_children(u, k, 2) != 1) {
        return 0;
    }
    CXType ut = clang_getCanonicalType(clang_getCursorType(u));
    if (ut.kind != CXType_Pointer) {
        return 0;
    }
    CXType ot = clang_getCanonicalType(clang_getCursorType(k[0]));
    *operand = k[0];
    return clang_equalTypes(clang_getCanonicalType(clang_getPointeeType(ut)), ot);
}

static enum CXChildVisitResult scan_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    hit *h = data;
    CXCursor op;
    if (h->found) {
        return CXChildVisit_Break;
    }
    if (aac_walk_skip(c)) {
        return CXChildVisit_Continue;
    }
    if (is_address_of(c, &op)) {
        if (aac_strip(op).kind == CXCursor_CompoundLiteralExpr) {
            /* &(struct x){...} inside a function body lives in that call's frame */
            h->rule = AAC_SEND_AUTOMATIC_ADDRESS;
            snprintf(h->what, sizeof h->what, "the address of a compound literal");
            h->found = 1;
            return CXChildVisit_Break;
        }
        classify(base_var(op), h, "the address of");
        return CXChildVisit_Continue;
    }
    if (c.kind == CXCursor_ArraySubscriptExpr) {
        /* a[i] reads an element: only the index can carry an address */
        CXCursor k[2];
        if (aac_children(c, k, 2) == 2) {
            scan_visit(k[1], c, h);
            if (!h->found) {
                clang_visitChildren(k[1], scan_visit, h);
            }
        }
        return CXChildVisit_Continue;
    }
    if (c.kind == CXCursor_DeclRefExpr) {
        CXCursor d = clang_getCursorReferenced(c);
        CXType dt = clang_getCanonicalType(clang_getCursorType(d));
        if (d.kind == CXCursor_VarDecl && dt.kind == CXType_ConstantArray) {
            classify(d, h, "the array");
        } else if (d.kind == CXCursor_VarDecl && dt.kind == CXType_Pointer &&
                   aac_is_automatic(d) && h->via_depth < 2) {
            /* a local pointer initialised with an address: `int *p = &x; st->p = p;` */
            CXCursor init = clang_Cursor_getVarDeclInitializer(d);
            if (!clang_Cursor_isNull(init)) {
                hit inner;
                memset(&inner, 0, sizeof inner);
                inner.via_depth = h->via_depth + 1;
                if (scan(init, &inner)) {
                    char *pn = aac_spelling(d);
                    h->rule = inner.rule;
                    snprintf(h->what, sizeof h->what, "%.120s (through '%s')", inner.what, pn);
                    h->found = 1;
                    free(pn);
                }
            }
        }
    }
    if (c.kind == CXCursor_CallExpr) {
        char *name = aac_callee_name(c, NULL);
        if (!strcmp(name, "pthread_getspecific") || !strcmp(name, "tss_get")) {
            h->rule = AAC_SEND_THREAD_LOCAL;
            snprintf(h->what, sizeof h->what, "thread-specific data from %s()", name);
            h->found = 1;
        }
        free(name);
        return CXChildVisit_Continue; /* what a call returns is not this frame's address */
    }
    if (c.kind == CXCursor_UnaryExpr) {
        return CXChildVisit_Continue; /* sizeof x */
    }
    return CXChildVisit_Recurse;
}

static int scan(CXCursor e, hit *h)
{
    int depth = h->via_depth;
    memset(h, 0, sizeof *h);
    h->via_depth = depth;
    CXCursor s = aac_strip(e);
    if (scan_visit(s, clang_getNullCursor(), h) == CXChildVisit_Recurse) {
        clang_visitChildren(s, scan_visit, h);
    }
    return h->found;
}

static void check_call(aac_tu *t, aac_func *f, aac_call *c)
{
    int sinks[8];
    int ns = aac_call_sink_args(t, f, c, sinks, 8);
    for (int i = 0; i < ns; i++) {
        hit h = {0};
        if (scan(clang_Cursor_getArgument(c->cursor, (unsigned)sinks[i]), &h)) {
            const char *how = c->fn ? "which keeps it in future state" : "it may be used on "
                                                                          "another thread";
            aac_report(t, h.rule, c->cursor,
                       "%s passed as callback data / state to '%s' (%s) after '%s' returns",
                       h.what, c->callee[0] ? c->callee : "callback", how, f->name);
        }
    }
}

void aac_rules_send(aac_tu *t)
{
    if (!aac_enabled(t, AAC_SEND_AUTOMATIC_ADDRESS) && !aac_enabled(t, AAC_SEND_THREAD_LOCAL)) {
        return;
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (!(f->facts & AAC_FACT_ADDR)) {
            continue;
        }
        for (size_t j = 0; j < f->ncalls; j++) {
            check_call(t, f, &f->calls[j]);
        }
    }
    aac_state_records(t);
    for (size_t i = 0; i < t->stores.len && t->state_recs.len > 0; i++) {
        CXCursor k[3];
        if (aac_children(t->stores.items[i], k, 3) != 2) {
            continue;
        }
        CXCursor fd = clang_getCursorReferenced(aac_strip(k[0]));
        if (!aac_is_state_field(t, fd) || aac_field_of(fd, "RustCallStatus")) {
            continue;
        }
        hit h = {0};
        /* the cheap scan first; the operator (tokens) only for a hit */
        if (scan(k[1], &h) && aac_is_assignment(t->tu, t->stores.items[i], NULL, NULL)) {
            char *fname = aac_spelling(fd);
            aac_report(t, h.rule, t->stores.items[i],
                       "%s stored into future state field '%s': the future may be polled, "
                       "completed or freed on another thread",
                       h.what, fname);
            free(fname);
        }
    }
}
