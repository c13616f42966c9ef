/* Findings and their three output formats. */
#include "diag.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#ifndef AAC_VERSION
#define AAC_VERSION "0.1.0"
#endif

void aac_findings_add(aac_findings *f, aac_rule_id rule, const char *file, unsigned line,
                      unsigned col, const char *message)
{
    if (f->len == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->items = realloc(f->items, f->cap * sizeof *f->items);
        if (!f->items) {
            abort();
        }
    }
    aac_finding *x = &f->items[f->len++];
    memset(x, 0, sizeof *x);
    x->rule = rule;
    x->severity = aac_rule(rule)->severity;
    x->file = strdup(file ? file : "");
    x->line = line;
    x->col = col;
    x->message = strdup(message);
}

void aac_findings_move(aac_findings *dst, aac_findings *src)
{
    for (size_t i = 0; i < src->len; i++) {
        if (dst->len == dst->cap) {
            dst->cap = dst->cap ? dst->cap * 2 : 16;
            dst->items = realloc(dst->items, dst->cap * sizeof *dst->items);
            if (!dst->items) {
                abort();
            }
        }
        dst->items[dst->len++] = src->items[i];
    }
    free(src->items);
    src->items = NULL;
    src->len = src->cap = 0;
}

static void finding_free(aac_finding *x)
{
    free(x->file);
    free(x->message);
    free(x->source_line);
}

void aac_findings_free(aac_findings *f)
{
    for (size_t i = 0; i < f->len; i++) {
        finding_free(&f->items[i]);
    }
    free(f->items);
    f->items = NULL;
    f->len = f->cap = 0;
}

static int cmp_finding(const void *pa, const void *pb)
{
    const aac_finding *a = pa, *b = pb;
    int c = strcmp(a->file, b->file);
    if (c) {
        return c;
    }
    if (a->line != b->line) {
        return a->line < b->line ? -1 : 1;
    }
    if (a->col != b->col) {
        return a->col < b->col ? -1 : 1;
    }
    if (a->rule != b->rule) {
        return a->rule < b->rule ? -1 : 1;
    }
    return strcmp(a->message, b->message);
}

size_t aac_findings_filter(aac_findings *f, int (*keep)(aac_finding *x, void *ctx), void *ctx)
{
    size_t w = 0, dropped = 0;
    for (size_t i = 0; i < f->len; i++) {
        aac_finding *x = &f->items[i];
        if (keep(x, ctx)) {
            f->items[w++] = *x;
        } else {
            finding_free(x);
            dropped++;
        }
    }
    f->len = w;
    return dropped;
}

void aac_findings_sort_unique(aac_findings *f)
{
    if (f->len == 0) {
        return;
    }
    qsort(f->items, f->len, sizeof *f->items, cmp_finding);
    size_t w = 1;
    for (size_t r = 1; r < f->len; r++) {
        if (cmp_finding(&f->items[w - 1], &f->items[r]) == 0) {
            finding_free(&f->items[r]);
        } else {
            f->items[w++] = f->items[r];
        }
    }
    f->len = w;
}

/* Reads line `line` (1-based) of `path`, or NULL. Keeps the last file open between calls. */
typedef struct line_cache {
    char *path;
    char **lines;
    size_t nlines;
} line_cache;

static void cache_load(line_cache *c, const char *path)
{
    if (c->path && !strcmp(c->path, path)) {
        return;
    }
    for (size_t i = 0; i < c->nlines; i++) {
        free(c->lines[i]);
    }
    free(c->lines);
    free(c->path);
    c->lines = NULL;
    c->nlines = 0;
    c->path = strdup(path);
    /* regular files only (a finding's file could be a device a header pointed to) */
    char why[128];
    size_t len = 0;
    char *text = aac_read_file(path, (size_t)256 << 20, &len, why, sizeof why);
    FILE *fp = text ? fmemopen(text, len ? len : 1, "rb") : NULL;
    if (!fp) {
        free(text);
        return;
    }
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t lcap = 0;
    while (len > 0 && (n = getline(&buf, &cap, fp)) >= 0) {
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
            buf[--n] = 0;
        }
        if (c->nlines == lcap) {
            lcap = lcap ? lcap * 2 : 256;
            c->lines = realloc(c->lines, lcap * sizeof *c->lines);
            if (!c->lines) {
                abort();
            }
        }
        /* a NUL inside the line ends it here: the rest is not text */
        c->lines[c->nlines++] = strdup(buf);
    }
    free(buf);
    fclose(fp);
    free(text);
}

