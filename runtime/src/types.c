/* The names of the return-type families, as UniFFI spells them in symbol names. */
#include "asyncabi/types.h"

const char *aa_type_name(aa_type type)
{
    static const char *const names[AA_TYPE_COUNT_] = {
        "u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64", "rust_buffer", "void",
    };
    if ((unsigned)type >= AA_TYPE_COUNT_) {
        return "?";
    }
    return names[type];
}
