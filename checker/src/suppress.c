/* Suppressions and baselines: both let a code base adopt the checker gradually. */
#include "suppress.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MARKER "asyncabi-check:"

typedef struct suppression {
    unsigned target_line; /* the line whose findings it covers */
    char rules[256];      /* comma-separated ids, or "*" */
} suppression;

typedef struct file_sups {
    char *path;
    suppression *items;
    size_t len, cap;
} file_sups;

static int rule_listed(const char *list, const char *id)
{
    size_t n = strlen(id);
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ') {
            p++;
        }
        const char *e = p;
        while (*e && *e != ',' && *e != ' ') {
            e++;
        }
        if ((e - p == 1 && *p == '*') || ((size_t)(e - p) == n && !strncmp(p, id, n))) {
            return 1;
        }
        p = e;
    }
    return 0;
}

/* Scans `path`; appends reason-less suppressions as findings to `missing`. */
static void scan_file(file_sups *fs, const char *path, aac_findings *missing)
{
    fs->path = strdup(path);
    char why[128];
    size_t len = 0;
    char *text = aac_read_file(path, (size_t)256 << 20, &len, why, sizeof why);
    FILE *fp = text && len ? fmemopen(text, len, "rb") : NULL;
    if (!fp) {
        free(text);
        return;
    }
    char *buf = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int pending = 0; /* a standalone comment waiting for the next code line */
    suppression pend;
    while (getline(&buf, &cap, fp) >= 0) {
        lineno++;
        char *m = strstr(buf, MARKER);
        const char *s = buf;
        while (isspace((unsigned char)*s)) {
            s++;
        }
        int blank = *s == 0;
        if (pending && !blank && !(m && (s == m || !strncmp(s, "//", 2) || !strncmp(s, "/*", 2)))) {
            pend.target_line = lineno;
            if (fs->len == fs->cap) {
                fs->cap = fs->cap ? fs->cap * 2 : 8;
                fs->items = realloc(fs->items, fs->cap * sizeof *fs->items);
            }
            fs->items[fs->len++] = pend;
            pending = 0;
        }
        if (!m) {
            continue;
        }
        const char *p = m + strlen(MARKER);
        while (*p == ' ') {
            p++;
        }
        if (strncmp(p, "ignore[", 7) != 0) {
            continue;
        }
        p += 7;
        const char *close = strchr(p, ']');
        if (!close) {
            aac_findings_add(missing, AAC_CHECKER_SUPPRESSION_REASON, path, lineno,
                             (unsigned)(m - buf) + 1, "malformed suppression: missing ']'");
            continue;
        }
        suppression sup;
        size_t n = (size_t)(close - p);
        if (n >= sizeof sup.rules) {
            n = sizeof sup.rules - 1;
        }
        memcpy(sup.rules, p, n);
        sup.rules[n] = 0;
        const char *r = close + 1;
        while (*r && (isspace((unsigned char)*r) || *r == '-' || *r == ':')) {
            r++;
        }
        if (*r == 0 || !strncmp(r, "*/", 2)) {
            aac_findings_add(missing, AAC_CHECKER_SUPPRESSION_REASON, path, lineno,
                             (unsigned)(m - buf) + 1,
                             "suppression without a reason: write why after the ']'");
        }
        /* Code before the comment: covers this line. Alone on its line: the next code line. */
        int code_before = !(s == m || !strncmp(s, "//", 2) || !strncmp(s, "/*", 2) || s[0] == '*');
        if (code_before) {
            sup.target_line = lineno;
            if (fs->len == fs->cap) {
                fs->cap = fs->cap ? fs->cap * 2 : 8;
                fs->items = realloc(fs->items, fs->cap * sizeof *fs->items);
            }
            fs->items[fs->len++] = sup;
        } else {
            pend = sup;
            pending = 1;
        }
    }
    free(buf);
    fclose(fp);
    free(text);
}

typedef struct sup_ctx {
    file_sups *fs;
    size_t nfs;
} sup_ctx;

static int not_suppressed(aac_finding *x, void *ctx)
{
    sup_ctx *sc = ctx;
    for (size_t k = 0; k < sc->nfs; k++) {
        if (strcmp(sc->fs[k].path, x->file)) {
            continue;
        }
        for (size_t j = 0; j < sc->fs[k].len; j++) {
            if (sc->fs[k].items[j].target_line == x->line &&
                rule_listed(sc->fs[k].items[j].rules, aac_rule(x->rule)->id)) {
                return 0;
            }
        }
    }
    return 1;
}