static void cache_free(line_cache *c)
{
    for (size_t i = 0; i < c->nlines; i++) {
        free(c->lines[i]);
    }
    free(c->lines);
    free(c->path);
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    h ^= 0xff; /* field separator */
    h *= 1099511628211ULL;
    return h;
}

/* Whitespace-free copy of `s` (so re-indentation does not change a fingerprint). */
static char *squeeze(const char *s)
{
    char *out = malloc(strlen(s) + 1);
    char *w = out;
    for (; *s; s++) {
        if (!isspace((unsigned char)*s)) {
            *w++ = *s;
        }
    }
    *w = 0;
    return out;
}

/* qsort has no context argument: the finishing pass is single-threaded (main thread). */
static struct {
    const aac_findings *f;
    char **norm;
} sort_ctx;

static int same_group(const aac_findings *f, char **norm, size_t a, size_t b)
{
    return f->items[a].rule == f->items[b].rule && !strcmp(f->items[a].file, f->items[b].file) &&
           !strcmp(norm[a], norm[b]);
}

static int cmp_occurrence(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const aac_finding *x = &sort_ctx.f->items[a], *y = &sort_ctx.f->items[b];
    int c = strcmp(x->file, y->file);
    if (c) {
        return c;
    }
    if (x->rule != y->rule) {
        return x->rule < y->rule ? -1 : 1;
    }
    c = strcmp(sort_ctx.norm[a], sort_ctx.norm[b]);
    if (c) {
        return c;
    }
    return a < b ? -1 : a > b ? 1 : 0; /* findings are in line order already */
}

void aac_findings_finish(aac_findings *f)
{
    line_cache cache = {0};
    for (size_t i = 0; i < f->len; i++) {
        aac_finding *x = &f->items[i];
        cache_load(&cache, x->file);
        if (!x->source_line && x->line >= 1 && x->line <= cache.nlines) {
            x->source_line = strdup(cache.lines[x->line - 1]);
        }
    }
    cache_free(&cache);
    /* Occurrence index among findings with the same (rule, file, normalised line), in line
     * order: sort indices by that key (stable on position), then number each group. */
    size_t n = f->len;
    char **norm = malloc((n ? n : 1) * sizeof *norm);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++) {
        norm[i] = squeeze(f->items[i].source_line ? f->items[i].source_line : "");
        order[i] = i;
    }
    sort_ctx.f = f;
    sort_ctx.norm = norm;
    qsort(order, n, sizeof *order, cmp_occurrence);
    unsigned occurrence = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        if (k > 0 && same_group(f, norm, order[k - 1], i)) {
            occurrence++;
        } else {
            occurrence = 0;
        }
        aac_finding *x = &f->items[i];
        const char *base = strrchr(x->file, '/');
        char occ[16];
        snprintf(occ, sizeof occ, "%u", occurrence);
        uint64_t h = 1469598103934665603ULL;
        h = fnv1a(h, aac_rule(x->rule)->id);
        h = fnv1a(h, base ? base + 1 : x->file);
        h = fnv1a(h, norm[i]);
        h = fnv1a(h, occ);
        snprintf(x->fingerprint, sizeof x->fingerprint, "%016llx", (unsigned long long)h);
    }
    for (size_t i = 0; i < n; i++) {
        free(norm[i]);
    }
    free(norm);
    free(order);
}

