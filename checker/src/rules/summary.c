/* Per-function summaries (what a function blocks on, frees, releases, turns into future
 * state), memoized, and the future-state records inferred from the runtime's constructors. */
#include "rules/summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/common.h"

void aac_fsum_free(aac_fsum *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; i < s->nrel; i++) {
        free(s->rel[i].key);
    }
    free(s->rel);
    free(s);
}

static aac_fsum *sum_get(aac_func *f)
{
    if (!f->summary) {
        f->summary = calloc(1, sizeof *f->summary);
        if (!f->summary) {
            abort();
        }
    }
    return f->summary;
}

/* ---- blocking ---- */

static int const_arg(CXCursor call, int idx, long long *v)
{
    return clang_Cursor_getNumArguments(call) > idx &&
           aac_const_int(clang_Cursor_getArgument(call, (unsigned)idx), v);
}

int aac_blocking_call(CXCursor call, const char *callee)
{
    if (!aac_blocking_fn(callee)) {
        return 0;
    }
    long long v;
    /* a zero timeout only looks */
    if (!strcmp(callee, "poll") && const_arg(call, 2, &v) && v == 0) {
        return 0;
    }
    if ((!strcmp(callee, "epoll_wait") || !strcmp(callee, "epoll_pwait")) &&
        const_arg(call, 3, &v) && v == 0) {
        return 0;
    }
    /* MSG_DONTWAIT (0x40 on Linux) makes a receive non-blocking */
    int flags = !strcmp(callee, "recv") || !strcmp(callee, "recvfrom") ? 3
                : !strcmp(callee, "recvmsg")                           ? 2
                                                                       : -1;
    if (flags >= 0 && const_arg(call, flags, &v) && (v & 0x40)) {
        return 0;
    }
    /* WNOHANG (1) makes waitpid/waitid only look; LOCK_NB (4) makes flock fail at once */
    if (!strcmp(callee, "waitpid") && const_arg(call, 2, &v) && (v & 1)) {
        return 0;
    }
    if (!strcmp(callee, "waitid") && const_arg(call, 3, &v) && (v & 1)) {
        return 0;
    }
    if (!strcmp(callee, "flock") && const_arg(call, 1, &v) && (v & 4)) {
        return 0;
    }
    return 1;
}

/* ---- resources ---- */

/* The parameter of `f` an expression is rooted at (p, p->a.b, &p->x, *p, p[i]), or -1. */
static int param_root(aac_func *f, CXCursor e)
{
    for (int guard = 0; guard < 16; guard++) {
        e = aac_strip(e);
        if (e.kind == CXCursor_DeclRefExpr) {
            CXCursor d = clang_getCursorReferenced(e);
            if (d.kind != CXCursor_ParmDecl) {
                return -1;
            }
            int n = clang_Cursor_getNumArguments(f->cursor);
            for (int i = 0; i < n; i++) {
                if (clang_equalCursors(clang_Cursor_getArgument(f->cursor, (unsigned)i), d)) {
                    return i;
                }
            }
            return -1;
        }
        if (e.kind != CXCursor_MemberRefExpr && e.kind != CXCursor_ArraySubscriptExpr &&
            e.kind != CXCursor_UnaryOperator) {
            return -1;
        }
        CXCursor k[2];
        if (aac_children(e, k, 2) < 1) {
            return -1;
        }
        e = k[0];
    }
    return -1;
}

char *aac_resource_of(aac_tu *t, CXCursor expr)
{
    CXCursor e = aac_strip(expr);
    CXCursor k[2];
    if (e.kind == CXCursor_UnaryOperator && aac_children(e, k, 2) == 1) {
        e = aac_strip(k[0]);
    }
    if (e.kind == CXCursor_MemberRefExpr) {
        CXCursor fd = clang_getCursorReferenced(e);
        if (fd.kind == CXCursor_FieldDecl) {
            char *rec = aac_record_name(clang_getCursorType(clang_getCursorSemanticParent(fd)));
            char *fname = aac_spelling(fd);
            size_t n = (rec ? strlen(rec) : 1) + strlen(fname) + 2;
            char *out = malloc(n);
            snprintf(out, n, "%s.%s", rec ? rec : "?", fname);
            free(rec);
            free(fname);
            return out;
        }
    }
    if (e.kind == CXCursor_DeclRefExpr) {
        char *rec = aac_record_name(clang_getCursorType(e));
        if (rec) {
            return rec;
        }
    }
    return aac_place_key(t->tu, e);
}

