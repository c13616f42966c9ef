/* uniffi.h: UniFFI's async ABI as names and shapes (exports, future families, callbacks). */
#ifndef AAC_UNIFFI_H
#define AAC_UNIFFI_H

#include <clang-c/Index.h>
#include <stddef.h>

/* Returns 1 for void (*)(uint64_t, int8_t): the continuation callback (or its function type). */
int aac_type_is_continuation(CXType t);
/* Returns 1 for void (*)(uint64_t, <record named *ForeignFutureResult*>): a foreign complete. */
int aac_type_is_foreign_complete(CXType t);
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
/* Returns 1 if `rec_name` names the dropped-callback struct (any UniFFI version's spelling). */
int aac_is_dropped_struct_name(const char *rec_name);

#endif /* AAC_UNIFFI_H */
