/* The one AST walk per translation unit, and the helpers rules share. */
#include "ast.h"
#include "walk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aac_cursors_push(aac_cursors *v, CXCursor c)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 32;
        v->items = realloc(v->items, v->cap * sizeof *v->items);
        if (!v->items) {
            abort();
        }
    }
    v->items[v->len++] = c;
}

char *aac_spelling(CXCursor c)
{
    CXString s = clang_getCursorSpelling(c);
    char *out = strdup(clang_getCString(s) ? clang_getCString(s) : "");
    clang_disposeString(s);
    return out;
}

void aac_line_col(CXSourceLocation loc, unsigned *line, unsigned *col)
{
    CXFile f;
    clang_getExpansionLocation(loc, &f, line, col, NULL);
}

int aac_enabled(const aac_tu *t, aac_rule_id rule)
{
    return t->opt->severity[rule] != AAC_SEV_OFF;
}

static void report_v(aac_tu *t, aac_rule_id rule, CXSourceLocation loc, const char *fmt,
                     va_list ap)
{
    if (!aac_enabled(t, rule) || clang_Location_isInSystemHeader(loc)) {
        return;
    }
    CXFile file;
    unsigned line, col;
    clang_getExpansionLocation(loc, &file, &line, &col, NULL);
    if (!file) {
        return;
    }
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    CXString name = clang_getFileName(file);
    aac_findings_add(t->out, rule, clang_getCString(name), line, col, msg);
    clang_disposeString(name);
}

void aac_report(aac_tu *t, aac_rule_id rule, CXCursor at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_v(t, rule, clang_getCursorLocation(at), fmt, ap);
    va_end(ap);
}

void aac_report_at(aac_tu *t, aac_rule_id rule, CXSourceLocation loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_v(t, rule, loc, fmt, ap);
    va_end(ap);
}

/* ---- annotations ---- */

typedef struct ann_query {
    const char *what;
    char *arg;
    size_t argsz;
    int found;
} ann_query;

static enum CXChildVisitResult ann_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    ann_query *q = data;
    if (c.kind != CXCursor_AnnotateAttr) {
        return CXChildVisit_Continue;
    }
    CXString s = clang_getCursorSpelling(c);
    const char *text = clang_getCString(s);
    size_t wl = strlen(q->what);
    if (text && !strncmp(text, "asyncabi:", 9) && !strncmp(text + 9, q->what, wl) &&
        (text[9 + wl] == 0 || text[9 + wl] == ':')) {
        q->found = 1;
        if (q->arg) {
            const char *a = text[9 + wl] == ':' ? text + 10 + wl : "";
            snprintf(q->arg, q->argsz, "%s", a);
        }
    }
    clang_disposeString(s);
    return q->found ? CXChildVisit_Break : CXChildVisit_Continue;
}

int aac_annotation(CXCursor c, const char *what, char *arg, size_t argsz)
{
    if (!clang_Cursor_hasAttrs(c)) {
        return 0;
    }
    ann_query q = {what, arg, argsz, 0};
    clang_visitChildren(c, ann_visit, &q);
    return q.found;
}

/* ---- expressions ---- */

char *aac_text(aac_tu *t, CXCursor c)
{
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(t->tu, clang_getCursorExtent(c), &toks, &n);
    size_t len = 0, cap = 64;
    char *out = malloc(cap);
    out[0] = 0;
    for (unsigned i = 0; i < n; i++) {
        CXString s = clang_getTokenSpelling(t->tu, toks[i]);
        const char *p = clang_getCString(s);
        size_t pl = strlen(p);
        if (len + pl + 1 > cap) {
            while (len + pl + 1 > cap) {
                cap *= 2;
            }
            out = realloc(out, cap);
        }
        memcpy(out + len, p, pl + 1);
        len += pl;
        clang_disposeString(s);
    }
    if (toks) {
        clang_disposeTokens(t->tu, toks, n);
    }
    return out;
}