/* A local pointer initialised by an allocation in this function: its memory is the
 * function's own temporary (freeing it frees nothing anyone else holds). */
static int fresh_local(CXCursor e)
{
    CXCursor c = aac_strip(e);
    if (c.kind != CXCursor_DeclRefExpr) {
        return 0;
    }
    CXCursor d = clang_getCursorReferenced(c);
    if (d.kind != CXCursor_VarDecl || !aac_is_automatic(d)) {
        return 0;
    }
    CXCursor init = aac_strip(clang_Cursor_getVarDeclInitializer(d));
    if (init.kind != CXCursor_CallExpr) {
        return 0;
    }
    char *callee = aac_callee_name(init, NULL);
    static const char *const allocs[] = {"malloc", "calloc", "realloc", "strdup", "strndup",
                                         "aligned_alloc", "asprintf", NULL};
    int fresh = 0;
    for (int i = 0; allocs[i] && !fresh; i++) {
        fresh = !strcmp(callee, allocs[i]);
    }
    free(callee);
    return fresh;
}

static int memory_free_fn(const char *callee)
{
    char op[16];
    if (!strcmp(callee, "free") || !strcmp(callee, "munmap") || !strcmp(callee, "aa_future_free") ||
        !strcmp(callee, "aa_buffer_free")) {
        return 1;
    }
    if (!strncmp(callee, "ffi_", 4) && strstr(callee, "_rustbuffer_free")) {
        return 1;
    }
    return aac_future_fn_parts(callee, NULL, 0, op, sizeof op, NULL, 0) && !strcmp(op, "free");
}

static void rel_add(aac_fsum *s, const char *key, int memory, CXCursor at)
{
    for (size_t i = 0; i < s->nrel; i++) {
        if (!strcmp(s->rel[i].key, key)) {
            return;
        }
    }
    if (s->nrel == s->caprel) {
        s->caprel = s->caprel ? s->caprel * 2 : 4;
        s->rel = realloc(s->rel, s->caprel * sizeof *s->rel);
        if (!s->rel) {
            abort();
        }
    }
    s->rel[s->nrel].key = strdup(key);
    s->rel[s->nrel].memory = memory;
    s->rel[s->nrel].at = at;
    s->nrel++;
}

/* The key of a library release call: "close(conn.fd)". */
static char *direct_release_key(aac_tu *t, const aac_call *c)
{
    char *res = clang_Cursor_getNumArguments(c->cursor) > 0
                    ? aac_resource_of(t, clang_Cursor_getArgument(c->cursor, 0))
                    : strdup("");
    size_t n = strlen(c->callee) + strlen(res) + 3;
    char *key = malloc(n);
    snprintf(key, n, "%s(%s)", c->callee, res);
    free(res);
    return key;
}

