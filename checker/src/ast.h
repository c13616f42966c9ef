/* ast.h: the model of one parsed translation unit that every rule reads.
 *
 * The driver walks the AST once (aac_tu_collect): top-level declarations outside system
 * headers, every function body, every call. Rules then read this model and, for the few
 * functions that matter to them, run a path walk (flow.h) over a body. Nothing re-parses.
 */
#ifndef AAC_AST_H
#define AAC_AST_H

#include <clang-c/Index.h>
#include <stddef.h>

#include "diag.h"
#include "options.h"

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
    AAC_FACT_ADDR = 1u << 4          /* takes an address or names a thread-local */
};

typedef struct aac_call {
    char *callee;      /* function name, or the pointer's name for an indirect call */
    CXCursor cursor;   /* the CallExpr */
    int direct;        /* 1: a named function, 0: through a pointer */
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
} aac_func;

typedef struct aac_cursors {
    CXCursor *items;
    size_t len, cap;
} aac_cursors;

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
    aac_cursors stores;   /* `x.f = v` where f is RustCallStatus.code or in AA_FUTURE_STATE */
    aac_func *current;    /* during collection: the function being walked */
    int is_cxx;
} aac_tu;

/* Appends `c` to `v`. */
void aac_cursors_push(aac_cursors *v, CXCursor c);

/* Walks the TU once and fills the model. */
void aac_tu_collect(aac_tu *t);
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

/* Returns a malloc'd copy of the cursor's spelling. */
char *aac_spelling(CXCursor c);
/* Returns 1 if `c` carries annotate("asyncabi:<what>..."); copies what follows `what` (after
 * a ':' if any) into `arg` when arg is not NULL. */
int aac_annotation(CXCursor c, const char *what, char *arg, size_t argsz);
/* Returns the source text of `c` as its tokens joined without spaces (malloc'd). */
char *aac_text(aac_tu *t, CXCursor c);
/* Like aac_text, normalised as a lock / place key: no '&', no parens, "->" written ".". */
char *aac_place_key(aac_tu *t, CXCursor c);
/* Skips implicit casts, parens and C casts down to the expression that matters. */
CXCursor aac_strip(CXCursor c);
/* Fills up to `max` direct children of `c`; returns how many `c` has. */
int aac_children(CXCursor c, CXCursor *out, int max);
/* Returns the callee name of a CallExpr (function or pointer variable/field name), malloc'd. */
char *aac_callee_name(CXCursor call, int *direct);
/* Returns the declaration an expression (after aac_strip) refers to, or a null cursor. */
CXCursor aac_ref(CXCursor expr);
/* Returns 1 if the extent of `inner` lies within that of `outer`. */
int aac_within(CXCursor inner, CXCursor outer);

/* Returns 1 for a 64-bit unsigned integer type (after typedefs). */
int aac_type_is_u64(CXType t);
/* Returns 1 for a signed 8-bit integer type (int8_t, signed char; char where signed). */
int aac_type_is_i8(CXType t);
/* Returns 1 for void. */
int aac_type_is_void(CXType t);
/* Returns the function type behind a function or a pointer to one, or an invalid type. */
CXType aac_fn_type(CXType t);
/* Returns 1 for void (*)(uint64_t, int8_t): the continuation callback (or its function type). */
int aac_type_is_continuation(CXType t);
/* Returns 1 for void (*)(uint64_t, <record named *ForeignFutureResult*>): a foreign complete. */
int aac_type_is_foreign_complete(CXType t);
/* Returns the record name of a (typedef'd, possibly pointed-to) record type, malloc'd or NULL. */
char *aac_record_name(CXType t);
/* Returns 1 for a pointer to RustCallStatus. */
int aac_type_is_call_status_ptr(CXType t);
/* Returns 1 when `name` matches uniffi_<ns>_fn_{func,method,constructor}_<x>. */
int aac_is_export_name(const char *name);
/* Matches ffi_<ns>_rust_future_<op>_<t>; fills op ("poll"...) and tag, returns 1 on match. */
int aac_future_fn_parts(const char *name, char *ns, size_t nssz, char *op, size_t opsz,
                        char *tag, size_t tagsz);
/* Returns 1 for a function declaration that is an async export (annotated, or by name and
 * shape: a uniffi_*_fn_{func,method,constructor}_* without a RustCallStatus * argument). */
int aac_is_async_export_decl(CXCursor fn);
/* Returns 1 if `c` is an automatic (stack) variable or parameter. */
int aac_is_automatic(CXCursor decl);
/* Returns 1 if the BinaryOperator `op` is a plain assignment (`=`); fills lhs and rhs. */
int aac_is_assignment(aac_tu *t, CXCursor op, CXCursor *lhs, CXCursor *rhs);
/* Returns 1 if the record declaring field `field` is named `name` (tag or typedef). */
int aac_field_of(CXCursor field, const char *name);
/* Returns 1 if `c` is a thread-local variable. */
int aac_is_thread_local(CXCursor decl);
/* Returns the line and column of `loc` after macro expansion. */
void aac_line_col(CXSourceLocation loc, unsigned *line, unsigned *col);

#endif /* AAC_AST_H */
