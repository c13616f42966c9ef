/* options.h: what one run of asyncabi-check was asked to do (command line + config file), and
 * the ABI profiles, named by UniFFI contract version. */
#ifndef AAC_OPTIONS_H
#define AAC_OPTIONS_H

#include <stddef.h>

#include "registry.h"

typedef enum aac_format { AAC_FORMAT_TEXT, AAC_FORMAT_JSON, AAC_FORMAT_SARIF } aac_format;

/* ABI profiles by the contract version a producer returns from
 * ffi_<ns>_uniffi_contract_version(). The one definition is the table in options.c. */
typedef enum aac_profile {
    AAC_PROFILE_25, /* UniFFI 0.26 */
    AAC_PROFILE_29, /* contracts 26 and 29: UniFFI 0.27 to 0.29 */
    AAC_PROFILE_30, /* UniFFI 0.30 to 0.32 */
    AAC_PROFILE_COUNT
} aac_profile;

#define AAC_PROFILE_DEFAULT AAC_PROFILE_30

typedef struct aac_profile_info {
    const char *name;      /* what --profile and the reports call it: "25", "29", "30" */
    const char *contracts; /* the contract versions it covers: "26, 29" */
    const char *uniffi;    /* the UniFFI releases: "0.27-0.29" */
    int pointer_handles;   /* object handles are pointers (before 0.30), not u64 */
    int families;          /* future families: 13 (with `pointer`) or 12 */
    int vtable_free_first; /* vtables start with uniffi_free, uniffi_clone (else end with free) */
    int foreign_futures;   /* async callback-interface methods exist (not in 0.26) */
    const char *out_future; /* the struct an async vtable method's last argument points to */
} aac_profile_info;

typedef struct aac_strvec {
    char **items;
    size_t len, cap;
} aac_strvec;

typedef struct aac_options {
    aac_strvec inputs;     /* files and directories */
    aac_strvec extra_args; /* added to every compile command (-I, -D, --extra-arg) */
    aac_strvec excludes;   /* --exclude GLOB */
    const char *build_dir; /* -p: directory holding compile_commands.json */
    const char *diff_base; /* --diff-base REF: only lines changed since REF */
    const char *diff_file; /* --diff FILE|-: only lines a unified diff adds or changes */
    int jobs;
    int timeout_s;     /* per file; 0: none */
    int max_memory_mb; /* per worker process; 0: no limit */
    aac_format format;
    aac_profile profile;
    int werror;
    int no_default_includes;
    const char *output;         /* -o FILE, or NULL for stdout */
    const char *baseline;       /* --baseline FILE */
    const char *write_baseline; /* --write-baseline FILE */
    aac_severity severity[AAC_RULE_COUNT];
} aac_options;

/* Appends a copy of `s` to `v`. */
void aac_strvec_push(aac_strvec *v, const char *s);
/* Frees every string of `v` and the array. */
void aac_strvec_free(aac_strvec *v);

/* Sets every option to its default (each rule at its registry severity). */
void aac_options_init(aac_options *opt);
/* Releases what aac_options_init and the parsers allocated. */
void aac_options_free(aac_options *opt);
/* Applies a JSON config file; returns 0, or -1 after printing why to stderr (one line each). */
int aac_options_load_config(aac_options *opt, const char *path);

/* Returns the definition of profile `p`. */
const aac_profile_info *aac_profile_get(aac_profile p);
/* Parses a profile name: a contract version ("25", "26", "29", "30"), a UniFFI release
 * ("0.28", "0.31.1") or an old name ("legacy", "current"). Returns the profile, or -1 with a
 * one-line reason in `why` (which may name the profile meant). */
int aac_profile_parse(const char *name, char *why, size_t whysz);

#endif /* AAC_OPTIONS_H */