char *aac_place_key(aac_tu *t, CXCursor c)
{
    char *s = aac_text(t, c);
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '&' || *r == '(' || *r == ')' || *r == '*') {
            continue;
        }
        if (r[0] == '-' && r[1] == '>') {
            *w++ = '.';
            r++;
            continue;
        }
        *w++ = *r;
    }
    *w = 0;
    return s;
}

typedef struct kids {
    CXCursor *out;
    int max, n;
} kids;

static enum CXChildVisitResult kids_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    kids *k = data;
    if (k->out && k->n < k->max) {
        k->out[k->n] = c;
    }
    k->n++;
    return CXChildVisit_Continue;
}

int aac_children(CXCursor c, CXCursor *out, int max)
{
    kids k = {out, max, 0};
    clang_visitChildren(c, kids_visit, &k);
    return k.n;
}

CXCursor aac_strip(CXCursor c)
{
    for (int guard = 0; guard < 32; guard++) {
        if (c.kind == CXCursor_UnexposedExpr || c.kind == CXCursor_ParenExpr) {
            CXCursor k[2];
            int n = aac_children(c, k, 2);
            if (n != 1) {
                return c;
            }
            c = k[0];
        } else if (c.kind == CXCursor_CStyleCastExpr) {
            CXCursor k[4];
            int n = aac_children(c, k, 4);
            if (n < 1 || n > 4) {
                return c;
            }
            c = k[n - 1];
        } else {
            return c;
        }
    }
    return c;
}

CXCursor aac_ref(CXCursor expr)
{
    CXCursor e = aac_strip(expr);
    if (e.kind == CXCursor_DeclRefExpr || e.kind == CXCursor_MemberRefExpr ||
        e.kind == CXCursor_CallExpr) {
        return clang_getCursorReferenced(e);
    }
    return clang_getNullCursor();
}

char *aac_callee_name(CXCursor call, int *direct)
{
    CXCursor ref = clang_getCursorReferenced(call);
    if (direct) {
        *direct = ref.kind == CXCursor_FunctionDecl;
    }
    if (clang_Cursor_isNull(ref)) {
        return strdup("");
    }
    return aac_spelling(ref);
}

int aac_within(CXCursor inner, CXCursor outer)
{
    CXSourceRange a = clang_getCursorExtent(inner), b = clang_getCursorExtent(outer);
    unsigned as, ae, bs, be;
    CXFile f1, f2;
    clang_getSpellingLocation(clang_getRangeStart(a), &f1, NULL, NULL, &as);
    clang_getSpellingLocation(clang_getRangeEnd(a), NULL, NULL, NULL, &ae);
    clang_getSpellingLocation(clang_getRangeStart(b), &f2, NULL, NULL, &bs);
    clang_getSpellingLocation(clang_getRangeEnd(b), NULL, NULL, NULL, &be);
    return clang_File_isEqual(f1, f2) && as >= bs && ae <= be;
}

/* ---- types ---- */

int aac_type_is_u64(CXType t)
{
    t = clang_getCanonicalType(t);
    return (t.kind == CXType_ULong || t.kind == CXType_ULongLong) && clang_Type_getSizeOf(t) == 8;
}

int aac_type_is_i8(CXType t)
{
    t = clang_getCanonicalType(t);
    return t.kind == CXType_SChar || t.kind == CXType_Char_S;
}

int aac_type_is_void(CXType t)
{
    return clang_getCanonicalType(t).kind == CXType_Void;
}

CXType aac_fn_type(CXType t)
{
    t = clang_getCanonicalType(t);
    if (t.kind == CXType_Pointer) {
        t = clang_getCanonicalType(clang_getPointeeType(t));
    }
    if (t.kind == CXType_FunctionProto || t.kind == CXType_FunctionNoProto) {
        return t;
    }
    CXType bad;
    memset(&bad, 0, sizeof bad);
    bad.kind = CXType_Invalid;
    return bad;
}

int aac_type_is_continuation(CXType t)
{
    CXType f = aac_fn_type(t);
    return f.kind == CXType_FunctionProto && aac_type_is_void(clang_getResultType(f)) &&
           clang_getNumArgTypes(f) == 2 && aac_type_is_u64(clang_getArgType(f, 0)) &&
           aac_type_is_i8(clang_getArgType(f, 1));
}

