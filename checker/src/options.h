/* options.h: what one run of asyncabi-check was asked to do (command line + config file). */
#ifndef AAC_OPTIONS_H
#define AAC_OPTIONS_H

#include <stddef.h>

#include "registry.h"

typedef enum aac_format { AAC_FORMAT_TEXT, AAC_FORMAT_JSON, AAC_FORMAT_SARIF } aac_format;

/* The two ABI profiles: UniFFI 0.29.2+ (dropped-callback struct) and 0.26-0.29.1. */
typedef enum aac_profile { AAC_PROFILE_CURRENT, AAC_PROFILE_LEGACY } aac_profile;

typedef struct aac_strvec {
    char **items;
    size_t len, cap;
} aac_strvec;

typedef struct aac_options {
    aac_strvec inputs;     /* files and directories */
    aac_strvec extra_args; /* added to every compile command (-I, -D, --extra-arg) */
    const char *build_dir; /* -p: directory holding compile_commands.json */
    int jobs;
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
/* Applies a JSON config file; returns 0, or -1 after printing why to stderr. */
int aac_options_load_config(aac_options *opt, const char *path);
/* Parses "0.29.2"/"current" or "legacy"/"0.26"/"0.29.1"; returns -1 if unknown. */
int aac_profile_parse(const char *name);

#endif /* AAC_OPTIONS_H */
