/* UniFFI's names and shapes: which symbols, types and records the async ABI defines. */
#include "uniffi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cx.h"

int aac_type_is_continuation(CXType t)
{
    CXType f = aac_fn_type(t);
    return f.kind == CXType_FunctionProto && aac_type_is_void(clang_getResultType(f)) &&
           clang_getNumArgTypes(f) == 2 && aac_type_is_u64(clang_getArgType(f, 0)) &&
           aac_type_is_i8(clang_getArgType(f, 1));
}

int aac_type_is_foreign_complete(CXType t)
{
    CXType f = aac_fn_type(t);
    if (f.kind != CXType_FunctionProto || !aac_type_is_void(clang_getResultType(f)) ||
        clang_getNumArgTypes(f) != 2 || !aac_type_is_u64(clang_getArgType(f, 0))) {
        return 0;
    }
    CXType a1 = clang_getCanonicalType(clang_getArgType(f, 1));
    if (a1.kind != CXType_Record) {
        return 0;
    }
    char *name = aac_record_name(a1);
    int ok = name && strstr(name, "ForeignFutureResult") != NULL;
    free(name);
    return ok;
}

int aac_type_is_call_status_ptr(CXType t)
{
    t = clang_getCanonicalType(t);
    if (t.kind != CXType_Pointer) {
        return 0;
    }
    char *name = aac_record_name(t);
    int ok = name && !strcmp(name, "RustCallStatus");
    free(name);
    return ok;
}

/* uniffi_<ns>_fn_<kind>_<rest>: <ns> has no "_fn_" inside. */
int aac_is_export_name(const char *name)
{
    if (strncmp(name, "uniffi_", 7) != 0) {
        return 0;
    }
    const char *fn = strstr(name + 7, "_fn_");
    if (!fn || fn == name + 7) {
        return 0;
    }
    fn += 4;
    return !strncmp(fn, "func_", 5) || !strncmp(fn, "method_", 7) ||
           !strncmp(fn, "constructor_", 12);
}

int aac_future_fn_parts(const char *name, char *ns, size_t nssz, char *op, size_t opsz,
                        char *tag, size_t tagsz)
{
    if (strncmp(name, "ffi_", 4) != 0) {
        return 0;
    }
    const char *rf = strstr(name + 4, "_rust_future_");
    if (!rf || rf == name + 4) {
        return 0;
    }
    static const char *const ops[] = {"poll", "cancel", "complete", "free"};
    const char *after = rf + 13;
    for (int i = 0; i < 4; i++) {
        size_t l = strlen(ops[i]);
        if (!strncmp(after, ops[i], l) && after[l] == '_' && after[l + 1]) {
            if (ns) {
                snprintf(ns, nssz, "%.*s", (int)(rf - name - 4), name + 4);
            }
            if (op) {
                snprintf(op, opsz, "%s", ops[i]);
            }
            if (tag) {
                snprintf(tag, tagsz, "%s", after + l + 1);
            }
            return 1;
        }
    }
    return 0;
}

int aac_is_async_export_decl(CXCursor fn)
{
    if (fn.kind != CXCursor_FunctionDecl) {
        return 0;
    }
    if (aac_annotation(fn, "async_export", NULL, 0)) {
        return 1;
    }
    CXString s = clang_getCursorSpelling(fn);
    const char *name = clang_getCString(s);
    int ok = name && aac_is_export_name(name);
    clang_disposeString(s);
    if (!ok) {
        return 0;
    }
    int n = clang_Cursor_getNumArguments(fn);
    for (int i = 0; i < n; i++) {
        if (aac_type_is_call_status_ptr(clang_getCursorType(clang_Cursor_getArgument(fn, (unsigned)i)))) {
            return 0; /* a synchronous export */
        }
    }
    return 1;
}

int aac_is_dropped_struct_name(const char *n)
{
    return n && (strstr(n, "ForeignFutureDroppedCallbackStruct") || !strcmp(n, "UniffiForeignFuture") ||
                 !strcmp(n, "ForeignFuture"));
}