char *aac_record_name(CXType t)
{
    t = clang_getCanonicalType(t);
    if (t.kind == CXType_Pointer) {
        t = clang_getCanonicalType(clang_getPointeeType(t));
    }
    if (t.kind != CXType_Record) {
        return NULL;
    }
    CXCursor d = clang_getTypeDeclaration(t);
    char *name = aac_spelling(d);
    if (name[0] == 0) {
        /* anonymous struct: use the typedef name, if any, from the type's spelling */
        free(name);
        CXString s = clang_getTypeSpelling(t);
        name = strdup(clang_getCString(s));
        clang_disposeString(s);
    }
    return name;
}

int aac_type_is_foreign_complete(CXType t)
{
    CXType f = aac_fn_type(t);
    if (f.kind != CXType_FunctionProto || !aac_type_is_void(clang_getResultType(f)) ||
        clang_getNumArgTypes(f) != 2 || !aac_type_is_u64(clang_getArgType(f, 0))) {
        return 0;
    }
    CXType a1 = clang_getCanonicalType(clang_getArgType(f, 1));
    if (a1.kind != CXType_Record) {
        return 0;
    }
    char *name = aac_record_name(a1);
    int ok = name && strstr(name, "ForeignFutureResult") != NULL;
    free(name);
    return ok;
}

int aac_type_is_call_status_ptr(CXType t)
{
    t = clang_getCanonicalType(t);
    if (t.kind != CXType_Pointer) {
        return 0;
    }
    char *name = aac_record_name(t);
    int ok = name && !strcmp(name, "RustCallStatus");
    free(name);
    return ok;
}

/* uniffi_<ns>_fn_<kind>_<rest>: <ns> has no "_fn_" inside. */
int aac_is_export_name(const char *name)
{
    if (strncmp(name, "uniffi_", 7) != 0) {
        return 0;
    }
    const char *fn = strstr(name + 7, "_fn_");
    if (!fn || fn == name + 7) {
        return 0;
    }
    fn += 4;
    return !strncmp(fn, "func_", 5) || !strncmp(fn, "method_", 7) ||
           !strncmp(fn, "constructor_", 12);
}

int aac_future_fn_parts(const char *name, char *ns, size_t nssz, char *op, size_t opsz,
                        char *tag, size_t tagsz)
{
    if (strncmp(name, "ffi_", 4) != 0) {
        return 0;
    }
    const char *rf = strstr(name + 4, "_rust_future_");
    if (!rf || rf == name + 4) {
        return 0;
    }
    static const char *const ops[] = {"poll", "cancel", "complete", "free"};
    const char *after = rf + 13;
    for (int i = 0; i < 4; i++) {
        size_t l = strlen(ops[i]);
        if (!strncmp(after, ops[i], l) && after[l] == '_' && after[l + 1]) {
            if (ns) {
                snprintf(ns, nssz, "%.*s", (int)(rf - name - 4), name + 4);
            }
            if (op) {
                snprintf(op, opsz, "%s", ops[i]);
            }
            if (tag) {
                snprintf(tag, tagsz, "%s", after + l + 1);
            }
            return 1;
        }
    }
    return 0;
}

int aac_is_async_export_decl(CXCursor fn)
{
    if (fn.kind != CXCursor_FunctionDecl) {
        return 0;
    }
    if (aac_annotation(fn, "async_export", NULL, 0)) {
        return 1;
    }
    char *name = aac_spelling(fn);
    int ok = aac_is_export_name(name);
    free(name);
    if (!ok) {
        return 0;
    }
    int n = clang_Cursor_getNumArguments(fn);
    for (int i = 0; i < n; i++) {
        if (aac_type_is_call_status_ptr(clang_getCursorType(clang_Cursor_getArgument(fn, (unsigned)i)))) {
            return 0; /* a synchronous export */
        }
    }
    return 1;
}

