/* The AST model of one translation unit: the one walk that fills it, the function index, and
 * the reporting entry points rules use. */
#include "ast.h"
#include "walk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



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
            } else if (clang_getNumArgTypes(ft) == 2 && !aac_type_is_void(clang_getResultType(ft))) {
                add_pending(cx, c, AAC_ROLE_POLL); /* the poll slot, whatever its spelling */
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

static enum CXVisitorResult lock_field_visit(CXCursor c, CXClientData data)
{
    if (aac_type_is_lock(clang_getCursorType(c))) {
        *(int *)data = 1;
        return CXVisit_Break;
    }
    return CXVisit_Continue;
}

static int cursor_in(const aac_cursors *v, CXCursor c)
{
    for (size_t i = 0; i < v->len; i++) {
        if (clang_equalCursors(v->items[i], c)) {
            return 1;
        }
    }
    return 0;
}

/* Does the record have a lock field? (cached per record) */
static int has_lock_field(aac_tu *t, CXCursor rec)
{
    rec = clang_getCanonicalCursor(rec);
    if (cursor_in(&t->lock_recs, rec)) {
        return 1;
    }
    if (cursor_in(&t->nolock_recs, rec)) {
        return 0;
    }
    int found = 0;
    clang_Type_visitFields(clang_getCursorType(rec), lock_field_visit, &found);
    aac_cursors_push(found ? &t->lock_recs : &t->nolock_recs, rec);
    return found;
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
        f->calls[f->ncalls].fn = NULL;
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
        if (d.kind == CXCursor_FieldDecl && !(f->facts & AAC_FACT_LOCKED_REC) &&
            has_lock_field(cx->t, clang_getCursorSemanticParent(d))) {
            f->facts |= AAC_FACT_LOCKED_REC;
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
                CXType ftype = clang_getCanonicalType(clang_getCursorType(fd));
                if (fd.kind == CXCursor_FieldDecl &&
                    (ftype.kind == CXType_Pointer || aac_type_is_u64(ftype) ||
                     aac_annotation(rec, "future_state", NULL, 0) ||
                     aac_field_of(fd, "RustCallStatus"))) {
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
    f->store_lo = t->stores.len;
    clang_visitChildren(c, body_visit, cx);
    f->store_hi = t->stores.len;
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
    const char *inner = ""; /* a wrapper of a wrapper: the inner one's suffix */
    for (size_t j = 0; j < f->ncalls; j++) {
        aac_call *c = &f->calls[j];
        if (!c->direct) {
            continue;
        }
        aac_func *g = c->fn;
        if (in_list(c->callee, lock_fns) || (g && g != f && g->lock_kind > 0)) {
            locks++;
            op = c;
        } else if (in_list(c->callee, unlock_fns) || (g && g != f && g->lock_kind < 0)) {
            unlocks++;
            op = c;
        }
    }
    if (locks + unlocks != 1 || clang_Cursor_getNumArguments(op->cursor) < 1) {
        return;
    }
    if (op->fn) {
        inner = op->fn->lock_suffix;
    }
    char *param = aac_spelling(clang_Cursor_getArgument(f->cursor, 0));
    char *key = aac_place_key(t->tu, clang_Cursor_getArgument(op->cursor, 0));
    size_t pl = strlen(param);
    if (pl && !strncmp(key, param, pl) && (key[pl] == '.' || key[pl] == 0)) {
        snprintf(f->lock_suffix, sizeof f->lock_suffix, "%s%s", key + pl, inner);
        f->lock_kind = locks ? 1 : -1;
    }
    free(key);
    free(param);
}

static void build_index(aac_tu *t);

void aac_tu_collect(aac_tu *t)
{
    collect_ctx cx = {t, NULL, 0, 0};
    clang_visitChildren(clang_getTranslationUnitCursor(t->tu), top_visit, &cx);
    build_index(t);
    for (size_t i = 0; i < t->nfuncs; i++) {
        for (size_t j = 0; j < t->funcs[i].ncalls; j++) {
            aac_call *c = &t->funcs[i].calls[j];
            c->fn = c->direct ? aac_tu_func(t, c->callee) : NULL;
        }
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        if ((t->funcs[i].facts & AAC_FACT_LOCKS) || clang_Cursor_hasAttrs(t->funcs[i].cursor)) {
            summarise_lock_wrapper(t, &t->funcs[i]);
        }
    }
    /* wrappers of wrappers (`lock_queue(q)` { lock_state(q->st); }), a few levels */
    for (int round = 0, changed = 1; round < 4 && changed; round++) {
        changed = 0;
        for (size_t i = 0; i < t->nfuncs; i++) {
            aac_func *f = &t->funcs[i];
            int had = f->lock_kind;
            for (size_t j = 0; j < f->ncalls && !had && !(f->facts & AAC_FACT_LOCKS); j++) {
                if (f->calls[j].fn && f->calls[j].fn->lock_kind) {
                    summarise_lock_wrapper(t, f);
                    changed |= f->lock_kind != 0;
                    break;
                }
            }
        }
    }
    /* callers of wrappers lock too */
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        for (size_t j = 0; j < f->ncalls && !(f->facts & AAC_FACT_LOCKS); j++) {
            aac_func *g = f->calls[j].fn;
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

static size_t name_hash(const char *s)
{
    size_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    }
    return h;
}

/* The name index: open addressing over funcs (first definition of a name wins). */
static void build_index(aac_tu *t)
{
    t->nindex = 16;
    while (t->nindex < t->nfuncs * 2) {
        t->nindex *= 2;
    }
    t->index = malloc(t->nindex * sizeof *t->index);
    for (size_t i = 0; i < t->nindex; i++) {
        t->index[i] = (size_t)-1;
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        size_t h = name_hash(t->funcs[i].name) & (t->nindex - 1);
        while (t->index[h] != (size_t)-1) {
            if (!strcmp(t->funcs[t->index[h]].name, t->funcs[i].name)) {
                break;
            }
            h = (h + 1) & (t->nindex - 1);
        }
        if (t->index[h] == (size_t)-1) {
            t->index[h] = i;
        }
    }
}

aac_func *aac_tu_func(aac_tu *t, const char *name)
{
    if (!t->index) {
        for (size_t i = 0; i < t->nfuncs; i++) {
            if (!strcmp(t->funcs[i].name, name)) {
                return &t->funcs[i];
            }
        }
        return NULL;
    }
    for (size_t h = name_hash(name) & (t->nindex - 1); t->index[h] != (size_t)-1;
         h = (h + 1) & (t->nindex - 1)) {
        if (!strcmp(t->funcs[t->index[h]].name, name)) {
            return &t->funcs[t->index[h]];
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
        aac_fsum_free(t->funcs[i].summary);
        free(t->funcs[i].bsum);
    }
    free(t->funcs);
    free(t->fdecls.items);
    free(t->records.items);
    free(t->typedefs.items);
    free(t->enums.items);
    free(t->globals.items);
    free(t->stores.items);
    free(t->state_recs.items);
    free(t->once.items);
    free(t->lock_recs.items);
    free(t->nolock_recs.items);
    free(t->index);
}

