/* Defaults, the ABI profiles, and the JSON config file:
 *   {"profile": "30" | "29" | "25" | "0.31" ...,
 *    "exclude": ["third_party/..."],
 *    "werror": false,
 *    "extra_args": ["-DFOO"],
 *    "rules": {"<rule-id>": "off" | "note" | "warning" | "error" | true | false}}
 */
#include "options.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aac_strvec_push(aac_strvec *v, const char *s)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->items = realloc(v->items, v->cap * sizeof *v->items);
        if (!v->items) {
            abort();
        }
    }
    v->items[v->len++] = strdup(s);
}

void aac_strvec_free(aac_strvec *v)
{
    for (size_t i = 0; i < v->len; i++) {
        free(v->items[i]);
    }
    free(v->items);
    v->items = NULL;
    v->len = v->cap = 0;
}

/* The one definition of the ABI profiles (docs: checker/README.md, "Profiles"). */
static const aac_profile_info profiles[AAC_PROFILE_COUNT] = {
    [AAC_PROFILE_25] = {"25", "25", "0.26", 1, 13, 0, 0, "UniffiForeignFuture"},
    [AAC_PROFILE_29] = {"29", "26, 29", "0.27-0.29", 1, 13, 0, 1, "UniffiForeignFuture"},
    [AAC_PROFILE_30] = {"30", "30", "0.30-0.32", 0, 12, 1, 1, "ForeignFutureDroppedCallbackStruct"},
};

const aac_profile_info *aac_profile_get(aac_profile p)
{
    return &profiles[p >= 0 && p < AAC_PROFILE_COUNT ? p : AAC_PROFILE_DEFAULT];
}

void aac_options_init(aac_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->jobs = 1;
    opt->timeout_s = 300;
    opt->max_memory_mb = 4096;
    opt->format = AAC_FORMAT_TEXT;
    opt->profile = AAC_PROFILE_DEFAULT;
    for (int i = 0; i < AAC_RULE_COUNT; i++) {
        opt->severity[i] = aac_rule((aac_rule_id)i)->severity;
    }
}

void aac_options_free(aac_options *opt)
{
    aac_strvec_free(&opt->inputs);
    aac_strvec_free(&opt->extra_args);
    aac_strvec_free(&opt->excludes);
}

/* "0.M" or "0.M.P" with digits only: returns M, else -1. */
static int uniffi_minor(const char *s)
{
    if (strncmp(s, "0.", 2) != 0 || !isdigit((unsigned char)s[2])) {
        return -1;
    }
    char *end;
    long m = strtol(s + 2, &end, 10);
    if (*end == '.') {
        const char *p = end + 1;
        if (!isdigit((unsigned char)*p)) {
            return -1;
        }
        strtol(p, &end, 10);
    }
    return *end || m > 1000 ? -1 : (int)m;
}

int aac_profile_parse(const char *name, char *why, size_t whysz)
{
    if (why && whysz) {
        why[0] = 0;
    }
    if (!strcmp(name, "30") || !strcmp(name, "current")) {
        return AAC_PROFILE_30;
    }
    if (!strcmp(name, "29") || !strcmp(name, "26") || !strcmp(name, "legacy")) {
        return AAC_PROFILE_29;
    }
    if (!strcmp(name, "25")) {
        return AAC_PROFILE_25;
    }
    if (!strcmp(name, "0.29.2")) {
        /* the old name of what is now profile 30: refuse it rather than change its meaning */
        snprintf(why, whysz,
                 "profile '0.29.2' is gone: profiles are named by contract version; UniFFI 0.29.x "
                 "is contract 29 (--profile 29), and what the old '0.29.2' profile checked is "
                 "contract 30 (--profile 30, UniFFI 0.30-0.32)");
        return -1;
    }
    int minor = uniffi_minor(name);
    if (minor == 26) {
        return AAC_PROFILE_25;
    }
    if (minor >= 27 && minor <= 29) {
        return AAC_PROFILE_29;
    }
    if (minor >= 30 && minor <= 32) {
        return AAC_PROFILE_30;
    }
    snprintf(why, whysz,
             "unknown profile '%s' (contract versions: 25 = UniFFI 0.26, 29 = 0.27-0.29 "
             "(also 26), 30 = 0.30-0.32; or a UniFFI release such as 0.31)",
             name);
    return -1;
}