int aac_is_automatic(CXCursor d)
{
    if (d.kind == CXCursor_ParmDecl) {
        return 1;
    }
    if (d.kind != CXCursor_VarDecl) {
        return 0;
    }
    enum CX_StorageClass sc = clang_Cursor_getStorageClass(d);
    if (sc == CX_SC_Static || sc == CX_SC_Extern || clang_getCursorTLSKind(d) != CXTLS_None) {
        return 0;
    }
    CXCursor p = clang_getCursorSemanticParent(d);
    return p.kind == CXCursor_FunctionDecl;
}

int aac_is_thread_local(CXCursor d)
{
    return d.kind == CXCursor_VarDecl && clang_getCursorTLSKind(d) != CXTLS_None;
}

int aac_is_assignment(aac_tu *t, CXCursor op, CXCursor *lhs, CXCursor *rhs)
{
    CXCursor k[3];
    if (op.kind != CXCursor_BinaryOperator || aac_children(op, k, 3) != 2) {
        return 0;
    }
    /* the operator is the first token after the left operand */
    CXSourceRange r = clang_getCursorExtent(op);
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(t->tu, r, &toks, &n);
    unsigned lend;
    clang_getSpellingLocation(clang_getRangeEnd(clang_getCursorExtent(k[0])), NULL, NULL, NULL,
                              &lend);
    int is = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned off;
        clang_getSpellingLocation(clang_getTokenLocation(t->tu, toks[i]), NULL, NULL, NULL, &off);
        if (off >= lend) {
            CXString s = clang_getTokenSpelling(t->tu, toks[i]);
            is = !strcmp(clang_getCString(s), "=");
            clang_disposeString(s);
            break;
        }
    }
    if (toks) {
        clang_disposeTokens(t->tu, toks, n);
    }
    if (lhs) {
        *lhs = k[0];
    }
    if (rhs) {
        *rhs = k[1];
    }
    return is;
}

int aac_field_of(CXCursor field, const char *name)
{
    CXCursor rec = clang_getCursorSemanticParent(field);
    char *n = aac_record_name(clang_getCursorType(rec));
    int ok = n && !strcmp(n, name);
    free(n);
    return ok;
}

/* ---- the walk ---- */

static const char *const lock_fns[] = {"pthread_mutex_lock", "pthread_spin_lock", "mtx_lock",
                                       "pthread_rwlock_rdlock", "pthread_rwlock_wrlock", NULL};
static const char *const unlock_fns[] = {"pthread_mutex_unlock", "pthread_spin_unlock",
                                         "mtx_unlock", "pthread_rwlock_unlock", NULL};

static int in_list(const char *name, const char *const *list)
{
    for (; *list; list++) {
        if (!strcmp(name, *list)) {
            return 1;
        }
    }
    return 0;
}

static unsigned roles_of(CXCursor fn, const char *name)
{
    unsigned roles = 0;
    if (aac_annotation(fn, "poll", NULL, 0)) {
        roles |= AAC_ROLE_POLL;
    }
    if (aac_annotation(fn, "callback", NULL, 0)) {
        roles |= AAC_ROLE_CALLBACK;
    }
    if (aac_annotation(fn, "cancel", NULL, 0)) {
        roles |= AAC_ROLE_CANCEL;
    }
    if (aac_annotation(fn, "free", NULL, 0)) {
        roles |= AAC_ROLE_FREE;
    }
    if (aac_is_async_export_decl(fn)) {
        roles |= AAC_ROLE_EXPORT;
    }
    char op[16];
    if (aac_future_fn_parts(name, NULL, 0, op, sizeof op, NULL, 0)) {
        if (!strcmp(op, "poll")) {
            roles |= AAC_ROLE_POLL;
        } else if (!strcmp(op, "cancel")) {
            roles |= AAC_ROLE_CANCEL;
        } else if (!strcmp(op, "free")) {
            roles |= AAC_ROLE_FREE;
        }
    }
    CXType ft = clang_getCursorType(fn);
    if (aac_type_is_continuation(ft) || aac_type_is_foreign_complete(ft)) {
        roles |= AAC_ROLE_CALLBACK;
    }
    /* aa_poll (*)(aa_future *, void *): the runtime's poll function shape */
    if (clang_getNumArgTypes(ft) == 2) {
        CXString rs = clang_getTypeSpelling(clang_getResultType(ft));
        if (!strcmp(clang_getCString(rs), "aa_poll")) {
            roles |= AAC_ROLE_POLL;
        }
        clang_disposeString(rs);
    }
    return roles;
}

