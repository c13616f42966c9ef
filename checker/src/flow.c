/* The structured path walker behind the lock, release, callback and handle rules. */
#include "flow.h"
#include "walk.h"

#include <stdlib.h>
#include <string.h>

aac_item *aac_state_get(aac_state *st, const char *key)
{
    for (size_t i = 0; i < st->n; i++) {
        if (!strcmp(st->items[i].key, key)) {
            return &st->items[i];
        }
    }
    return NULL;
}

aac_item *aac_state_put(aac_state *st, const char *key, CXCursor where)
{
    aac_item *it = aac_state_get(st, key);
    if (it) {
        return it;
    }
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 8;
        st->items = realloc(st->items, st->cap * sizeof *st->items);
        if (!st->items) {
            abort();
        }
    }
    it = &st->items[st->n++];
    it->key = strdup(key);
    it->may = it->must = 0;
    it->where = where;
    return it;
}

void aac_state_del(aac_state *st, const char *key)
{
    for (size_t i = 0; i < st->n; i++) {
        if (!strcmp(st->items[i].key, key)) {
            free(st->items[i].key);
            st->items[i] = st->items[--st->n];
            return;
        }
    }
}

void aac_state_clear(aac_state *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->items[i].key);
    }
    free(st->items);
    st->items = NULL;
    st->n = st->cap = 0;
}

static aac_state *state_clone(const aac_state *st)
{
    aac_state *c = calloc(1, sizeof *c);
    c->lo = st->lo;
    c->hi = st->hi;
    for (size_t i = 0; i < st->n; i++) {
        aac_item *it = aac_state_put(c, st->items[i].key, st->items[i].where);
        it->may = st->items[i].may;
        it->must = st->items[i].must;
    }
    return c;
}

static void state_assign(aac_state *dst, aac_state *src)
{
    aac_state_clear(dst);
    *dst = *src;
    free(src);
}

/* dst := join(dst, src); src is left unchanged. */
static void state_join(aac_join join, aac_state *dst, const aac_state *src)
{
    for (size_t i = 0; i < dst->n;) {
        aac_item *a = &dst->items[i];
        aac_item *b = aac_state_get((aac_state *)src, a->key);
        if (b) {
            a->may |= b->may;
            a->must &= b->must;
        } else if (join == AAC_JOIN_INTERSECT) {
            free(a->key);
            dst->items[i] = dst->items[--dst->n];
            continue;
        }
        i++;
    }
    if (join == AAC_JOIN_UNION) {
        for (size_t i = 0; i < src->n; i++) {
            if (!aac_state_get(dst, src->items[i].key)) {
                aac_item *it = aac_state_put(dst, src->items[i].key, src->items[i].where);
                it->may = src->items[i].may;
                it->must = src->items[i].must;
            }
        }
    }
    if (src->lo < dst->lo) {
        dst->lo = src->lo;
    }
    if (src->hi > dst->hi) {
        dst->hi = src->hi;
    }
}

/* acc := acc ? join(acc, st) : clone(st) */
static void acc_add(aac_flow *fl, aac_state **acc, const aac_state *st)
{
    if (!*acc) {
        *acc = state_clone(st);
    } else {
        state_join(fl->join, *acc, st);
    }
}

static void acc_free(aac_state *acc)
{
    if (acc) {
        aac_state_clear(acc);
        free(acc);
    }
}

enum { FL_LIVE = 0, FL_DEAD = 1 };

typedef struct expr_walk {
    aac_flow *fl;
    aac_state *st;
    int depth;
} expr_walk;

/* Expressions nest as deep as the source does (a + a + ... is a chain of BinaryOperators):
 * beyond this depth the walk stops descending rather than exhaust the stack. */
#define AAC_MAX_EXPR_DEPTH 512

static enum CXChildVisitResult expr_visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    expr_walk *w = data;
    if (aac_walk_skip(c)) {
        return CXChildVisit_Continue;
    }
    if (w->depth < AAC_MAX_EXPR_DEPTH) {
        w->depth++;
        clang_visitChildren(c, expr_visit, w);
        w->depth--;
    }
    w->fl->on_event(w->fl, w->st, c);
    return CXChildVisit_Continue;
}

static void walk_expr(aac_flow *fl, aac_state *st, CXCursor c)
{
    expr_walk w = {fl, st, 0};
    expr_visit(c, clang_getNullCursor(), &w);
}

static int walk(aac_flow *fl, CXCursor c, aac_state *st);

static int is_true_literal(CXCursor c)
{
    c = aac_strip(c);
    if (c.kind != CXCursor_IntegerLiteral) {
        return 0;
    }
    CXEvalResult r = clang_Cursor_Evaluate(c);
    int v = r && clang_EvalResult_getKind(r) == CXEval_Int && clang_EvalResult_getAsLongLong(r);
    if (r) {
        clang_EvalResult_dispose(r);
    }
    return v;
}