void aac_apply_suppressions(aac_findings *f, const aac_strvec *files)
{
    size_t nfs = 0, capfs = files->len + f->len + 1;
    file_sups *fs = calloc(capfs, sizeof *fs);
    aac_findings missing = {0};
    for (size_t i = 0; i < files->len; i++) {
        scan_file(&fs[nfs++], files->items[i], &missing);
    }
    for (size_t i = 0; i < f->len; i++) {
        size_t k;
        for (k = 0; k < nfs; k++) {
            if (!strcmp(fs[k].path, f->items[i].file)) {
                break;
            }
        }
        if (k == nfs) {
            scan_file(&fs[nfs++], f->items[i].file, &missing);
        }
    }
    sup_ctx sc = {fs, nfs};
    aac_findings_filter(f, not_suppressed, &sc);
    for (size_t k = 0; k < nfs; k++) {
        free(fs[k].path);
        free(fs[k].items);
    }
    free(fs);
    aac_findings_move(f, &missing);
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef struct base_ctx {
    char **keys;
    size_t nkeys;
} base_ctx;

static int not_in_baseline(aac_finding *x, void *ctx)
{
    base_ctx *bc = ctx;
    char key[160], any[160];
    snprintf(key, sizeof key, "%s %s", aac_rule(x->rule)->id, x->fingerprint);
    snprintf(any, sizeof any, "* %s", x->fingerprint);
    const char *kp = key, *ap = any;
    return bsearch(&kp, bc->keys, bc->nkeys, sizeof *bc->keys, cmp_key) == NULL &&
           bsearch(&ap, bc->keys, bc->nkeys, sizeof *bc->keys, cmp_key) == NULL;
}

long aac_apply_baseline(aac_findings *f, const char *path)
{
    char why[128];
    char *text = aac_read_file(path, (size_t)1 << 30, NULL, why, sizeof why);
    if (!text) {
        fprintf(stderr, "asyncabi-check: error: cannot read baseline '%s': %s\n", path, why);
        return -1;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    cJSON *list = root ? cJSON_GetObjectItem(root, "findings") : NULL;
    if (!cJSON_IsArray(list)) {
        fprintf(stderr, "asyncabi-check: error: baseline '%s' is not an asyncabi-check baseline\n",
                path);
        cJSON_Delete(root);
        return -1;
    }
    /* "rule fingerprint" keys, sorted, for a binary search per finding */
    int count = cJSON_GetArraySize(list);
    char **keys = malloc((size_t)(count > 0 ? count : 1) * sizeof *keys);
    size_t nkeys = 0;
    cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        cJSON *fpv = cJSON_GetObjectItem(e, "fingerprint");
        cJSON *rv = cJSON_GetObjectItem(e, "rule");
        if (cJSON_IsString(fpv)) {
            size_t n = strlen(fpv->valuestring) + 80;
            keys[nkeys] = malloc(n);
            snprintf(keys[nkeys], n, "%s %s", cJSON_IsString(rv) ? rv->valuestring : "*",
                     fpv->valuestring);
            nkeys++;
        }
    }
    qsort(keys, nkeys, sizeof *keys, cmp_key);
    base_ctx bc = {keys, nkeys};
    long dropped = (long)aac_findings_filter(f, not_in_baseline, &bc);
    for (size_t k = 0; k < nkeys; k++) {
        free(keys[k]);
    }
    free(keys);
    cJSON_Delete(root);
    return dropped;
}

int aac_write_baseline(const aac_findings *f, const char *path)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "tool", "asyncabi-check");
    cJSON_AddNumberToObject(root, "version", 1);
    cJSON *list = cJSON_AddArrayToObject(root, "findings");
    for (size_t i = 0; i < f->len; i++) {
        const aac_finding *x = &f->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "fingerprint", x->fingerprint);
        cJSON_AddStringToObject(o, "rule", aac_rule(x->rule)->id);
        cJSON_AddStringToObject(o, "file", x->file);
        cJSON_AddStringToObject(o, "message", x->message);
        cJSON_AddItemToArray(list, o);
    }
    char *s = cJSON_Print(root);
    cJSON_Delete(root);
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        free(s);
        fprintf(stderr, "asyncabi-check: error: cannot write baseline '%s'\n", path);
        return -1;
    }
    fprintf(fp, "%s\n", s);
    free(s);
    return fclose(fp) == 0 ? 0 : -1;
}

static int keep_enabled(aac_finding *x, void *ctx)
{
    const aac_options *opt = ctx;
    aac_severity sev = opt->severity[x->rule];
    if (sev == AAC_SEV_OFF) {
        return 0;
    }
    x->severity = opt->werror ? AAC_SEV_ERROR : sev;
    return 1;
}

static int keep_changed(aac_finding *x, void *ctx)
{
    return x->rule == AAC_CHECKER_PARSE_ERROR || aac_diff_has_line(ctx, x->file, x->line);
}

void aac_findings_settle(aac_findings *f, const aac_options *opt, const aac_strvec *unit_files,
                         aac_diff *diff, aac_summary *sum)
{
    aac_findings_filter(f, keep_enabled, (void *)opt);
    aac_findings_sort_unique(f);
    /* Suppressions apply whatever the settings; the reason-less ones they report go through
     * the same severity filter (off: not reported). */
    aac_apply_suppressions(f, unit_files);
    aac_findings_filter(f, keep_enabled, (void *)opt);
    if (diff) {
        sum->outside_diff = (long)aac_findings_filter(f, keep_changed, diff);
    }
    aac_findings_sort_unique(f);
    aac_findings_finish(f);
}