/* A name found in an aa_future_vtable initializer or as a poll call's continuation. */
typedef struct pending_role {
    char *name;
    unsigned role;
} pending_role;

typedef struct collect_ctx {
    aac_tu *t;
    pending_role *pend;
    size_t npend, cappend;
} collect_ctx;

static void add_pending(collect_ctx *cx, CXCursor fnref, unsigned role)
{
    CXCursor d = clang_getCursorReferenced(aac_strip(fnref));
    if (d.kind != CXCursor_FunctionDecl) {
        return;
    }
    if (cx->npend == cx->cappend) {
        cx->cappend = cx->cappend ? cx->cappend * 2 : 16;
        cx->pend = realloc(cx->pend, cx->cappend * sizeof *cx->pend);
    }
    cx->pend[cx->npend].name = aac_spelling(d);
    cx->pend[cx->npend].role = role;
    cx->npend++;
}

static int type_named(CXType t, const char *name)
{
    CXString s = clang_getTypeSpelling(clang_getCanonicalType(t));
    const char *p = clang_getCString(s);
    int ok = strstr(p, name) != NULL;
    clang_disposeString(s);
    return ok;
}

/* `static const aa_future_vtable vt = {poll_fn, drop_fn}`: roles by each function's shape. */
static enum CXChildVisitResult vt_init_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    collect_ctx *cx = data;
    if (c.kind == CXCursor_DeclRefExpr) {
        CXCursor d = clang_getCursorReferenced(c);
        if (d.kind == CXCursor_FunctionDecl) {
            CXType ft = clang_getCursorType(d);
            if (clang_getNumArgTypes(ft) == 1 && aac_type_is_void(clang_getResultType(ft))) {
                add_pending(cx, c, AAC_ROLE_FREE);
            }
        }
    }
    return CXChildVisit_Recurse;
}

static void collect_var(collect_ctx *cx, CXCursor c)
{
    aac_cursors_push(&cx->t->globals, c);
    if (type_named(clang_getCursorType(c), "aa_future_vtable")) {
        clang_visitChildren(c, vt_init_visit, cx);
    }
}