static int walk_loop(aac_flow *fl, CXCursor c, aac_state *st)
{
    CXCursor k[8];
    int n = aac_children(c, k, 8);
    if (n <= 0 || n > 8) {
        return FL_LIVE;
    }
    CXCursor body = c.kind == CXCursor_DoStmt ? k[0] : k[n - 1];
    int infinite = (c.kind == CXCursor_ForStmt && n == 1) ||
                   (c.kind == CXCursor_WhileStmt && n == 2 && is_true_literal(k[0]));
    if (c.kind != CXCursor_DoStmt) {
        for (int i = 0; i < n - 1; i++) {
            walk_expr(fl, st, k[i]);
        }
    }
    if (fl->depth >= 63) {
        return FL_LIVE;
    }
    fl->break_acc[++fl->depth] = NULL;
    fl->cont_acc[fl->depth] = NULL;
    fl->is_loop[fl->depth] = 1;
    aac_state *b = state_clone(st);
    int r = walk(fl, body, b);
    /* a continue reaches the loop's next test, like the end of the body */
    aac_state *cont = fl->cont_acc[fl->depth];
    fl->cont_acc[fl->depth] = NULL;
    if (cont) {
        if (r == FL_LIVE) {
            state_join(fl->join, b, cont);
            acc_free(cont);
        } else {
            acc_free(b);
            b = cont;
            r = FL_LIVE;
        }
    }
    if (c.kind == CXCursor_DoStmt) {
        if (r == FL_LIVE) {
            walk_expr(fl, b, k[1 < n ? 1 : 0]);
        }
        /* a do-body runs at least once: leave with its state */
        if (r == FL_LIVE) {
            state_assign(st, b);
            b = NULL;
        } else {
            aac_state_clear(st);
            st->lo = st->hi = 0;
        }
    } else if (infinite) {
        /* only breaks leave */
        aac_state_clear(st);
    } else if (r == FL_LIVE) {
        state_join(fl->join, st, b);
    }
    acc_free(b);
    aac_state *brk = fl->break_acc[fl->depth--];
    int dead = (infinite || (c.kind == CXCursor_DoStmt && r == FL_DEAD));
    if (brk) {
        if (dead) {
            aac_state *cl = state_clone(brk);
            state_assign(st, cl);
        } else {
            state_join(fl->join, st, brk);
        }
        acc_free(brk);
        dead = 0;
    }
    if (dead) {
        return FL_DEAD;
    }
    if (fl->on_loop) {
        fl->on_loop(fl, st, c);
    }
    return FL_LIVE;
}

static int has_default(CXCursor body)
{
    int n = aac_children(body, NULL, 0);
    CXCursor *k = malloc((size_t)(n > 0 ? n : 1) * sizeof *k);
    n = aac_children(body, k, n);
    int found = 0;
    for (int i = 0; i < n && !found; i++) {
        CXCursor x = k[i];
        while (x.kind == CXCursor_CaseStmt) {
            CXCursor kk[4];
            int m = aac_children(x, kk, 4);
            if (m < 1 || m > 4) {
                break;
            }
            x = kk[m - 1];
        }
        found = x.kind == CXCursor_DefaultStmt;
    }
    free(k);
    return found;
}

static int walk_switch(aac_flow *fl, CXCursor c, aac_state *st)
{
    CXCursor k[4];
    int n = aac_children(c, k, 4);
    if (n < 2 || n > 4 || fl->depth >= 63) {
        return FL_LIVE;
    }
    for (int i = 0; i < n - 1; i++) {
        walk_expr(fl, st, k[i]);
    }
    CXCursor body = k[n - 1];
    int dflt = has_default(body);
    aac_state *entry = state_clone(st);
    aac_state *cur = NULL;
    fl->break_acc[++fl->depth] = NULL;
    fl->cont_acc[fl->depth] = NULL;
    fl->is_loop[fl->depth] = 0;
    int m = aac_children(body, NULL, 0);
    CXCursor *kids = malloc((size_t)(m > 0 ? m : 1) * sizeof *kids);
    m = aac_children(body, kids, m);
    for (int i = 0; i < m; i++) {
        CXCursor x = kids[i];
        if (x.kind == CXCursor_CaseStmt || x.kind == CXCursor_DefaultStmt) {
            if (cur) {
                state_join(fl->join, cur, entry); /* fallthrough joins a new entry */
            } else {
                cur = state_clone(entry);
            }
        }
        if (!cur) {
            continue; /* unreachable */
        }
        if (walk(fl, x, cur) == FL_DEAD) {
            acc_free(cur);
            cur = NULL;
        }
    }
    free(kids);
    aac_state *exit = fl->break_acc[fl->depth--];
    if (cur) {
        acc_add(fl, &exit, cur);
        acc_free(cur);
    }
    if (!dflt) {
        acc_add(fl, &exit, entry);
    }
    acc_free(entry);
    if (!exit) {
        return FL_DEAD;
    }
    state_assign(st, exit);
    return FL_LIVE;
}

