/* suppress.h: inline suppressions (`// asyncabi-check: ignore[rule-id] reason`) and baselines. */
#ifndef AAC_SUPPRESS_H
#define AAC_SUPPRESS_H

#include "diag.h"
#include "diff.h"
#include "options.h"

/* Drops findings suppressed inline in their own file, and adds a checker-suppression-reason
 * finding for every suppression comment in `files` (or in a file with findings) that gives no
 * reason. A comment alone on its line covers the next line; after code it covers its line. */
void aac_apply_suppressions(aac_findings *f, const aac_strvec *files);

/* Drops findings whose fingerprint is listed in the baseline file `path`; returns how many
 * were dropped, or -1 after printing why the file could not be read. */
long aac_apply_baseline(aac_findings *f, const char *path);

/* Writes every finding's fingerprint to `path` as a baseline; returns 0 or -1. */
int aac_write_baseline(const aac_findings *f, const char *path);

/* The findings pipeline after the parse, in one place: each finding gets its configured
 * severity (rules that are off are dropped; --werror makes every one an error), duplicates go,
 * inline suppressions apply, with `diff` only findings on changed lines stay (parse errors
 * always stay; the count of the others goes to sum->outside_diff), and fingerprints are
 * computed. The baseline comes after (it needs the fingerprints). */
void aac_findings_settle(aac_findings *f, const aac_options *opt, const aac_strvec *unit_files,
                         aac_diff *diff, aac_summary *sum);

#endif /* AAC_SUPPRESS_H */
