/* The names of the return-type families, as UniFFI spells them in symbol names. */
#include "asyncabi/types.h"

const char *aa_type_name(aa_type type)
{
#define AA__NAME(ctx, tag, ...) #tag,
    static const char *const names[AA_TYPE_COUNT_] = {
        ASYNCABI_VALUE_FAMILIES(AA__NAME, _) ASYNCABI_VOID_FAMILY(AA__NAME, _)};
#undef AA__NAME
    if ((unsigned)type >= AA_TYPE_COUNT_) {
        return "?";
    }
    return names[type];
}
