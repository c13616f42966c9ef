/* Defaults and the JSON config file:
 *   {"profile": "0.29.2" | "legacy",
 *    "werror": false,
 *    "extra_args": ["-DFOO"],
 *    "rules": {"<rule-id>": "off" | "note" | "warning" | "error" | true | false}}
 */
#include "options.h"

#include <cJSON.h>
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

void aac_options_init(aac_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->jobs = 1;
    opt->format = AAC_FORMAT_TEXT;
    opt->profile = AAC_PROFILE_CURRENT;
    for (int i = 0; i < AAC_RULE_COUNT; i++) {
        opt->severity[i] = aac_rule((aac_rule_id)i)->severity;
    }
}

void aac_options_free(aac_options *opt)
{
    aac_strvec_free(&opt->inputs);
    aac_strvec_free(&opt->extra_args);
}

int aac_profile_parse(const char *name)
{
    if (!strcmp(name, "0.29.2") || !strcmp(name, "current") || !strcmp(name, "0.30") ||
        !strcmp(name, "0.31") || !strcmp(name, "0.32")) {
        return AAC_PROFILE_CURRENT;
    }
    if (!strcmp(name, "legacy") || !strcmp(name, "0.26") || !strcmp(name, "0.29.1") ||
        !strcmp(name, "0.28")) {
        return AAC_PROFILE_LEGACY;
    }
    return -1;
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
            int p = cJSON_IsString(item) ? aac_profile_parse(item->valuestring) : -1;
            if (p < 0) {
                fprintf(stderr, "asyncabi-check: error: %s: unknown profile\n", path);
                rc = -1;
            } else {
                opt->profile = (aac_profile)p;
            }
        } else if (!strcmp(key, "werror")) {
            opt->werror = cJSON_IsTrue(item);
        } else if (!strcmp(key, "extra_args")) {
            cJSON *a;
            cJSON_ArrayForEach(a, item)
            {
                if (cJSON_IsString(a)) {
                    aac_strvec_push(&opt->extra_args, a->valuestring);
                }
            }
        } else if (!strcmp(key, "rules")) {
            cJSON *r;
            cJSON_ArrayForEach(r, item)
            {
                int id = aac_rule_find(r->string);
                int sev = -1;
                if (cJSON_IsBool(r)) {
                    sev = cJSON_IsTrue(r) && id >= 0 ? (int)aac_rule((aac_rule_id)id)->severity
                                                     : AAC_SEV_OFF;
                } else if (cJSON_IsString(r)) {
                    sev = aac_severity_parse(r->valuestring);
                }
                if (id < 0 || sev < 0) {
                    fprintf(stderr, "asyncabi-check: error: %s: bad rule setting '%s'\n", path,
                            r->string);
                    rc = -1;
                    continue;
                }
                opt->severity[id] = (aac_severity)sev;
            }
        } else {
            fprintf(stderr, "asyncabi-check: error: %s: unknown key '%s'\n", path, key);
            rc = -1;
        }
    }
    cJSON_Delete(root);
    return rc;
}
