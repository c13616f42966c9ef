/* recognise.h: what a run recognised (async exports, future families, vtables), counted in the
 * text summary and the JSON/SARIF run properties. */
#ifndef AAC_RECOGNISE_H
#define AAC_RECOGNISE_H

#include "ast.h"
#include "options.h"

typedef struct aac_recognised {
    aac_strvec exports;  /* async export names */
    aac_strvec families; /* "<ns> <tag>" of ffi_<ns>_rust_future_<op>_<tag> */
    aac_strvec vtables;  /* callback-interface vtable record names */
} aac_recognised;

/* Appends what the ABI rules recognise in `t` to `r` (names may repeat across units);
 * defined beside the rules that use the same recognisers (rules/abi.c). */
void aac_abi_recognise(aac_tu *t, aac_recognised *r);
/* Frees the three lists. */
void aac_recognised_free(aac_recognised *r);

#endif /* AAC_RECOGNISE_H */