/* The part of a source line worth showing: all of it when short, else about 160 bytes either
 * side of the column with "..." marks (a minified file can have a 40 MB line). Adjusts *col. */
static char *window(const char *line, unsigned *col)
{
    size_t n = strlen(line);
    if (n <= 400) {
        return strdup(line);
    }
    size_t c = *col > 0 ? *col - 1 : 0;
    size_t from = c > 160 ? c - 160 : 0, to = c + 160 < n ? c + 160 : n;
    /* do not cut a UTF-8 sequence */
    while (from > 0 && ((unsigned char)line[from] & 0xC0) == 0x80) {
        from--;
    }
    while (to < n && ((unsigned char)line[to] & 0xC0) == 0x80) {
        to++;
    }
    size_t len = to - from;
    char *out = malloc(len + 8);
    size_t w = 0;
    if (from > 0) {
        memcpy(out, "...", 3);
        w = 3;
    }
    memcpy(out + w, line + from, len);
    w += len;
    if (to < n) {
        memcpy(out + w, "...", 3);
        w += 3;
    }
    out[w] = 0;
    *col = (unsigned)(c - from + (from > 0 ? 3 : 0) + 1);
    return out;
}

void aac_emit_text(FILE *out, const aac_findings *f)
{
    for (size_t i = 0; i < f->len; i++) {
        const aac_finding *x = &f->items[i];
        char *file = aac_utf8_escape(x->file, 1);
        char *msg = aac_utf8_escape(x->message, 1);
        fprintf(out, "%s:%u:%u: %s: %s [%s]\n", file, x->line, x->col,
                aac_severity_name(x->severity), msg, aac_rule(x->rule)->id);
        free(file);
        free(msg);
        if (x->source_line) {
            unsigned col = x->col;
            char *shown = window(x->source_line, &col);
            char *src = aac_utf8_escape(shown, 1);
            char *caret = aac_caret_line(shown, col, 1);
            fprintf(out, "%s\n%s\n", src, caret);
            free(src);
            free(caret);
            free(shown);
        }
    }
}

void aac_emit_text_summary(FILE *out, const aac_findings *f, const aac_options *opt,
                           const aac_summary *sum)
{
    size_t by_sev[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < f->len; i++) {
        by_sev[f->items[i].severity]++;
    }
    fprintf(out,
            "asyncabi-check: %zu file(s) checked, profile %s (UniFFI %s); recognised %zu async "
            "export(s), %zu future famil%s, %zu vtable(s); %zu finding(s): %zu error(s), %zu "
            "warning(s), %zu note(s)",
            sum->files, aac_profile_get(opt->profile)->name, aac_profile_get(opt->profile)->uniffi,
            sum->exports, sum->families, sum->families == 1 ? "y" : "ies", sum->vtables, f->len,
            by_sev[AAC_SEV_ERROR], by_sev[AAC_SEV_WARNING], by_sev[AAC_SEV_NOTE]);
    if (sum->baselined > 0) {
        fprintf(out, " (%ld more in the baseline)", sum->baselined);
    }
    if (sum->outside_diff > 0) {
        fprintf(out, " (%ld more outside the changed lines)", sum->outside_diff);
    }
    fputc('\n', out);
}

/* Adds `s` to `o` as valid UTF-8. */
static void add_str(cJSON *o, const char *key, const char *s)
{
    if (aac_utf8_valid(s, strlen(s))) {
        cJSON_AddStringToObject(o, key, s);
    } else {
        char *e = aac_utf8_escape(s, 0);
        cJSON_AddStringToObject(o, key, e);
        free(e);
    }
}

static void add_profile(cJSON *o, const aac_options *opt)
{
    const aac_profile_info *p = aac_profile_get(opt->profile);
    cJSON_AddStringToObject(o, "profile", p->name);
    cJSON_AddStringToObject(o, "contractVersions", p->contracts);
    cJSON_AddStringToObject(o, "uniffi", p->uniffi);
}

