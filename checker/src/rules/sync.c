/* Sync rules.
 *
 *   sync-unguarded-field  in an AA_SHARED struct every mutable field is _Atomic, const, a
 *                         synchronisation object, or AA_GUARDED_BY(a mutex field of the struct)
 *   sync-guarded-access   an AA_GUARDED_BY(m) field is accessed only with `<base>.m` held.
 *                         Clang's -Wthread-safety findings (AA_TS_GUARDED_BY, AA_REQUIRES,
 *                         capability-annotated locks) are mapped to this rule by the driver;
 *                         the lockset walk here covers what clang 14 cannot express in C:
 *                         a struct field guarded by a sibling pthread/C11 mutex.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "rules/common.h"
#include "rules/rules.h"

typedef struct fields_walk {
    CXCursor items[256];
    int n;
} fields_walk;

static enum CXVisitorResult fields_visit(CXCursor c, CXClientData data)
{
    fields_walk *w = data;
    if (w->n < 256) {
        w->items[w->n++] = c;
    }
    return CXVisit_Continue;
}

static int is_sync_object(CXType t)
{
    CXString s = clang_getTypeSpelling(t);
    char low[256];
    snprintf(low, sizeof low, "%s", clang_getCString(s));
    clang_disposeString(s);
    for (char *p = low; *p; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    static const char *const names[] = {"mutex", "spinlock", "rwlock", "pthread_cond_t", "cnd_t",
                                        "sem_t", "atomic_flag", "once_flag", "pthread_once_t",
                                        "pthread_barrier_t", "_lock_t", "mtx_t", NULL};
    for (int i = 0; names[i]; i++) {
        if (strstr(low, names[i])) {
            return 1;
        }
    }
    return 0;
}

static int is_immutable_or_atomic(CXType t)
{
    CXType c = clang_getCanonicalType(t);
    while (c.kind == CXType_ConstantArray || c.kind == CXType_IncompleteArray) {
        c = clang_getCanonicalType(clang_getArrayElementType(c));
    }
    return c.kind == CXType_Atomic || clang_isConstQualifiedType(c);
}

/* A file-scope mutex named `name` (AA_GUARDED_BY may name a global lock). */
static int global_mutex(aac_tu *t, const char *name)
{
    for (size_t i = 0; i < t->globals.len; i++) {
        char *g = aac_spelling(t->globals.items[i]);
        int ok = !strcmp(g, name) && is_sync_object(clang_getCursorType(t->globals.items[i]));
        free(g);
        if (ok) {
            return 1;
        }
    }
    return 0;
}

static void check_shared_record(aac_tu *t, CXCursor rec)
{
    fields_walk w = {.n = 0};
    clang_Type_visitFields(clang_getCursorType(rec), fields_visit, &w);
    char *rname = aac_record_name(clang_getCursorType(rec));
    for (int i = 0; i < w.n; i++) {
        CXCursor fd = w.items[i];
        CXType ft = clang_getCursorType(fd);
        char mutex[128];
        char *fname = aac_spelling(fd);
        if (aac_annotation(fd, "set_once", NULL, 0)) {
            /* written by the creator before the struct is shared: read-only afterwards */
        } else if (aac_annotation(fd, "guarded_by", mutex, sizeof mutex) ||
            aac_annotation(fd, "ts_guarded_by", mutex, sizeof mutex)) {
            int found = 0;
            for (int j = 0; j < w.n && !found; j++) {
                char *other = aac_spelling(w.items[j]);
                found = !strcmp(other, mutex) && is_sync_object(clang_getCursorType(w.items[j]));
                free(other);
            }
            if (!found && !global_mutex(t, mutex)) {
                aac_report(t, AAC_SYNC_UNGUARDED_FIELD, fd,
                           "field '%s' of shared struct '%s' is guarded by '%s', which is neither "
                           "a mutex field of the struct nor a global mutex",
                           fname, rname ? rname : "?", mutex);
            }
        } else if (!is_immutable_or_atomic(ft) && !is_sync_object(ft)) {
            CXType c = clang_getCanonicalType(ft);
            int nested_shared = c.kind == CXType_Record &&
                                aac_annotation(clang_getTypeDeclaration(c), "shared", NULL, 0);
            if (!nested_shared) {
                aac_report(t, AAC_SYNC_UNGUARDED_FIELD, fd,
                           "field '%s' of shared struct '%s' is mutable but neither _Atomic, "
                           "const, AA_GUARDED_BY(mutex), nor AA_SET_ONCE",
                           fname, rname ? rname : "?");
            }
        }
        free(fname);
    }
    free(rname);
}

