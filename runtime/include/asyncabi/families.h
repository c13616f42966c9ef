/* asyncabi/families.h: the twelve return-type families of UniFFI contract 30, listed once.
 *
 * Every list of families in the runtime's C (aa_type, aa_value, the foreign-result structs, the
 * scaffolding of ffi.h, the foreign completion callbacks) is generated from these two X-macros,
 * in aa_type order; runtime/families.py is the same list for Python, generated from this file
 * by runtime/gen_families.py (a test keeps the two in step).
 *
 *   ASYNCABI_VALUE_FAMILIES(X, ctx)  X(ctx, tag, Suffix, ENUM, CType, member) for the eleven
 *                               families with a value: `tag` as in symbol names
 *                               (rust_future_poll_<tag>), `Suffix` as in UniFFI's C type names
 *                               (UniffiForeignFutureResult<Suffix>), `ENUM` as in AA_TYPE_<ENUM>,
 *                               `CType` the C type of a value, `member` its aa_value member
 *   ASYNCABI_VOID_FAMILY(V, ctx)     V(ctx, tag, Suffix, ENUM) for the twelfth, which has no value
 *
 * `ctx` is passed through unchanged (a namespace, a parenthesised tuple, or anything unused).
 */
#ifndef ASYNCABI_FAMILIES_H
#define ASYNCABI_FAMILIES_H

#define ASYNCABI_VALUE_FAMILIES(X, ctx)                                                        \
    X(ctx, u8, U8, U8, uint8_t, u8)                                                            \
    X(ctx, i8, I8, I8, int8_t, i8)                                                             \
    X(ctx, u16, U16, U16, uint16_t, u16)                                                       \
    X(ctx, i16, I16, I16, int16_t, i16)                                                        \
    X(ctx, u32, U32, U32, uint32_t, u32)                                                       \
    X(ctx, i32, I32, I32, int32_t, i32)                                                        \
    X(ctx, u64, U64, U64, uint64_t, u64)                                                       \
    X(ctx, i64, I64, I64, int64_t, i64)                                                        \
    X(ctx, f32, F32, F32, float, f32)                                                          \
    X(ctx, f64, F64, F64, double, f64)                                                         \
    X(ctx, rust_buffer, RustBuffer, RUST_BUFFER, RustBuffer, rust_buffer)

#define ASYNCABI_VOID_FAMILY(V, ctx) V(ctx, void, Void, VOID)

#endif /* ASYNCABI_FAMILIES_H */