static void add_summary(cJSON *o, const aac_summary *sum)
{
    cJSON_AddNumberToObject(o, "files", (double)sum->files);
    cJSON_AddNumberToObject(o, "filesNotChecked", (double)sum->failed);
    cJSON_AddNumberToObject(o, "asyncExports", (double)sum->exports);
    cJSON_AddNumberToObject(o, "futureFamilies", (double)sum->families);
    cJSON_AddNumberToObject(o, "vtables", (double)sum->vtables);
    cJSON_AddNumberToObject(o, "baselined", (double)(sum->baselined > 0 ? sum->baselined : 0));
    cJSON_AddNumberToObject(o, "outsideDiff", (double)(sum->outside_diff > 0 ? sum->outside_diff : 0));
}

void aac_emit_json(FILE *out, const aac_findings *f, const aac_options *opt,
                   const aac_summary *sum)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "version", 1);
    add_profile(root, opt);
    add_summary(cJSON_AddObjectToObject(root, "summary"), sum);
    cJSON *arr = cJSON_AddArrayToObject(root, "findings");
    for (size_t i = 0; i < f->len; i++) {
        const aac_finding *x = &f->items[i];
        cJSON *o = cJSON_CreateObject();
        add_str(o, "file", x->file);
        cJSON_AddNumberToObject(o, "line", x->line);
        cJSON_AddNumberToObject(o, "column", x->col);
        cJSON_AddStringToObject(o, "rule", aac_rule(x->rule)->id);
        cJSON_AddStringToObject(o, "severity", aac_severity_name(x->severity));
        add_str(o, "message", x->message);
        cJSON_AddStringToObject(o, "fingerprint", x->fingerprint);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_Print(root);
    fprintf(out, "%s\n", s);
    free(s);
    cJSON_Delete(root);
}

static const char *sarif_level(aac_severity s)
{
    return s == AAC_SEV_ERROR ? "error" : s == AAC_SEV_WARNING ? "warning" : "note";
}

/* Percent-encodes every byte outside RFC 3986's unreserved set and '/' (so that any file
 * name, including bytes that are not UTF-8, makes a valid URI). */
static char *uri_encode(const char *prefix, const char *path)
{
    size_t n = strlen(path), w = strlen(prefix);
    char *out = malloc(w + n * 3 + 1);
    if (!out) {
        abort();
    }
    memcpy(out, prefix, w);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (isalnum(*p) || strchr("-._~/", *p)) {
            out[w++] = (char)*p;
        } else {
            w += (size_t)sprintf(out + w, "%%%02X", *p);
        }
    }
    out[w] = 0;
    return out;
}

/* A SARIF artifact URI: relative to the working directory when the file is under it. */
static char *artifact_uri(const char *file)
{
    char cwd[4096];
    if (file[0] != '/') {
        return uri_encode("", file);
    }
    if (getcwd(cwd, sizeof cwd)) {
        size_t n = strlen(cwd);
        if (!strncmp(file, cwd, n) && file[n] == '/') {
            return uri_encode("", file + n + 1);
        }
    }
    return uri_encode("file://", file);
}