static void compute(aac_tu *t, aac_func *f)
{
    aac_fsum *s = sum_get(f);
    s->state = 1;
    for (size_t j = 0; j < f->ncalls; j++) {
        aac_call *c = &f->calls[j];
        char what[256];
        if (!s->invokes_cb &&
            aac_callback_call(c->cursor, c->callee, c->direct, what, sizeof what)) {
            s->invokes_cb = 1;
        }
        if (!c->direct) {
            continue;
        }
        if (!s->blocks && aac_blocking_call(c->cursor, c->callee)) {
            s->blocks = 1;
            snprintf(s->block_fn, sizeof s->block_fn, "%s", c->callee);
            s->block_at = c->cursor;
        }
        if (memory_free_fn(c->callee)) {
            int has_arg = clang_Cursor_getNumArguments(c->cursor) > 0;
            CXCursor arg = has_arg ? clang_Cursor_getArgument(c->cursor, 0) : c->cursor;
            int root = has_arg ? param_root(f, arg) : -1;
            int mine = has_arg && root < 0 && fresh_local(arg);
            if (root >= 0 && root < 32) {
                s->frees_param |= 1u << root;
            } else if (has_arg && !mine) {
                s->frees_foreign = 1;
            }
            s->frees_any = 1;
            if (!s->free_fn[0] && !mine) {
                snprintf(s->free_fn, sizeof s->free_fn, "%s", c->callee);
                s->free_at = c->cursor;
            }
            if (clang_Cursor_getNumArguments(c->cursor) > 0) {
                char *key = direct_release_key(t, c);
                rel_add(s, key, 1, c->cursor);
                free(key);
            }
            continue;
        }
        aac_func *g = c->fn;
        if (!g) {
            if (aac_release_fn(c->callee, 0) && clang_Cursor_getNumArguments(c->cursor) > 0) {
                char *key = direct_release_key(t, c);
                rel_add(s, key, 0, c->cursor);
                free(key);
            }
            continue;
        }
        if (g->summary && g->summary->state == 1) {
            continue; /* recursion: nothing more to learn on this cycle */
        }
        const aac_fsum *gs = aac_fsum_of(t, g);
        s->invokes_cb |= gs->invokes_cb;
        if (gs->blocks && !s->blocks) {
            s->blocks = 1;
            snprintf(s->block_fn, sizeof s->block_fn, "%s", gs->block_fn);
            s->block_at = gs->block_at;
        }
        s->frees_any |= gs->frees_any;
        int passes_on = gs->frees_foreign;
        s->frees_foreign |= gs->frees_foreign;
        int nargs = clang_Cursor_getNumArguments(c->cursor);
        for (int i = 0; i < nargs && i < 32; i++) {
            if (gs->frees_param & (1u << i)) {
                CXCursor arg = clang_Cursor_getArgument(c->cursor, (unsigned)i);
                int root = param_root(f, arg);
                if (root >= 0 && root < 32) {
                    s->frees_param |= 1u << root;
                    passes_on = 1;
                } else if (!fresh_local(arg)) {
                    s->frees_foreign = 1;
                    passes_on = 1;
                }
            }
        }
        if (passes_on && !s->free_fn[0] && gs->free_fn[0]) {
            snprintf(s->free_fn, sizeof s->free_fn, "%s", gs->free_fn);
            s->free_at = gs->free_at;
        }
        for (size_t r = 0; r < gs->nrel; r++) {
            rel_add(s, gs->rel[r].key, gs->rel[r].memory, gs->rel[r].at);
        }
    }
    s->state = 2;
}

const aac_fsum *aac_fsum_of(aac_tu *t, aac_func *f)
{
    aac_fsum *s = sum_get(f);
    if (s->state == 0) {
        compute(t, f);
    }
    return s;
}

size_t aac_call_releases(aac_tu *t, const aac_call *c, int memory_too,
                         void (*cb)(void *ud, const char *key, CXCursor at), void *ud)
{
    if (!c->direct || clang_Cursor_getNumArguments(c->cursor) < 1) {
        return 0;
    }
    if (memory_free_fn(c->callee) || (!c->fn && aac_release_fn(c->callee, 0))) {
        if (!memory_too && memory_free_fn(c->callee)) {
            return 0;
        }
        char *key = direct_release_key(t, c);
        cb(ud, key, c->cursor);
        free(key);
        return 1;
    }
    if (!c->fn) {
        return 0;
    }
    const aac_fsum *gs = aac_fsum_of(t, c->fn);
    size_t n = 0;
    for (size_t r = 0; r < gs->nrel; r++) {
        if (memory_too || !gs->rel[r].memory) {
            cb(ud, gs->rel[r].key, gs->rel[r].at);
            n++;
        }
    }
    return n;
}

/* ---- future state ---- */

static int rec_known(aac_tu *t, CXCursor rec)
{
    for (size_t i = 0; i < t->state_recs.len; i++) {
        if (clang_equalCursors(t->state_recs.items[i], rec)) {
            return 1;
        }
    }
    return 0;
}