static enum CXChildVisitResult body_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    if (aac_walk_skip(c)) {
        return CXChildVisit_Continue;
    }
    collect_ctx *cx = data;
    aac_func *f = cx->t->current;
    switch (c.kind) {
    case CXCursor_CallExpr: {
        int direct = 0;
        char *name = aac_callee_name(c, &direct);
        if (f->ncalls == f->capcalls) {
            f->capcalls = f->capcalls ? f->capcalls * 2 : 8;
            f->calls = realloc(f->calls, f->capcalls * sizeof *f->calls);
        }
        f->calls[f->ncalls].callee = name;
        f->calls[f->ncalls].cursor = c;
        f->calls[f->ncalls].direct = direct;
        f->ncalls++;
        if (!direct) {
            f->facts |= AAC_FACT_INDIRECT;
        } else {
            if (in_list(name, lock_fns) || in_list(name, unlock_fns)) {
                f->facts |= AAC_FACT_LOCKS;
            }
            CXCursor d = clang_getCursorReferenced(c);
            if (aac_is_async_export_decl(d)) {
                f->facts |= AAC_FACT_CALLS_EXPORT;
            }
            char op[16];
            if (aac_future_fn_parts(name, NULL, 0, op, sizeof op, NULL, 0) &&
                !strcmp(op, "poll")) {
                CXCursor args[3];
                if (clang_Cursor_getNumArguments(c) == 3) {
                    args[1] = clang_Cursor_getArgument(c, 1);
                    add_pending(cx, args[1], AAC_ROLE_CALLBACK);
                }
            }
        }
        break;
    }
    case CXCursor_MemberRefExpr: {
        CXCursor d = clang_getCursorReferenced(c);
        if (d.kind == CXCursor_FieldDecl && aac_annotation(d, "guarded_by", NULL, 0)) {
            f->facts |= AAC_FACT_GUARDED;
        }
        break;
    }
    case CXCursor_BinaryOperator: {
        CXCursor k[3];
        if (aac_children(c, k, 3) == 2) {
            CXCursor lhs = aac_strip(k[0]);
            if (lhs.kind == CXCursor_MemberRefExpr) {
                CXCursor fd = clang_getCursorReferenced(lhs);
                CXCursor rec = clang_getCursorSemanticParent(fd);
                if (fd.kind == CXCursor_FieldDecl &&
                    (aac_annotation(rec, "future_state", NULL, 0) ||
                     aac_field_of(fd, "RustCallStatus") ||
                     aac_field_of(fd, "UniffiForeignFutureDroppedCallbackStruct") ||
                     aac_field_of(fd, "ForeignFutureDroppedCallbackStruct") ||
                     aac_field_of(fd, "UniffiForeignFuture"))) {
                    aac_cursors_push(&cx->t->stores, c);
                    f->facts |= AAC_FACT_ADDR;
                }
            }
        }
        break;
    }
    case CXCursor_UnaryOperator:
        if (clang_getCursorType(c).kind == CXType_Pointer) {
            f->facts |= AAC_FACT_ADDR;
        }
        break;
    case CXCursor_DeclRefExpr: {
        CXCursor d = clang_getCursorReferenced(c);
        if (d.kind == CXCursor_VarDecl &&
            (aac_is_thread_local(d) || clang_getCursorType(d).kind == CXType_ConstantArray)) {
            f->facts |= AAC_FACT_ADDR;
        }
        if (d.kind == CXCursor_VarDecl && aac_annotation(d, "guarded_by", NULL, 0)) {
            f->facts |= AAC_FACT_GUARDED;
        }
        break;
    }
    case CXCursor_VarDecl:
        if (clang_Cursor_getStorageClass(c) == CX_SC_Static) {
            collect_var(cx, c);
        }
        break;
    default:
        break;
    }
    return CXChildVisit_Recurse;
}

static void collect_function(collect_ctx *cx, CXCursor c)
{
    aac_tu *t = cx->t;
    aac_cursors_push(&t->fdecls, c);
    if (!clang_isCursorDefinition(c)) {
        return;
    }
    if (t->nfuncs == t->capfuncs) {
        t->capfuncs = t->capfuncs ? t->capfuncs * 2 : 32;
        t->funcs = realloc(t->funcs, t->capfuncs * sizeof *t->funcs);
    }
    aac_func *f = &t->funcs[t->nfuncs++];
    memset(f, 0, sizeof *f);
    f->cursor = c;
    f->name = aac_spelling(c);
    f->roles = roles_of(c, f->name);
    t->current = f;
    clang_visitChildren(c, body_visit, cx);
    t->current = NULL;
}

static enum CXChildVisitResult enum_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    if (c.kind == CXCursor_EnumConstantDecl) {
        aac_cursors_push(&((aac_tu *)data)->enums, c);
    }
    return CXChildVisit_Continue;
}

static enum CXChildVisitResult top_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    collect_ctx *cx = data;
    aac_tu *t = cx->t;
    if (clang_Location_isInSystemHeader(clang_getCursorLocation(c))) {
        return CXChildVisit_Continue;
    }
    switch (c.kind) {
    case CXCursor_FunctionDecl:
        collect_function(cx, c);
        break;
    case CXCursor_StructDecl:
    case CXCursor_UnionDecl:
        if (clang_isCursorDefinition(c)) {
            aac_cursors_push(&t->records, c);
        }
        break;
    case CXCursor_TypedefDecl:
        aac_cursors_push(&t->typedefs, c);
        break;
    case CXCursor_EnumDecl:
        clang_visitChildren(c, enum_visit, t);
        break;
    case CXCursor_VarDecl:
        collect_var(cx, c);
        break;
    case CXCursor_LinkageSpec:
    case CXCursor_Namespace:
        return CXChildVisit_Recurse;
    default:
        break;
    }
    return CXChildVisit_Continue;
}