void aac_emit_sarif(FILE *out, const aac_findings *f, const aac_options *opt,
                    const aac_summary *sum)
{
    size_t parse_failures = sum->failed;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(root, "version", "2.1.0");
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, run);
    cJSON *tool = cJSON_AddObjectToObject(run, "tool");
    cJSON *driver = cJSON_AddObjectToObject(tool, "driver");
    cJSON_AddStringToObject(driver, "name", "asyncabi-check");
    cJSON_AddStringToObject(driver, "version", AAC_VERSION);
    cJSON_AddStringToObject(driver, "semanticVersion", AAC_VERSION);
    cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
    for (int i = 0; i < AAC_RULE_COUNT; i++) {
        const aac_rule_info *r = aac_rule((aac_rule_id)i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", r->id);
        cJSON_AddStringToObject(o, "name", r->id);
        cJSON *sd = cJSON_AddObjectToObject(o, "shortDescription");
        cJSON_AddStringToObject(sd, "text", r->summary);
        cJSON *fd = cJSON_AddObjectToObject(o, "fullDescription");
        cJSON_AddStringToObject(fd, "text", r->summary);
        cJSON *help = cJSON_AddObjectToObject(o, "help");
        const char *doc = aac_rule_doc((aac_rule_id)i);
        cJSON_AddStringToObject(help, "text", doc ? doc : r->summary);
        if (doc) {
            cJSON_AddStringToObject(help, "markdown", doc);
        }
        cJSON *cfg = cJSON_AddObjectToObject(o, "defaultConfiguration");
        aac_severity sev = opt->severity[i];
        cJSON_AddBoolToObject(cfg, "enabled", sev != AAC_SEV_OFF);
        cJSON_AddStringToObject(cfg, "level", sarif_level(sev ? sev : r->severity));
        cJSON *props = cJSON_AddObjectToObject(o, "properties");
        cJSON *tags = cJSON_AddArrayToObject(props, "tags");
        cJSON_AddItemToArray(tags, cJSON_CreateString(r->family));
        cJSON_AddItemToArray(tags, cJSON_CreateString("asyncabi"));
        cJSON_AddItemToArray(rules, o);
    }
    cJSON *results = cJSON_AddArrayToObject(run, "results");
    for (size_t i = 0; i < f->len; i++) {
        const aac_finding *x = &f->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "ruleId", aac_rule(x->rule)->id);
        cJSON_AddNumberToObject(o, "ruleIndex", x->rule);
        cJSON_AddStringToObject(o, "level", sarif_level(x->severity));
        cJSON *msg = cJSON_AddObjectToObject(o, "message");
        add_str(msg, "text", x->message);
        cJSON *locs = cJSON_AddArrayToObject(o, "locations");
        cJSON *loc = cJSON_CreateObject();
        cJSON_AddItemToArray(locs, loc);
        cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
        cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
        char *uri = artifact_uri(x->file);
        cJSON_AddStringToObject(art, "uri", uri);
        free(uri);
        cJSON *region = cJSON_AddObjectToObject(phys, "region");
        cJSON_AddNumberToObject(region, "startLine", x->line ? x->line : 1);
        cJSON_AddNumberToObject(region, "startColumn", x->col ? x->col : 1);
        if (x->source_line) {
            unsigned col = x->col;
            char *shown = window(x->source_line, &col);
            cJSON *snip = cJSON_AddObjectToObject(region, "snippet");
            add_str(snip, "text", shown);
            free(shown);
        }
        cJSON *fp = cJSON_AddObjectToObject(o, "partialFingerprints");
        cJSON_AddStringToObject(fp, "asyncabiFingerprint/v1", x->fingerprint);
        cJSON_AddItemToArray(results, o);
    }
    cJSON *props = cJSON_AddObjectToObject(run, "properties");
    add_profile(props, opt);
    add_summary(props, sum);
    cJSON *inv = cJSON_AddArrayToObject(run, "invocations");
    cJSON *one = cJSON_CreateObject();
    cJSON_AddBoolToObject(one, "executionSuccessful", parse_failures == 0);
    if (parse_failures) {
        cJSON *notes = cJSON_AddArrayToObject(one, "toolExecutionNotifications");
        cJSON *n = cJSON_CreateObject();
        cJSON *m = cJSON_AddObjectToObject(n, "message");
        char text[128];
        snprintf(text, sizeof text, "%zu file(s) could not be parsed cleanly (see %s results)",
                 parse_failures, aac_rule(AAC_CHECKER_PARSE_ERROR)->id);
        cJSON_AddStringToObject(m, "text", text);
        cJSON_AddStringToObject(n, "level", "error");
        cJSON_AddItemToArray(notes, n);
    }
    cJSON_AddItemToArray(inv, one);
    char *s = cJSON_Print(root);
    fprintf(out, "%s\n", s);
    free(s);
    cJSON_Delete(root);
}