static void rec_add_type(aac_tu *t, CXType ty)
{
    CXType c = clang_getCanonicalType(ty);
    while (c.kind == CXType_Pointer || c.kind == CXType_ConstantArray) {
        c = clang_getCanonicalType(c.kind == CXType_Pointer ? clang_getPointeeType(c)
                                                            : clang_getArrayElementType(c));
    }
    if (c.kind != CXType_Record || t->state_recs.len >= 256) {
        return;
    }
    CXCursor d = clang_getCanonicalCursor(clang_getTypeDeclaration(c));
    if (!rec_known(t, d)) {
        aac_cursors_push(&t->state_recs, d);
    }
}

static enum CXVisitorResult state_field_visit(CXCursor c, CXClientData data)
{
    CXType ft = clang_getCanonicalType(clang_getCursorType(c));
    if (aac_fn_type(ft).kind == CXType_Invalid) { /* function pointers lead nowhere */
        rec_add_type((aac_tu *)data, ft);
    }
    return CXVisit_Continue;
}

void aac_state_records(aac_tu *t)
{
    if (t->state_done) {
        return;
    }
    t->state_done = 1;
    for (size_t i = 0; i < t->records.len; i++) {
        CXCursor r = t->records.items[i];
        char *rn = aac_record_name(clang_getCursorType(r));
        if (aac_annotation(r, "future_state", NULL, 0) || aac_is_dropped_struct_name(rn)) {
            rec_add_type(t, clang_getCursorType(r));
        }
        free(rn);
    }
    for (size_t i = 0; i < t->typedefs.len; i++) { /* typedef struct { ... } DroppedStruct; */
        char *tn = aac_spelling(t->typedefs.items[i]);
        if (aac_is_dropped_struct_name(tn)) {
            rec_add_type(t, clang_getTypedefDeclUnderlyingType(t->typedefs.items[i]));
        }
        free(tn);
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        for (size_t j = 0; j < f->ncalls; j++) {
            aac_call *c = &f->calls[j];
            if (!c->direct || strcmp(c->callee, "aa_future_new") ||
                clang_Cursor_getNumArguments(c->cursor) != 3) {
                continue;
            }
            CXCursor st = aac_strip(clang_Cursor_getArgument(c->cursor, 2));
            rec_add_type(t, clang_getCursorType(st));
            /* a wrapper taking `void *state`: what its callers pass */
            int root = param_root(f, st);
            if (root < 0) {
                continue;
            }
            for (size_t a = 0; a < t->nfuncs; a++) {
                for (size_t b = 0; b < t->funcs[a].ncalls; b++) {
                    aac_call *w = &t->funcs[a].calls[b];
                    if (w->fn == f && clang_Cursor_getNumArguments(w->cursor) > root) {
                        CXCursor arg = aac_strip(clang_Cursor_getArgument(w->cursor, (unsigned)root));
                        rec_add_type(t, clang_getCursorType(arg));
                    }
                }
            }
        }
    }
    /* everything reachable from future state through its fields */
    for (size_t i = 0; i < t->state_recs.len && i < 256; i++) {
        clang_Type_visitFields(clang_getCursorType(t->state_recs.items[i]), state_field_visit, t);
    }
}

int aac_is_state_field(aac_tu *t, CXCursor fd)
{
    if (fd.kind != CXCursor_FieldDecl) {
        return 0;
    }
    aac_state_records(t);
    return rec_known(t, clang_getCanonicalCursor(clang_getCursorSemanticParent(fd)));
}

static int is_data_param(const char *callee, CXCursor fn, int idx)
{
    if (strncmp(callee, "aa_", 3) && strncmp(callee, "ffi_", 4) && strncmp(callee, "uniffi_", 7)) {
        return 0;
    }
    if (fn.kind != CXCursor_FunctionDecl || idx >= clang_Cursor_getNumArguments(fn)) {
        return 0;
    }
    /* the names UniFFI and the runtime give to data that travels with a callback */
    static const char *const names[] = {"callback_data", "complete_data", "user_data", "state",
                                        "waker_data", NULL};
    char *pn = aac_spelling(clang_Cursor_getArgument(fn, (unsigned)idx));
    int ok = 0;
    for (int i = 0; names[i] && !ok; i++) {
        ok = !strcmp(pn, names[i]);
    }
    free(pn);
    return ok;
}

