/* asyncabi/types.h: the twelve return-type families and the value that carries one. */
#ifndef ASYNCABI_TYPES_H
#define ASYNCABI_TYPES_H

#include <stdint.h>

#include "asyncabi/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A return-type family: selects which ffi_<ns>_rust_future_*_<t> functions serve a future. */
typedef enum aa_type {
    AA_TYPE_U8 = 0,
    AA_TYPE_I8,
    AA_TYPE_U16,
    AA_TYPE_I16,
    AA_TYPE_U32,
    AA_TYPE_I32,
    AA_TYPE_U64,
    AA_TYPE_I64,
    AA_TYPE_F32,
    AA_TYPE_F64,
    AA_TYPE_RUST_BUFFER,
    AA_TYPE_VOID,
    AA_TYPE_COUNT_ /* number of families; not a family */
} aa_type;

/* A value of any family; only the member named by its aa_type is meaningful. */
typedef union aa_value {
    uint8_t u8;
    int8_t i8;
    uint16_t u16;
    int16_t i16;
    uint32_t u32;
    int32_t i32;
    uint64_t u64;
    int64_t i64;
    float f32;
    double f64;
    RustBuffer rust_buffer;
} aa_value;

/* Returns the UniFFI tag of a family ("u8", ..., "rust_buffer", "void"), or "?" if invalid. */
const char *aa_type_name(aa_type type);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_TYPES_H */