/* ---- sync-guarded-access: the lockset walk ---- */

static void on_event(aac_flow *fl, aac_state *st, CXCursor c)
{
    if (c.kind == CXCursor_CallExpr) {
        char *callee = aac_callee_name(c, NULL);
        char *key = NULL;
        int k = aac_lock_call(fl->t, c, callee, &key);
        if (k > 0) {
            aac_item *it = aac_state_put(st, key, c);
            it->may = it->must = 1;
        } else if (k < 0) {
            aac_state_del(st, key);
        }
        free(key);
        free(callee);
        return;
    }
    if (c.kind == CXCursor_DeclRefExpr) {
        /* a global guarded by a global mutex: AA_GUARDED_BY(global_mu) on the variable */
        CXCursor vd = clang_getCursorReferenced(c);
        char gm[128];
        if (vd.kind == CXCursor_VarDecl && aac_annotation(vd, "guarded_by", gm, sizeof gm) &&
            !aac_state_get(st, gm)) {
            char *vname = aac_spelling(vd);
            aac_report(fl->t, AAC_SYNC_GUARDED_ACCESS, c,
                       "'%s' is guarded by '%s' but accessed without holding it", vname, gm);
            free(vname);
        }
        return;
    }
    if (c.kind != CXCursor_MemberRefExpr) {
        return;
    }
    CXCursor fd = clang_getCursorReferenced(c);
    char mutex[128];
    if (fd.kind != CXCursor_FieldDecl || !aac_annotation(fd, "guarded_by", mutex, sizeof mutex)) {
        return;
    }
    CXCursor k[2];
    if (aac_children(c, k, 2) < 1) {
        return;
    }
    /* the mutex is a sibling field (`base.mu`) unless the struct has no such field: then it is
     * a global lock named as is */
    int sibling = 0;
    {
        CXCursor rec = clang_getCursorSemanticParent(fd);
        fields_walk w = {.n = 0};
        clang_Type_visitFields(clang_getCursorType(rec), fields_visit, &w);
        for (int i = 0; i < w.n && !sibling; i++) {
            char *other = aac_spelling(w.items[i]);
            sibling = !strcmp(other, mutex);
            free(other);
        }
    }
    char *base = aac_place_key(fl->t->tu, k[0]);
    char need[512];
    if (sibling) {
        snprintf(need, sizeof need, "%s.%s", base, mutex);
    } else {
        snprintf(need, sizeof need, "%s", mutex);
    }
    if (!aac_state_get(st, need)) {
        char *fname = aac_spelling(fd);
        aac_report(fl->t, AAC_SYNC_GUARDED_ACCESS, c,
                   "'%s' is guarded by '%s' but accessed without holding '%s'", fname, mutex,
                   need);
        free(fname);
    }
    free(base);
}

static void on_exit_(aac_flow *fl, aac_state *st, CXCursor at, int is_return)
{
    (void)fl;
    (void)st;
    (void)at;
    (void)is_return;
}

static int exempt(const aac_func *f)
{
    /* foo_locked(): by convention its caller holds the locks (say it with AA_REQUIRES too) */
    size_t n = strlen(f->name);
    if (n > 7 && !strcmp(f->name + n - 7, "_locked")) {
        return 1;
    }
    static const char *const suffixes[] = {"_init", "_new", "_create", "_destroy", "_free",
                                           "_drop", "_fini", "_setup", "_alloc", "_deinit",
                                           "_cleanup", "_teardown", "_dispose", NULL};
    if ((f->roles & AAC_ROLE_FREE) || !strcmp(f->name, "main")) {
        return 1;
    }
    size_t l = strlen(f->name);
    for (int i = 0; suffixes[i]; i++) {
        size_t sl = strlen(suffixes[i]);
        if (l > sl && !strcmp(f->name + l - sl, suffixes[i])) {
            return 1;
        }
    }
    return 0;
}

