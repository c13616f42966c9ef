/* driver.h: what to parse (files, directories, compile_commands.json, a diff), and the worker
 * processes that parse and check each file so that a crash costs only that file. */
#ifndef AAC_DRIVER_H
#define AAC_DRIVER_H

#include <stddef.h>

#include "diag.h"
#include "diff.h"
#include "options.h"
#include "recognise.h"

/* One translation unit to analyse: the file and its full clang argument list. */
typedef struct aac_unit {
    char *file;
    aac_strvec args;
    char *refused; /* why the file is not parsed (unreadable, not a regular file), or NULL */
} aac_unit;

typedef struct aac_units {
    aac_unit *items;
    size_t len, cap;
} aac_units;

/* Expands inputs (files, directories, -p compile database; with `diff` and no inputs, the
 * changed files) into units, skipping --exclude matches and files reached twice (symlinks);
 * returns 0, or 2 after printing a one-line error (missing file, unreadable database). */
int aac_units_collect(const aac_options *opt, const aac_diff *diff, aac_units *units);
/* Frees the units. */
void aac_units_free(aac_units *units);
/* Parses and checks every unit in opt->jobs worker processes (a crash, a stack overflow, an
 * out-of-memory or a --timeout costs only that unit: a checker-parse-error finding naming the
 * cause), appends findings in unit order and fills `sum` (files, failures, recognised counts).
 * Returns the number of units that failed to parse or to be checked. */
size_t aac_units_run(const aac_options *opt, const aac_units *units, aac_findings *out,
                     aac_summary *sum);

/* Fills `u` for `file` with the clang arguments a file outside any compile database gets
 * (language from the extension, the runtime's include directory, -I/-D/--extra-arg). */
void aac_unit_init(const aac_options *opt, aac_unit *u, const char *file);

/* Parses one unit in this process (contents from `unsaved` when not NULL, else from disk) and
 * runs every rule; appends findings and recognised names. Returns 0 when it parsed cleanly,
 * 1 when clang reported errors or libclang failed, 2 when libclang crashed. For the fuzzer and
 * for the workers; `index` is a CXIndex. */
int aac_unit_check(void *index, const aac_options *opt, const aac_unit *u, const char *unsaved,
                   size_t unsaved_len, aac_findings *out, aac_recognised *rec);
/* Runs fn(arg) on a thread with a large stack (the parse and the walks recurse as deep as the
 * source nests) with libclang told to stay on that thread; returns when fn returns. */
void aac_run_on_big_stack(void (*fn)(void *), void *arg);
/* Returns libclang's own version string ("Debian clang version 14.0.6"), malloc'd. */
char *aac_libclang_version(void);

#endif /* AAC_DRIVER_H */