static const char *json_type(const cJSON *x)
{
    return cJSON_IsBool(x)     ? "a boolean"
           : cJSON_IsNull(x)   ? "null"
           : cJSON_IsNumber(x) ? "a number"
           : cJSON_IsString(x) ? "a string"
           : cJSON_IsArray(x)  ? "an array"
           : cJSON_IsObject(x) ? "an object"
                               : "invalid";
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (buf) {
        buf[len] = 0;
    }
    return buf;
}

int aac_options_load_config(aac_options *opt, const char *path)
{
    char *text = read_all(path);
    if (!text) {
        fprintf(stderr, "asyncabi-check: error: cannot read config file '%s'\n", path);
        return -1;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root || !cJSON_IsObject(root)) {
        fprintf(stderr, "asyncabi-check: error: config file '%s' is not a JSON object\n", path);
        cJSON_Delete(root);
        return -1;
    }
    int rc = 0;
    cJSON *item;
    cJSON_ArrayForEach(item, root)
    {
        const char *key = item->string;
        if (!strcmp(key, "profile")) {
            char why[320];
            int p = cJSON_IsString(item) ? aac_profile_parse(item->valuestring, why, sizeof why)
                                         : -1;
            if (!cJSON_IsString(item)) {
                snprintf(why, sizeof why, "must be a string such as \"30\", not %s",
                         json_type(item));
            }
            if (p < 0) {
                fprintf(stderr, "asyncabi-check: error: %s: \"profile\": %s\n", path, why);
                rc = -1;
            } else {
                opt->profile = (aac_profile)p;
            }
        } else if (!strcmp(key, "werror")) {
            if (!cJSON_IsBool(item)) {
                fprintf(stderr, "asyncabi-check: error: %s: \"werror\" must be true or false, not %s\n",
                        path, json_type(item));
                rc = -1;
            } else {
                opt->werror = cJSON_IsTrue(item);
            }
        } else if (!strcmp(key, "extra_args") || !strcmp(key, "exclude")) {
            aac_strvec *dst = key[0] == 'e' && key[1] == 'x' && key[2] == 't' ? &opt->extra_args
                                                                               : &opt->excludes;
            if (!cJSON_IsArray(item)) {
                fprintf(stderr, "asyncabi-check: error: %s: \"%s\" must be an array of strings, not %s\n",
                        path, key, json_type(item));
                rc = -1;
                continue;
            }
            cJSON *a;
            int i = 0;
            cJSON_ArrayForEach(a, item)
            {
                if (!cJSON_IsString(a)) {
                    fprintf(stderr, "asyncabi-check: error: %s: \"%s\"[%d] must be a string, not %s\n",
                            path, key, i, json_type(a));
                    rc = -1;
                } else {
                    aac_strvec_push(dst, a->valuestring);
                }
                i++;
            }
        } else if (!strcmp(key, "rules")) {
            if (!cJSON_IsObject(item)) {
                fprintf(stderr, "asyncabi-check: error: %s: \"rules\" must be an object, not %s\n",
                        path, json_type(item));
                rc = -1;
                continue;
            }
            cJSON *r;
            cJSON_ArrayForEach(r, item)
            {
                int id = aac_rule_find(r->string);
                int sev = -1;
                if (id < 0) {
                    fprintf(stderr, "asyncabi-check: error: %s: unknown rule '%s' (see --list-rules)\n",
                            path, r->string);
                    rc = -1;
                    continue;
                }
                if (cJSON_IsBool(r)) {
                    sev = cJSON_IsTrue(r) ? (int)aac_rule((aac_rule_id)id)->severity : AAC_SEV_OFF;
                } else if (cJSON_IsString(r)) {
                    sev = aac_severity_parse(r->valuestring);
                }
                if (sev < 0) {
                    fprintf(stderr,
                            "asyncabi-check: error: %s: rule '%s' must be \"off\", \"note\", "
                            "\"warning\", \"error\", true or false\n",
                            path, r->string);
                    rc = -1;
                    continue;
                }
                opt->severity[id] = (aac_severity)sev;
            }
        } else {
            fprintf(stderr, "asyncabi-check: error: %s: unknown key '%s' (profile, werror, "
                            "extra_args, exclude, rules)\n", path, key);
            rc = -1;
        }
    }
    cJSON_Delete(root);
    return rc;
}