/* ---- sync-guarded-access, inferred: fields a lock of their struct guards elsewhere ----
 *
 * A field of a struct that has a lock field is taken to be guarded by that lock when some
 * function (not an init/new/destroy/free-like one) accesses it with `<base>.<lock>` held.
 * Every other access without the lock held is reported. A static helper starts with the locks
 * every caller in the TU holds at its calls (translated to its parameters); one pass learns
 * those and the guarded fields, a second reports.
 */

typedef struct guard {
    CXCursor field;
    char lock[64];
    CXCursor where; /* one access with the lock held */
} guard;

typedef struct infer_ctx {
    guard *g;
    size_t ng, capg;
    aac_state *entry; /* per function (index in t->funcs): locks held at every call site */
    int *entry_set;   /* 1 once a call site has been seen */
    int pass;
    int changed;
    aac_func *f;
    int exempt;
} infer_ctx;

static guard *guard_of(infer_ctx *ix, CXCursor fd)
{
    for (size_t i = 0; i < ix->ng; i++) {
        if (clang_equalCursors(ix->g[i].field, fd)) {
            return &ix->g[i];
        }
    }
    return NULL;
}

typedef struct lock_names {
    char name[4][64];
    int n;
} lock_names;

static enum CXVisitorResult lock_names_visit(CXCursor c, CXClientData data)
{
    lock_names *ln = data;
    if (ln->n < 4 && aac_type_is_lock(clang_getCursorType(c))) {
        char *n = aac_spelling(c);
        snprintf(ln->name[ln->n++], sizeof ln->name[0], "%s", n);
        free(n);
    }
    return CXVisit_Continue;
}

/* `q` in `q = malloc(...)`-initialised locals: not shared yet. */
static int fresh_object(CXCursor base)
{
    CXCursor b = aac_strip(base);
    if (b.kind != CXCursor_DeclRefExpr) {
        return 0;
    }
    CXCursor d = clang_getCursorReferenced(b);
    if (d.kind != CXCursor_VarDecl || !aac_is_automatic(d)) {
        return 0;
    }
    if (clang_getCanonicalType(clang_getCursorType(d)).kind != CXType_Pointer) {
        return 1; /* a struct on this stack: nobody else sees it */
    }
    CXCursor init = aac_strip(clang_Cursor_getVarDeclInitializer(d));
    if (init.kind != CXCursor_CallExpr) {
        return 0;
    }
    char *callee = aac_callee_name(init, NULL);
    int fresh = !strcmp(callee, "malloc") || !strcmp(callee, "calloc") ||
                !strcmp(callee, "aligned_alloc") || !strcmp(callee, "realloc");
    free(callee);
    return fresh;
}

static int exempt(const aac_func *f);

/* Is the first name of a place key ("timers.lock" -> "timers") a global variable? */
static int global_root(aac_tu *t, const char *key)
{
    char root[128];
    snprintf(root, sizeof root, "%s", key);
    root[strcspn(root, ".[")] = 0;
    for (size_t i = 0; i < t->globals.len; i++) {
        char *g = aac_spelling(t->globals.items[i]);
        int ok = !strcmp(g, root); /* file-scope or static: outlives every call */
        free(g);
        if (ok) {
            return 1;
        }
    }
    return 0;
}