int aac_call_sink_args(aac_tu *t, aac_func *caller, const aac_call *c, int *out, int max)
{
    int nargs = clang_Cursor_getNumArguments(c->cursor);
    int n = 0;
    if (nargs <= 0 || max <= 0) {
        return 0;
    }
    char op[16];
    if (!c->direct) {
        CXCursor callee = clang_getCursorReferenced(c->cursor);
        CXType ct = clang_getCursorType(callee);
        int dropped = 0;
        if (callee.kind == CXCursor_FieldDecl) {
            char *rn = aac_record_name(clang_getCursorType(clang_getCursorSemanticParent(callee)));
            dropped = aac_is_dropped_struct_name(rn);
            free(rn);
        }
        if (aac_type_is_continuation(ct) || aac_type_is_foreign_complete(ct) || dropped) {
            out[n++] = 0;
        }
        return n;
    }
    if (!strcmp(c->callee, "aa_future_new") && nargs == 3) {
        out[n++] = 2;
        return n;
    }
    if (aac_future_fn_parts(c->callee, NULL, 0, op, sizeof op, NULL, 0) && !strcmp(op, "poll") &&
        nargs == 3) {
        if (!(caller && aac_fsum_of(t, caller)->blocks)) {
            out[n++] = 2;
        }
        return n;
    }
    if (c->fn) {
        unsigned sinks = aac_sink_params(t, c->fn);
        for (int i = 0; i < nargs && i < 32 && n < max; i++) {
            if (sinks & (1u << i)) {
                out[n++] = i;
            }
        }
        return n;
    }
    CXCursor callee = clang_getCursorReferenced(c->cursor);
    /* a poll whose caller waits for the continuation keeps the caller's frame alive */
    int waits = strstr(c->callee, "poll") && caller && aac_fsum_of(t, caller)->blocks;
    for (int i = 0; i < nargs && n < max && !waits; i++) {
        if (is_data_param(c->callee, callee, i)) {
            out[n++] = i;
        }
    }
    return n;
}

unsigned aac_sink_params(aac_tu *t, aac_func *f)
{
    aac_fsum *s = sum_get(f);
    if (s->sinks_state) {
        return s->sink_params; /* done, or a recursive call: what is known so far */
    }
    s->sinks_state = 1;
    for (size_t j = 0; j < f->ncalls; j++) {
        int args[8];
        int n = aac_call_sink_args(t, f, &f->calls[j], args, 8);
        for (int i = 0; i < n; i++) {
            int root = param_root(f, clang_Cursor_getArgument(f->calls[j].cursor, (unsigned)args[i]));
            if (root >= 0 && root < 32) {
                s->sink_params |= 1u << root;
            }
        }
    }
    aac_state_records(t);
    for (size_t i = f->store_lo; i < f->store_hi && i < t->stores.len && t->state_recs.len; i++) {
        CXCursor k[3];
        if (aac_children(t->stores.items[i], k, 3) != 2) {
            continue;
        }
        CXCursor fd = clang_getCursorReferenced(aac_strip(k[0]));
        if (!aac_is_state_field(t, fd) || aac_field_of(fd, "RustCallStatus")) {
            continue;
        }
        int root = param_root(f, k[1]);
        CXCursor r = aac_strip(k[1]);
        /* only `st->x = param` (a pointer) moves the caller's object into the state */
        if (root >= 0 && root < 32 && r.kind == CXCursor_DeclRefExpr &&
            clang_getCanonicalType(clang_getCursorType(r)).kind == CXType_Pointer) {
            s->sink_params |= 1u << root;
        }
    }
    s->sinks_state = 2;
    return s->sink_params;
}
