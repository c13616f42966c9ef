/* rules/summary.h: what a function does, through every function of the TU it calls.
 *
 * Summaries are computed on demand, once per function (memoized), by a depth-first walk over
 * the direct call graph; a call back into a function still being summarised (recursion) counts
 * as doing nothing. Each summary is linear in the function's calls, so all of them together are
 * linear in the TU's call sites: no walk is exponential in depth.
 */
#ifndef AAC_RULES_SUMMARY_H
#define AAC_RULES_SUMMARY_H

#include "ast.h"

/* A resource a function releases: "close(conn.fd)", "free(job)" (keys name the field or the
 * type released, never a variable, so two functions that release the same thing agree). */
typedef struct aac_release {
    char *key;
    int memory; /* 1: memory deallocation (free, munmap, a family's free) */
    CXCursor at; /* the innermost call that releases it */
} aac_release;

typedef struct aac_fsum {
    int state;          /* 0 fresh, 1 being computed, 2 done */
    int blocks;         /* calls something that blocks the thread */
    char block_fn[64];  /* the innermost blocking call's callee */
    CXCursor block_at;  /* ... and where it is */
    unsigned frees_param; /* bit i: deallocates memory reached from parameter i */
    int frees_any;      /* deallocates memory (anything) */
    int frees_foreign;  /* deallocates memory it did not allocate itself (found in a table, a
                           global, a field), directly or through its callees */
    char free_fn[64];   /* the innermost deallocation of what it is given or did not allocate */
    CXCursor free_at;
    aac_release *rel;   /* everything it releases, through its callees */
    size_t nrel, caprel;
    int invokes_cb;     /* invokes a continuation, complete or dropped callback, or wakes */
    int sinks_state;    /* 0 fresh, 1 being computed, 2 done */
    unsigned sink_params; /* bit i: parameter i becomes future state or callback data */
} aac_fsum;

/* The summary of `f` (computed on first use). */
const aac_fsum *aac_fsum_of(aac_tu *t, aac_func *f);

/* Returns 1 if the call `call` to `callee` blocks the calling thread by itself (sleep, join,
 * condition waits, blocking I/O...; poll/epoll_wait with a 0 timeout, recv with
 * MSG_DONTWAIT, waitpid/waitid with WNOHANG and flock with LOCK_NB do not). */
int aac_blocking_call(CXCursor call, const char *callee);

/* Calls `cb` for every resource the direct call `c` releases: a known release function of a
 * library (free, close, fclose, ..._release of a function not defined here) names its first
 * argument's resource; a function defined in this TU releases what its summary says.
 * `memory_too` 0 skips memory deallocation. Returns how many. */
size_t aac_call_releases(aac_tu *t, const aac_call *c, int memory_too,
                         void (*cb)(void *ud, const char *key, CXCursor at), void *ud);

/* The key of the resource an expression names: "conn.fd" for c->fd, "job" for a job *. */
char *aac_resource_of(aac_tu *t, CXCursor expr);

/* Fills t->state_recs: records of future state (AA_FUTURE_STATE, the pointee of the state
 * passed to aa_future_new or to a parameter that becomes it, and every record reachable from
 * those through fields). */
void aac_state_records(aac_tu *t);
/* Returns 1 if the record declaring field `fd` is future state. */
int aac_is_state_field(aac_tu *t, CXCursor fd);
/* Bit i set: parameter i of `f` becomes future state or callback data (passed to
 * aa_future_new's state, a poll's callback data, a data argument of the runtime or UniFFI, a
 * sink parameter of another function, or stored into a future-state field). */
unsigned aac_sink_params(aac_tu *t, aac_func *f);

/* Fills `out` with the indices of the arguments of call `c` that become future state or
 * callback data (see aac_sink_params; calls through a continuation, complete or dropped
 * callback pointer: their data argument); returns how many (at most `max`). A poll's callback
 * data is no sink when `caller` waits (blocks) itself: a binding that waits for the
 * continuation keeps the frame alive until it fires. */
int aac_call_sink_args(aac_tu *t, aac_func *caller, const aac_call *c, int *out, int max);

#endif /* AAC_RULES_SUMMARY_H */