/* Lock wrappers: AA_LOCK_FN / AA_UNLOCK_FN, or a function whose only lock operation is one
 * lock (or unlock) of a place reached from its first parameter: `lock(s)` { lock(&s->mu) }. */
static void summarise_lock_wrapper(aac_tu *t, aac_func *f)
{
    if (aac_annotation(f->cursor, "lock", NULL, 0)) {
        f->lock_kind = 1;
        return;
    }
    if (aac_annotation(f->cursor, "unlock", NULL, 0)) {
        f->lock_kind = -1;
        return;
    }
    if (clang_Cursor_getNumArguments(f->cursor) < 1) {
        return;
    }
    int locks = 0, unlocks = 0;
    aac_call *op = NULL;
    for (size_t j = 0; j < f->ncalls; j++) {
        if (!f->calls[j].direct) {
            continue;
        }
        if (in_list(f->calls[j].callee, lock_fns)) {
            locks++;
            op = &f->calls[j];
        } else if (in_list(f->calls[j].callee, unlock_fns)) {
            unlocks++;
            op = &f->calls[j];
        }
    }
    if (locks + unlocks != 1 || clang_Cursor_getNumArguments(op->cursor) < 1) {
        return;
    }
    char *param = aac_spelling(clang_Cursor_getArgument(f->cursor, 0));
    char *key = aac_place_key(t, clang_Cursor_getArgument(op->cursor, 0));
    size_t pl = strlen(param);
    if (pl && !strncmp(key, param, pl) && (key[pl] == '.' || key[pl] == 0)) {
        snprintf(f->lock_suffix, sizeof f->lock_suffix, "%s", key + pl);
        f->lock_kind = locks ? 1 : -1;
    }
    free(key);
    free(param);
}

void aac_tu_collect(aac_tu *t)
{
    collect_ctx cx = {t, NULL, 0, 0};
    clang_visitChildren(clang_getTranslationUnitCursor(t->tu), top_visit, &cx);
    for (size_t i = 0; i < t->nfuncs; i++) {
        if ((t->funcs[i].facts & AAC_FACT_LOCKS) || clang_Cursor_hasAttrs(t->funcs[i].cursor)) {
            summarise_lock_wrapper(t, &t->funcs[i]);
        }
    }
    /* callers of wrappers lock too */
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        for (size_t j = 0; j < f->ncalls && !(f->facts & AAC_FACT_LOCKS); j++) {
            aac_func *g = f->calls[j].direct ? aac_tu_func(t, f->calls[j].callee) : NULL;
            if (g && g->lock_kind) {
                f->facts |= AAC_FACT_LOCKS;
            }
        }
    }
    for (size_t i = 0; i < cx.npend; i++) {
        aac_func *f = aac_tu_func(t, cx.pend[i].name);
        if (f) {
            f->roles |= cx.pend[i].role;
        }
        free(cx.pend[i].name);
    }
    free(cx.pend);
}

aac_func *aac_tu_func(aac_tu *t, const char *name)
{
    for (size_t i = 0; i < t->nfuncs; i++) {
        if (!strcmp(t->funcs[i].name, name)) {
            return &t->funcs[i];
        }
    }
    return NULL;
}

void aac_tu_free(aac_tu *t)
{
    for (size_t i = 0; i < t->nfuncs; i++) {
        for (size_t j = 0; j < t->funcs[i].ncalls; j++) {
            free(t->funcs[i].calls[j].callee);
        }
        free(t->funcs[i].calls);
        free(t->funcs[i].name);
    }
    free(t->funcs);
    free(t->fdecls.items);
    free(t->records.items);
    free(t->typedefs.items);
    free(t->enums.items);
    free(t->globals.items);
    free(t->stores.items);
}