static void infer_call(aac_flow *fl, aac_state *st, CXCursor c, aac_func *g)
{
    infer_ctx *ix = fl->ud;
    aac_tu *t = fl->t;
    size_t gi = (size_t)(g - t->funcs);
    if (clang_Cursor_getStorageClass(g->cursor) != CX_SC_Static || ix->pass != 1) {
        return;
    }
    /* translate the held locks to g's parameters */
    aac_state here = {0};
    int nargs = clang_Cursor_getNumArguments(c);
    for (size_t k = 0; k < st->n; k++) {
        const char *key = st->items[k].key;
        int mapped = 0;
        for (int i = 0; i < nargs && i < clang_Cursor_getNumArguments(g->cursor); i++) {
            char *ak = aac_place_key(t->tu, clang_Cursor_getArgument(c, (unsigned)i));
            size_t al = strlen(ak);
            if (al && !strncmp(key, ak, al) && key[al] == '.') {
                char *pn = aac_spelling(clang_Cursor_getArgument(g->cursor, (unsigned)i));
                char nk[256];
                snprintf(nk, sizeof nk, "%s%s", pn, key + al);
                aac_state_put(&here, nk, c)->must = 1;
                free(pn);
                mapped = 1;
            }
            free(ak);
        }
        if (!mapped && global_root(t, key)) {
            aac_state_put(&here, key, c)->must = 1; /* a global lock, or one in a global */
        }
    }
    if (!ix->entry_set[gi]) {
        ix->entry_set[gi] = 1;
        ix->changed = 1;
        for (size_t k = 0; k < here.n; k++) {
            aac_state_put(&ix->entry[gi], here.items[k].key, c)->must = 1;
        }
    } else {
        for (size_t k = 0; k < ix->entry[gi].n;) {
            if (!aac_state_get(&here, ix->entry[gi].items[k].key)) {
                aac_state_del(&ix->entry[gi], ix->entry[gi].items[k].key);
                ix->changed = 1;
                continue;
            }
            k++;
        }
    }
    aac_state_clear(&here);
}

static void infer_event(aac_flow *fl, aac_state *st, CXCursor c)
{
    infer_ctx *ix = fl->ud;
    if (c.kind == CXCursor_CallExpr) {
        int direct = 0;
        char *callee = aac_callee_name(c, &direct);
        char *key = NULL;
        int k = direct ? aac_lock_call(fl->t, c, callee, &key) : 0;
        if (k > 0) {
            aac_item *it = aac_state_put(st, key, c);
            it->may = it->must = 1;
        } else if (k < 0) {
            aac_state_del(st, key);
        } else if (direct) {
            aac_func *g = aac_tu_func(fl->t, callee);
            if (g && g != ix->f) {
                infer_call(fl, st, c, g);
            }
        }
        free(key);
        free(callee);
        return;
    }
    if (c.kind != CXCursor_MemberRefExpr || ix->exempt) {
        return;
    }
    CXCursor fd = clang_getCursorReferenced(c);
    if (fd.kind != CXCursor_FieldDecl || aac_annotation(fd, "guarded_by", NULL, 0)) {
        return;
    }
    CXType ft = clang_getCursorType(fd);
    if (is_immutable_or_atomic(ft) || is_sync_object(ft) || aac_type_is_lock(ft) ||
        aac_fn_type(ft).kind != CXType_Invalid) {
        return;
    }
    CXCursor rec = clang_getCursorSemanticParent(fd);
    lock_names ln = {.n = 0};
    clang_Type_visitFields(clang_getCursorType(rec), lock_names_visit, &ln);
    if (ln.n == 0) {
        return;
    }
    CXCursor k[2];
    if (aac_children(c, k, 2) < 1 || fresh_object(k[0])) {
        return;
    }
    char *base = aac_place_key(fl->t->tu, k[0]);
    guard *g = guard_of(ix, fd);
    if (ix->pass == 1) {
        for (int i = 0; i < ln.n && !g; i++) {
            char need[256];
            snprintf(need, sizeof need, "%s.%s", base, ln.name[i]);
            if (aac_state_get(st, need)) {
                if (ix->ng == ix->capg) {
                    ix->capg = ix->capg ? ix->capg * 2 : 8;
                    ix->g = realloc(ix->g, ix->capg * sizeof *ix->g);
                }
                g = &ix->g[ix->ng++];
                g->field = fd;
                snprintf(g->lock, sizeof g->lock, "%s", ln.name[i]);
                g->where = c;
            }
        }
    } else if (g && st->n == 0) { /* under some other lock: a design we cannot judge */
        char need[256];
        snprintf(need, sizeof need, "%s.%s", base, g->lock);
        if (!aac_state_get(st, need)) {
            char *fname = aac_spelling(fd);
            unsigned line, col;
            aac_line_col(clang_getCursorLocation(g->where), &line, &col);
            aac_report(fl->t, AAC_SYNC_GUARDED_ACCESS, c,
                       "'%s' is accessed here without holding '%s', which guards it elsewhere "
                       "(line %u): another thread may be using it",
                       fname, need, line);
            free(fname);
        }
    }
    free(base);
}

