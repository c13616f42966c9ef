/* ast.h: the model of one parsed translation unit that every rule reads.
 *
 * The driver walks the AST once (aac_tu_collect): top-level declarations outside system
 * headers, every function body, every call. Rules then read this model, the per-function
 * summaries built on it (summary.h) and, for the few functions that matter to them, run a path
 * walk (flow.h) over a body. Nothing re-parses. libclang helpers live in cx.h, UniFFI's names
 * and shapes in uniffi.h.
 */
#ifndef AAC_AST_H
#define AAC_AST_H

#include <clang-c/Index.h>
#include <stddef.h>

#include "cx.h"
#include "diag.h"
#include "options.h"
#include "uniffi.h"

/* What a function is for (from annotations, UniFFI names, or shapes). */
enum {
    AAC_ROLE_POLL = 1u << 0,     /* producer poll function / ffi_*_rust_future_poll_* */
    AAC_ROLE_CALLBACK = 1u << 1, /* a continuation or completion callback */
    AAC_ROLE_CANCEL = 1u << 2,   /* a cancel path */
    AAC_ROLE_FREE = 1u << 3,     /* a free / drop path */
    AAC_ROLE_EXPORT = 1u << 4    /* an async export */
};

/* What a function body contains (so rules only walk the bodies that matter). */
enum {
    AAC_FACT_LOCKS = 1u << 0,        /* calls a lock function */
    AAC_FACT_INDIRECT = 1u << 1,     /* calls through a function pointer */
    AAC_FACT_CALLS_EXPORT = 1u << 2, /* calls an async export (binding side) */
    AAC_FACT_GUARDED = 1u << 3,      /* touches a field annotated guarded_by */
    AAC_FACT_ADDR = 1u << 4,         /* takes an address or names a thread-local */
    AAC_FACT_LOCKED_REC = 1u << 5    /* accesses a field of a struct that has a lock field */
};

struct aac_func;
struct aac_fsum;
struct aac_bsum;

typedef struct aac_call {
    char *callee;         /* function name, or the pointer's name for an indirect call */
    CXCursor cursor;      /* the CallExpr */
    int direct;           /* 1: a named function, 0: through a pointer */
    struct aac_func *fn;  /* the callee's definition in this TU (direct calls), or NULL */
} aac_call;

typedef struct aac_func {
    CXCursor cursor; /* the definition */
    char *name;
    unsigned roles, facts;
    aac_call *calls;
    size_t ncalls, capcalls;
    unsigned mark; /* scratch for graph walks */
    int lock_kind;        /* 1: takes a lock, -1: releases one (annotated or a wrapper) */
    char lock_suffix[64]; /* appended to the first argument's key: ".mu" for &s->mu */
    struct aac_fsum *summary; /* what it does, through its callees (summary.h; lazy) */
    struct aac_bsum *bsum;       /* what it does to future handles it is given (binding.c) */
    size_t store_lo, store_hi;   /* its stores: t->stores.items[store_lo..store_hi) */
} aac_func;

typedef struct aac_tu {
    CXTranslationUnit tu;
    const aac_options *opt;
    aac_findings *out;
    aac_func *funcs;
    size_t nfuncs, capfuncs;
    aac_cursors fdecls;   /* every function declaration outside system headers */
    aac_cursors records;  /* struct/union definitions */
    aac_cursors typedefs; /* typedefs */
    aac_cursors enums;    /* enumerator constants */
    aac_cursors globals;  /* file-scope and static-local variables */
    aac_cursors stores;   /* `x.f = v` stores of a pointer, a 64-bit value or a status code */
    aac_cursors state_recs; /* canonical record cursors of future state (summary.c fills it) */
    int state_done;         /* state_recs computed */
    aac_cursors lock_recs;   /* records with a lock field (canonical cursors) */
    aac_cursors nolock_recs; /* records without one */
    aac_cursors once;       /* declarations already reported (a typedef reported at itself once) */
    size_t *index;          /* open-addressed name -> funcs index (nindex slots) */
    size_t nindex;
    aac_func *current;    /* during collection: the function being walked */
    int is_cxx;
} aac_tu;

/* Walks the TU once and fills the model. */
void aac_tu_collect(aac_tu *t);
/* Frees a function summary (rules/summary.c); NULL is fine. */
void aac_fsum_free(struct aac_fsum *s);
/* Frees the model (not the CXTranslationUnit). */
void aac_tu_free(aac_tu *t);
/* Returns the defined function named `name`, or NULL. */
aac_func *aac_tu_func(aac_tu *t, const char *name);

/* Reports a finding for `rule` at the expansion location of `at` (printf-style message);
 * does nothing when the rule is off or the location is in a system header. */
void aac_report(aac_tu *t, aac_rule_id rule, CXCursor at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* As aac_report, at an explicit source location. */
void aac_report_at(aac_tu *t, aac_rule_id rule, CXSourceLocation loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Returns 1 when rule `rule` is enabled. */
int aac_enabled(const aac_tu *t, aac_rule_id rule);

#endif /* AAC_AST_H */
