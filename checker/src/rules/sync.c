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
                                        "pthread_barrier_t", "_lock_t", NULL};
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
                                           "_drop", "_fini", NULL};
    if (f->roles & AAC_ROLE_FREE) {
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
