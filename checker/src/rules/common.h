/* rules/common.h: facts several rule families share (locks, callbacks, releases, blocking). */
#ifndef AAC_RULES_COMMON_H
#define AAC_RULES_COMMON_H

#include "ast.h"

/* If `call` locks (returns 1) or unlocks (-1) a mutex, spin lock, rwlock or C11 mtx, sets
 * *key to the lock's place key (malloc'd, e.g. "s.mu" for &s->mu); 0 otherwise. */
int aac_lock_call(aac_tu *t, CXCursor call, const char *callee, char **key);

/* If the condition `cond` takes a lock with a try-lock call (`trylock(&m) == 0`, `!trylock(&m)`),
 * sets *key (malloc'd) and returns 1 when the then-branch holds it, -1 when the else-branch
 * does; 0 otherwise. */
int aac_trylock_cond(aac_tu *t, CXCursor cond, char **key);
struct aac_flow;
struct aac_state;
/* A flow on_branch hook: the arm of an `if` in which a try-lock succeeded holds that lock. */
void aac_trylock_branch(struct aac_flow *fl, CXCursor cond, struct aac_state *then_st,
                        struct aac_state *else_st);

/* Returns 1 if `call` invokes a continuation, a foreign complete or a dropped callback
 * directly (through its pointer) or wakes a waker; writes a description to `what`. */
int aac_callback_call(CXCursor call, const char *callee, int direct, char *what, size_t sz);

/* Returns 1 if the function `name` releases a resource (free, close, *_release, ...);
 * `memory_too` includes free()-like deallocation. */
int aac_release_fn(const char *name, int memory_too);

/* Returns 1 if `name` is a call that may block the calling thread. */
int aac_blocking_fn(const char *name);

/* Marks (f->mark = stamp) every TU function reachable by direct calls from functions whose
 * roles intersect `roles`, not descending into functions whose roles intersect `stop`;
 * returns how many were marked. */
size_t aac_mark_reachable(aac_tu *t, unsigned roles, unsigned stop, unsigned stamp);
/* The last identifier of a place key ("s.buf" -> "buf"), pointing into `key`. */
const char *aac_key_leaf(const char *key);
/* Returns the body (CompoundStmt) of a function definition, or a null cursor. */
CXCursor aac_body(CXCursor fn);

#endif /* AAC_RULES_COMMON_H */