static void infer_guarded(aac_tu *t)
{
    infer_ctx ix;
    memset(&ix, 0, sizeof ix);
    ix.entry = calloc(t->nfuncs + 1, sizeof *ix.entry);
    ix.entry_set = calloc(t->nfuncs + 1, sizeof *ix.entry_set);
    /* pass 1, until the entry locksets settle (at most 4 rounds): learn guards and entry
     * locksets in functions that lock or are entered with a lock; pass 2: report */
    for (int round = 0; round < 6; round++) {
        ix.pass = round < 5 ? 1 : 2;
        if (ix.pass == 2 && ix.ng == 0) {
            break;
        }
        ix.changed = 0;
        for (size_t i = 0; i < t->nfuncs; i++) {
            aac_func *f = &t->funcs[i];
            if (!(f->facts & AAC_FACT_LOCKED_REC) && !(f->facts & AAC_FACT_LOCKS)) {
                continue;
            }
            if (ix.pass == 1 && !(f->facts & AAC_FACT_LOCKS) && ix.entry[i].n == 0) {
                continue; /* holds no lock anywhere: nothing to learn here */
            }
            if (ix.pass == 1 && round > 0 && ix.entry[i].n == 0 && !(f->facts & AAC_FACT_LOCKS)) {
                continue;
            }
            CXCursor body = aac_body(f->cursor);
            if (clang_Cursor_isNull(body)) {
                continue;
            }
            ix.f = f;
            ix.exempt = exempt(f);
            aac_flow fl;
            memset(&fl, 0, sizeof fl);
            fl.t = t;
            fl.join = AAC_JOIN_INTERSECT;
            fl.ud = &ix;
            fl.on_event = infer_event;
            fl.on_exit = on_exit_;
            fl.on_branch = aac_trylock_branch;
            aac_state st = {0};
            for (size_t k = 0; k < ix.entry[i].n; k++) {
                aac_state_put(&st, ix.entry[i].items[k].key, f->cursor)->must = 1;
            }
            aac_flow_run(&fl, body, &st);
        }
        if (ix.pass == 1 && !ix.changed) {
            round = 4; /* settled: report next */
        }
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_state_clear(&ix.entry[i]);
    }
    free(ix.entry);
    free(ix.entry_set);
    free(ix.g);
}

void aac_rules_sync(aac_tu *t)
{
    if (aac_enabled(t, AAC_SYNC_UNGUARDED_FIELD)) {
        for (size_t i = 0; i < t->records.len; i++) {
            if (aac_annotation(t->records.items[i], "shared", NULL, 0)) {
                check_shared_record(t, t->records.items[i]);
            }
        }
    }
    if (!aac_enabled(t, AAC_SYNC_GUARDED_ACCESS)) {
        return;
    }
    infer_guarded(t);
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (!(f->facts & AAC_FACT_GUARDED) || exempt(f)) {
            continue;
        }
        aac_flow fl;
        memset(&fl, 0, sizeof fl);
        fl.t = t;
        fl.join = AAC_JOIN_INTERSECT;
        fl.on_event = on_event;
        fl.on_exit = on_exit_;
        fl.on_branch = aac_trylock_branch;
        aac_state st = {0};
        /* AA_REQUIRES(s->mu, ...): the caller holds these on entry */
        char req[512];
        if (aac_annotation(f->cursor, "requires", req, sizeof req)) {
            char *save = NULL;
            for (char *tok = strtok_r(req, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                char key[256];
                size_t w = 0;
                for (const char *r = tok; *r && w + 1 < sizeof key; r++) {
                    if (*r == ' ' || *r == '&' || *r == '(' || *r == ')' || *r == '*') {
                        continue;
                    }
                    if (r[0] == '-' && r[1] == '>') {
                        key[w++] = '.';
                        r++;
                        continue;
                    }
                    key[w++] = *r;
                }
                key[w] = 0;
                aac_item *it = aac_state_put(&st, key, f->cursor);
                it->may = it->must = 1;
            }
        }
        CXCursor body = aac_body(f->cursor);
        if (!clang_Cursor_isNull(body)) {
            aac_flow_run(&fl, body, &st);
        }
        aac_state_clear(&st);
    }
}