static int walk_if(aac_flow *fl, CXCursor c, aac_state *st)
{
    CXCursor k[4];
    int n = aac_children(c, k, 4);
    if (n < 2 || n > 4) {
        return FL_LIVE;
    }
    /* C: cond, then, [else]; C++ may put an init statement or condition variable first */
    int has_else = n >= 3;
    int ci = n == 2 ? 0 : n - 3;
    for (int i = 0; i < ci; i++) {
        walk_expr(fl, st, k[i]);
    }
    CXCursor cond = k[ci];
    walk_expr(fl, st, cond);
    CXCursor then_s = k[ci + 1];
    CXCursor else_s = k[n - 1];
    aac_state *a = state_clone(st);
    aac_state *b = state_clone(st);
    if (fl->on_branch) {
        fl->on_branch(fl, cond, a, b);
    }
    CXCursor saved = fl->if_cond;
    fl->if_cond = cond;
    int ra = walk(fl, then_s, a);
    fl->if_cond = saved;
    int rb = has_else ? walk(fl, else_s, b) : FL_LIVE;
    if (fl->on_if) {
        fl->on_if(fl, cond, ra == FL_LIVE ? a : NULL, rb == FL_LIVE ? b : NULL);
    }
    int res;
    if (ra == FL_DEAD && rb == FL_DEAD) {
        res = FL_DEAD;
    } else if (ra == FL_DEAD) {
        state_assign(st, b);
        b = NULL;
        res = FL_LIVE;
    } else if (rb == FL_DEAD) {
        state_assign(st, a);
        a = NULL;
        res = FL_LIVE;
    } else {
        state_join(fl->join, a, b);
        state_assign(st, a);
        a = NULL;
        res = FL_LIVE;
    }
    acc_free(a);
    acc_free(b);
    return res;
}

static int walk(aac_flow *fl, CXCursor c, aac_state *st)
{
    switch (c.kind) {
    case CXCursor_CompoundStmt: {
        /* children on the heap: blocks nest up to clang's limit and frames must stay small */
        int n = aac_children(c, NULL, 0);
        CXCursor *k = malloc((size_t)(n > 0 ? n : 1) * sizeof *k);
        n = aac_children(c, k, n);
        int dead = 0;
        for (int i = 0; i < n; i++) {
            if (dead) {
                if (k[i].kind != CXCursor_LabelStmt) {
                    continue;
                }
                if (!fl->goto_acc) {
                    continue;
                }
                aac_state *g = state_clone(fl->goto_acc);
                state_assign(st, g);
                dead = 0;
            }
            if (walk(fl, k[i], st) == FL_DEAD) {
                dead = 1;
            }
        }
        free(k);
        return dead ? FL_DEAD : FL_LIVE;
    }
    case CXCursor_IfStmt:
        return walk_if(fl, c, st);
    case CXCursor_WhileStmt:
    case CXCursor_ForStmt:
    case CXCursor_DoStmt:
        return walk_loop(fl, c, st);
    case CXCursor_SwitchStmt:
        return walk_switch(fl, c, st);
    case CXCursor_CaseStmt:
    case CXCursor_DefaultStmt:
    case CXCursor_LabelStmt: {
        CXCursor k[4];
        int n = aac_children(c, k, 4);
        if (n < 1 || n > 4) {
            return FL_LIVE;
        }
        if (c.kind == CXCursor_LabelStmt && fl->goto_acc) {
            state_join(fl->join, st, fl->goto_acc);
        }
        return walk(fl, k[n - 1], st);
    }
    case CXCursor_ReturnStmt: {
        walk_expr(fl, st, c);
        fl->on_exit(fl, st, c, 1);
        return FL_DEAD;
    }
    case CXCursor_BreakStmt:
        if (fl->depth > 0) {
            acc_add(fl, &fl->break_acc[fl->depth], st);
        }
        return FL_DEAD;
    case CXCursor_ContinueStmt:
        for (int d = fl->depth; d > 0; d--) {
            if (fl->is_loop[d]) {
                acc_add(fl, &fl->cont_acc[d], st);
                break;
            }
        }
        return FL_DEAD;
    case CXCursor_GotoStmt:
    case CXCursor_IndirectGotoStmt:
        acc_add(fl, &fl->goto_acc, st);
        return FL_DEAD;
    case CXCursor_NullStmt:
        return FL_LIVE;
    default:
        walk_expr(fl, st, c);
        return FL_LIVE;
    }
}

void aac_flow_run(aac_flow *fl, CXCursor body, aac_state *st)
{
    fl->goto_acc = NULL;
    fl->depth = 0;
    fl->if_cond = clang_getNullCursor();
    if (walk(fl, body, st) == FL_LIVE) {
        fl->on_exit(fl, st, body, 0);
    }
    acc_free(fl->goto_acc);
    fl->goto_acc = NULL;
    aac_state_clear(st);
}
