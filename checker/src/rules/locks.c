/* lock-callback-under-lock: a continuation, complete or dropped callback (or a waker wake, or
 * a TU function that invokes one) is never called while the caller holds a lock.
 *
 * A binding may take its own runtime lock inside the callback (Ruby's GVL, a JNI monitor,
 * Python's GIL); a producer that calls back under its lock deadlocks against a binding thread
 * that holds the runtime lock and calls into the producer (ABBA). UniFFI's scheduler releases
 * its mutex before every callback for this reason.
 *
 * Method: the structured walk of flow.h tracks the set of locks held on every path
 * (pthread_mutex/spin/rwlock, C11 mtx, and lock wrappers of the file; keys are places such as
 * `s.mu`); a call of a helper of the file counts when its summary (summary.h, any depth) says it
 * invokes a callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "rules/common.h"
#include "rules/rules.h"
#include "rules/summary.h"

typedef struct lock_ud {
    aac_func *f;
} lock_ud;

static void on_event(aac_flow *fl, aac_state *st, CXCursor c)
{
    if (c.kind != CXCursor_CallExpr) {
        return;
    }
    int direct = 0;
    char *callee = aac_callee_name(c, &direct);
    char *key = NULL;
    int k = direct ? aac_lock_call(fl->t, c, callee, &key) : 0;
    if (k > 0) {
        aac_item *it = aac_state_put(st, key, c);
        it->may = it->must = 1;
    } else if (k < 0) {
        aac_state_del(st, key);
    } else if (st->n > 0) {
        char what[256];
        int invokes = aac_callback_call(c, callee, direct, what, sizeof what);
        if (!invokes && direct) {
            aac_func *g = aac_tu_func(fl->t, callee);
            if (g && aac_fsum_of(fl->t, g)->invokes_cb) {
                snprintf(what, sizeof what, "'%s' (which invokes a callback)", callee);
                invokes = 1;
            }
        }
        if (invokes) {
            unsigned line, col;
            aac_line_col(clang_getCursorLocation(st->items[0].where), &line, &col);
            aac_report(fl->t, AAC_LOCK_CALLBACK_UNDER_LOCK, c,
                       "%s called while holding '%s' (locked at line %u): release the lock "
                       "before calling back",
                       what, st->items[0].key, line);
        }
    }
    free(key);
    free(callee);
}

static void on_exit_(aac_flow *fl, aac_state *st, CXCursor at, int is_return)
{
    (void)fl;
    (void)st;
    (void)at;
    (void)is_return;
}

void aac_rules_locks(aac_tu *t)
{
    if (!aac_enabled(t, AAC_LOCK_CALLBACK_UNDER_LOCK)) {
        return;
    }
    int any = 0;
    for (size_t i = 0; i < t->nfuncs; i++) {
        any |= (t->funcs[i].facts & AAC_FACT_LOCKS) != 0;
    }
    if (!any) {
        return;
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (!(f->facts & AAC_FACT_LOCKS)) {
            continue;
        }
        lock_ud ud = {f};
        aac_flow fl;
        memset(&fl, 0, sizeof fl);
        fl.t = t;
        fl.join = AAC_JOIN_INTERSECT;
        fl.ud = &ud;
        fl.on_event = on_event;
        fl.on_exit = on_exit_;
        fl.on_branch = aac_trylock_branch;
        aac_state st = {0};
        CXCursor k[64];
        int n = aac_children(f->cursor, k, 64);
        if (n > 0 && n <= 64 && k[n - 1].kind == CXCursor_CompoundStmt) {
            aac_flow_run(&fl, k[n - 1], &st);
        }
        aac_state_clear(&st);
    }
}
