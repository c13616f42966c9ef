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

/* What a run checked and recognised, for the text summary, JSON and SARIF run properties. */
typedef struct aac_summary {
    size_t files;         /* translation units checked */
    size_t failed;        /* of which did not parse cleanly, crashed or timed out */
    size_t exports;       /* distinct async exports (by name) */
    size_t families;      /* distinct future families (namespace and return-type tag) */
    size_t vtables;       /* distinct callback-interface vtable structs */
    long baselined;       /* findings dropped by --baseline */
    long outside_diff;    /* findings dropped by --diff-base / --diff */
} aac_summary;

/* Appends a finding (copies file and message); severity comes from `opt` later. */
void aac_findings_add(aac_findings *f, aac_rule_id rule, const char *file, unsigned line,
                      unsigned col, const char *message);
/* Moves every finding of `src` to the end of `dst`; `src` is left empty. */
void aac_findings_move(aac_findings *dst, aac_findings *src);
/* Frees every finding and the array. */
void aac_findings_free(aac_findings *f);
/* Keeps the findings for which keep(x, ctx) returns 1 and frees the others (in order);
 * returns how many were dropped. Every filter of the pipeline goes through here. */
size_t aac_findings_filter(aac_findings *f, int (*keep)(aac_finding *x, void *ctx), void *ctx);
/* Sorts by file, line, column, rule and drops exact duplicates (same place, rule, message). */
void aac_findings_sort_unique(aac_findings *f);
/* Fills source_line (reading each file once) and computes every fingerprint: a hash of rule,
 * file, the whitespace-normalised source line and its occurrence index (survives line shifts). */
void aac_findings_finish(aac_findings *f);

/* Every emitter writes valid UTF-8: bytes of file names, messages and source lines that are
 * not valid UTF-8 are written as \xNN (and control bytes too, in text). */

/* Writes the findings as clang-style text with the source line and a caret. */
void aac_emit_text(FILE *out, const aac_findings *f);
/* Writes the one-line text summary (files, what was recognised, findings by severity). */
void aac_emit_text_summary(FILE *out, const aac_findings *f, const aac_options *opt,
                           const aac_summary *sum);
/* Writes {"version":1,"profile",...,"summary":{...},"findings":[{file,line,column,rule,
 * severity,message,fingerprint}]}. */
void aac_emit_json(FILE *out, const aac_findings *f, const aac_options *opt,
                   const aac_summary *sum);
/* Writes a SARIF 2.1.0 log with every rule (help from docs/rules), every result, and the
 * summary as run properties; failed files make the invocation unsuccessful. */
void aac_emit_sarif(FILE *out, const aac_findings *f, const aac_options *opt,
                    const aac_summary *sum);

#endif /* AAC_DIAG_H */
