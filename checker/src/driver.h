/* driver.h: what to parse (files, directories, compile_commands.json) and the worker pool. */
#ifndef AAC_DRIVER_H
#define AAC_DRIVER_H

#include <stddef.h>

#include "diag.h"
#include "options.h"

/* One translation unit to analyse: the file and its full clang argument list. */
typedef struct aac_unit {
    char *file;
    aac_strvec args;
} aac_unit;

typedef struct aac_units {
    aac_unit *items;
    size_t len, cap;
} aac_units;

/* Expands inputs (files, directories, -p compile database) into units; returns 0, or 2 after
 * printing an error (missing file, unreadable database, nothing to check). */
int aac_units_collect(const aac_options *opt, aac_units *units);
/* Frees the units. */
void aac_units_free(aac_units *units);
/* Parses every unit once (opt->jobs threads, one CXIndex each), runs every rule, and appends
 * findings in unit order. Returns the number of units that failed to parse or had errors. */
size_t aac_units_run(const aac_options *opt, const aac_units *units, aac_findings *out);

#endif /* AAC_DRIVER_H */
