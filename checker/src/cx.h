/* cx.h: libclang helpers shared by the model and the rules (no UniFFI knowledge here). */
#ifndef AAC_CX_H
#define AAC_CX_H

#include <clang-c/Index.h>
#include <stddef.h>

typedef struct aac_cursors {
    CXCursor *items;
    size_t len, cap;
} aac_cursors;

/* Appends `c` to `v`. */
void aac_cursors_push(aac_cursors *v, CXCursor c);
/* Returns a malloc'd copy of the cursor's spelling. */
char *aac_spelling(CXCursor c);
/* Returns the line and column of `loc` after macro expansion. */
void aac_line_col(CXSourceLocation loc, unsigned *line, unsigned *col);
/* Returns 1 if `c` carries annotate("asyncabi:<what>..."); copies what follows `what` (after
 * a ':' if any) into `arg` when arg is not NULL. */
int aac_annotation(CXCursor c, const char *what, char *arg, size_t argsz);
/* Returns the source text of `c` as its tokens joined without spaces (malloc'd). */
char *aac_text(CXTranslationUnit tu, CXCursor c);
/* Like aac_text, normalised as a lock / place key: no '&', no parens, "->" written ".". */
char *aac_place_key(CXTranslationUnit tu, CXCursor c);
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
/* Returns the record name of a (typedef'd, possibly pointed-to) record type, malloc'd or NULL. */
char *aac_record_name(CXType t);
/* Returns 1 if `c` is an automatic (stack) variable or parameter. */
int aac_is_automatic(CXCursor decl);
/* Returns 1 if `c` is a thread-local variable. */
int aac_is_thread_local(CXCursor decl);
/* Returns 1 if the BinaryOperator `op` is a plain assignment (`=`); fills lhs and rhs. */
int aac_is_assignment(CXTranslationUnit tu, CXCursor op, CXCursor *lhs, CXCursor *rhs);
/* Returns 1 if the record declaring field `field` is named `name` (tag or typedef). */
int aac_field_of(CXCursor field, const char *name);
/* Evaluates `e` as an integer constant (literals, macros, enumerators, casts, arithmetic);
 * returns 1 and sets *v on success. */
int aac_const_int(CXCursor e, long long *v);

/* Returns 1 for a lock object type (pthread mutex, spin lock or rwlock, C11 mtx_t), by the
 * spelling of the type or of its typedef. */
int aac_type_is_lock(CXType t);

#endif /* AAC_CX_H */
