/* diag.h: findings, their fingerprints, and the text / JSON / SARIF emitters. */
#ifndef AAC_DIAG_H
#define AAC_DIAG_H

#include <stddef.h>
#include <stdio.h>

#include "options.h"
#include "registry.h"

typedef struct aac_finding {
    aac_rule_id rule;
    aac_severity severity;
    char *file; /* as given / as clang names it */
    unsigned line, col;
    char *message;
    char *source_line; /* the text of `line`, for the caret display and the fingerprint */
    char fingerprint[17];
} aac_finding;

typedef struct aac_findings {
    aac_finding *items;
    size_t len, cap;
} aac_findings;

/* Appends a finding (copies file and message); severity comes from `opt` later. */
void aac_findings_add(aac_findings *f, aac_rule_id rule, const char *file, unsigned line,
                      unsigned col, const char *message);
/* Moves every finding of `src` to the end of `dst`; `src` is left empty. */
void aac_findings_move(aac_findings *dst, aac_findings *src);
/* Frees every finding and the array. */
void aac_findings_free(aac_findings *f);
/* Sorts by file, line, column, rule and drops exact duplicates (same place, rule, message). */
void aac_findings_sort_unique(aac_findings *f);
/* Fills source_line (reading each file once) and computes every fingerprint: a hash of rule,
 * file, the whitespace-normalised source line and its occurrence index (survives line shifts). */
void aac_findings_finish(aac_findings *f);

/* Writes the findings as clang-style text with the source line and a caret. */
void aac_emit_text(FILE *out, const aac_findings *f);
/* Writes {"version":1,"findings":[{file,line,column,rule,severity,message,fingerprint}]}. */
void aac_emit_json(FILE *out, const aac_findings *f, const aac_options *opt);
/* Writes a SARIF 2.1.0 log with every rule (help from docs/rules) and every result;
 * `parse_failures` files that did not parse make the invocation unsuccessful. */
void aac_emit_sarif(FILE *out, const aac_findings *f, const aac_options *opt,
                    size_t parse_failures);

#endif /* AAC_DIAG_H */
