/* flow.h: a small path walk over one function body, in statement order.
 *
 * The walker follows structured control flow (if/else, loops run zero or one time, switch
 * with fallthrough, break to the loop exit, continue to the loop's next test, goto to the next
 * label, return). It
 * carries a state of keyed items plus a counter range and merges states where paths join.
 * It is not a CFG: no loop fixpoint, no path conditions, no aliasing. Rules that use it
 * document these limits on their doc pages.
 */
#ifndef AAC_FLOW_H
#define AAC_FLOW_H

#include "ast.h"

typedef struct aac_item {
    char *key;
    unsigned may, must; /* bits: set on some path / on every path */
    CXCursor where;     /* where the item was created (for reports) */
} aac_item;

typedef struct aac_state {
    aac_item *items;
    size_t n, cap;
    int lo, hi; /* a counter range: e.g. how many times a callback was invoked */
} aac_state;

/* How to join two paths: keep only keys on both (INTERSECT) or keys on either (UNION). */
typedef enum aac_join { AAC_JOIN_INTERSECT, AAC_JOIN_UNION } aac_join;

typedef struct aac_flow aac_flow;
struct aac_flow {
    aac_tu *t;
    aac_join join;
    void *ud;
    /* Each expression node, children first (a call after its arguments). */
    void (*on_event)(aac_flow *fl, aac_state *st, CXCursor c);
    /* A return statement (is_return 1, `at` the ReturnStmt) or the end of the body (0). */
    void (*on_exit)(aac_flow *fl, aac_state *st, CXCursor at, int is_return);
    /* After a loop statement, with the state that leaves it (optional). */
    void (*on_loop)(aac_flow *fl, aac_state *st, CXCursor loop);
    /* Before the two arms of an if join (optional): may adjust either state. */
    void (*on_if)(aac_flow *fl, CXCursor cond, aac_state *then_st, aac_state *else_st);
    /* Before the two arms of an if are walked (optional): may seed either state. */
    void (*on_branch)(aac_flow *fl, CXCursor cond, aac_state *then_st, aac_state *else_st);
    /* The condition of the innermost if whose then-branch is being walked (or null). */
    CXCursor if_cond;
    /* internal */
    aac_state *goto_acc;
    aac_state *break_acc[64];
    aac_state *cont_acc[64]; /* states that `continue` to the loop at this level */
    int is_loop[64];         /* 1: a loop, 0: a switch */
    int depth;
};

/* Returns the item with `key`, or NULL. */
aac_item *aac_state_get(aac_state *st, const char *key);
/* Returns the item with `key`, adding it (bits 0) if absent. */
aac_item *aac_state_put(aac_state *st, const char *key, CXCursor where);
/* Removes the item with `key` if present. */
void aac_state_del(aac_state *st, const char *key);
/* Frees the items of `st` (not `st` itself). */
void aac_state_clear(aac_state *st);

/* Walks `body` from state `st` (consumed: cleared on return). */
void aac_flow_run(aac_flow *fl, CXCursor body, aac_state *st);

#endif /* AAC_FLOW_H */
