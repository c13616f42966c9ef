/* libclang helpers with no UniFFI or rule knowledge: spellings, tokens, children, casts,
 * types, storage, annotations. */
#include "cx.h"

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

char *aac_text(CXTranslationUnit tu, CXCursor c)
{
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(tu, clang_getCursorExtent(c), &toks, &n);
    size_t len = 0, cap = 64;
    char *out = malloc(cap);
    out[0] = 0;
    for (unsigned i = 0; i < n; i++) {
        CXString s = clang_getTokenSpelling(tu, toks[i]);
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
        clang_disposeTokens(tu, toks, n);
    }
    return out;
}

char *aac_place_key(CXTranslationUnit tu, CXCursor c)
{
    char *s = aac_text(tu, c);
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

int aac_is_assignment(CXTranslationUnit tu, CXCursor op, CXCursor *lhs, CXCursor *rhs)
{
    CXCursor k[3];
    if (op.kind != CXCursor_BinaryOperator || aac_children(op, k, 3) != 2) {
        return 0;
    }
    /* the operator is the first token after the left operand */
    CXSourceRange r = clang_getCursorExtent(op);
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(tu, r, &toks, &n);
    unsigned lend;
    clang_getSpellingLocation(clang_getRangeEnd(clang_getCursorExtent(k[0])), NULL, NULL, NULL,
                              &lend);
    int is = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned off;
        clang_getSpellingLocation(clang_getTokenLocation(tu, toks[i]), NULL, NULL, NULL, &off);
        if (off >= lend) {
            CXString s = clang_getTokenSpelling(tu, toks[i]);
            is = !strcmp(clang_getCString(s), "=");
            clang_disposeString(s);
            break;
        }
    }
    if (toks) {
        clang_disposeTokens(tu, toks, n);
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
int aac_const_int(CXCursor e, long long *v)
{
    CXCursor c = aac_strip(e);
    switch (c.kind) {
    case CXCursor_IntegerLiteral:
    case CXCursor_CharacterLiteral:
    case CXCursor_UnaryOperator:
    case CXCursor_BinaryOperator:
    case CXCursor_ConditionalOperator:
    case CXCursor_DeclRefExpr:
    case CXCursor_CStyleCastExpr:
    case CXCursor_UnexposedExpr:
    case CXCursor_ParenExpr:
        break;
    default:
        return 0;
    }
    if (c.kind == CXCursor_DeclRefExpr &&
        clang_getCursorReferenced(c).kind != CXCursor_EnumConstantDecl) {
        return 0; /* a variable: clang would read a const initializer, not a constant */
    }
    CXEvalResult r = clang_Cursor_Evaluate(c);
    int ok = r && clang_EvalResult_getKind(r) == CXEval_Int;
    if (ok) {
        *v = clang_EvalResult_getAsLongLong(r);
    }
    if (r) {
        clang_EvalResult_dispose(r);
    }
    return ok;
}

static int spelled_lock(CXType t)
{
    CXString s = clang_getTypeSpelling(t);
    const char *p = clang_getCString(s);
    int ok = p && (strstr(p, "mutex") || strstr(p, "spinlock") || strstr(p, "rwlock") ||
                   strstr(p, "mtx_t"));
    clang_disposeString(s);
    return ok;
}

int aac_type_is_lock(CXType t)
{
    return spelled_lock(t) || spelled_lock(clang_getCanonicalType(t));
}
