/* asyncabi/types.h: the twelve return-type families and the value that carries one. */
#ifndef ASYNCABI_TYPES_H
#define ASYNCABI_TYPES_H

#include <stdint.h>

#include "asyncabi/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A return-type family (families.h): selects which ffi_<ns>_rust_future_*_<t> functions serve
 * a future. */
#define AA_TYPE_ENUM_(ctx, tag, Suffix, ENUM, ...) AA_TYPE_##ENUM,
typedef enum aa_type {
    ASYNCABI_VALUE_FAMILIES(AA_TYPE_ENUM_, _) /* AA_TYPE_U8 = 0, ..., AA_TYPE_RUST_BUFFER */
    ASYNCABI_VOID_FAMILY(AA_TYPE_ENUM_, _)    /* AA_TYPE_VOID */
    AA_TYPE_COUNT_ /* number of families; not a family */
} aa_type;
#undef AA_TYPE_ENUM_

/* A value of any family; only the member named by its aa_type is meaningful. */
#define AA_VALUE_MEMBER_(ctx, tag, Suffix, ENUM, CType, member) CType member;
typedef union aa_value {
    ASYNCABI_VALUE_FAMILIES(AA_VALUE_MEMBER_, _)
} aa_value;
#undef AA_VALUE_MEMBER_

/* Returns the UniFFI tag of a family ("u8", ..., "rust_buffer", "void"), or "?" if invalid. */
const char *aa_type_name(aa_type type);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_TYPES_H */
