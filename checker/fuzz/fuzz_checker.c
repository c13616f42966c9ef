/* libFuzzer harness over asyncabi-check's entry point for one file: the input is written to a
 * file, parsed and checked exactly as a worker does (aac_unit_check on the big stack, the open
 * guard on), settled like the command line's findings (severities, suppressions,
 * fingerprints), and emitted as text, JSON and SARIF. Besides crashes, sanitizer reports and
 * hangs (libFuzzer's -timeout), it traps when a report is not valid UTF-8 or a JSON/SARIF
 * report does not parse back.
 *
 * libclang's crash recovery stays on, as in the shipped checker: a crash inside libclang's
 * parser (libclang-14 has some: checker/fuzz/seeds/libclang14_crash_*) is libclang's, and the
 * checker's answer to it is a checker-parse-error. What is ours stays fatal: a fault outside
 * the parse is outside any recovery context, and one inside our open(2) guard (the only code
 * of ours that runs inside a parse) traps below.
 */
#include <cJSON.h>
#include <clang-c/Index.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "driver.h"
#include "openguard.h"
#include "options.h"
#include "suppress.h"
#include "util.h"

static aac_options opt;
static CXIndex idx;
static char path[256];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    aac_options_init(&opt);
    idx = clang_createIndex(0, 0);
    aac_open_guard(1);
    char dir[] = "/tmp/asyncabi-fuzz-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
    snprintf(path, sizeof path, "%s/input.c", dir);
    return 0;
}

typedef struct one {
    aac_unit *u;
    aac_findings *f;
    aac_recognised *rec;
} one;

static void check_one(void *arg)
{
    one *o = arg;
    if (aac_unit_check(idx, &opt, o->u, NULL, 0, o->f, o->rec) == 2) {
        if (aac_open_guard_inside()) {
            fprintf(stderr, "fuzz: a fault inside the checker's open(2) guard\n");
            __builtin_trap();
        }
        /* run_fuzz.py counts these lines; the index is not reused after a crash (as a worker
         * process is not), a fresh one is made and the old one is left unfreed */
        fprintf(stderr, "fuzz: libclang crashed parsing this input (recovered)\n");
        idx = clang_createIndex(0, 0);
    }
}

/* Traps unless `buf` is valid UTF-8 and, for JSON, parses back. */
static void verify(char *buf, size_t len, int json)
{
    if (!aac_utf8_valid(buf, len)) {
        fprintf(stderr, "fuzz: a report is not valid UTF-8\n");
        __builtin_trap();
    }
    if (json) {
        cJSON *root = cJSON_Parse(buf);
        if (!root) {
            fprintf(stderr, "fuzz: a JSON report does not parse\n");
            __builtin_trap();
        }
        cJSON_Delete(root);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        abort();
    }
    fwrite(data, 1, size, fp);
    fclose(fp);
    aac_unit u;
    aac_unit_init(&opt, &u, path);
    aac_findings f = {0};
    aac_recognised rec = {{0}, {0}, {0}};
    one o = {&u, &f, &rec};
    aac_run_on_big_stack(check_one, &o);
    aac_summary sum;
    memset(&sum, 0, sizeof sum);
    sum.files = 1;
    sum.exports = rec.exports.len;
    sum.families = rec.families.len;
    sum.vtables = rec.vtables.len;
    aac_strvec files = {0};
    aac_strvec_push(&files, path);
    aac_findings_settle(&f, &opt, &files, NULL, &sum);
    for (int format = 0; format < 3; format++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        if (format == 0) {
            aac_emit_text(out, &f);
            aac_emit_text_summary(out, &f, &opt, &sum);
        } else if (format == 1) {
            aac_emit_json(out, &f, &opt, &sum);
        } else {
            aac_emit_sarif(out, &f, &opt, &sum);
        }
        fclose(out);
        verify(buf, len, format > 0);
        free(buf);
    }
    aac_strvec_free(&files);
    aac_findings_free(&f);
    aac_recognised_free(&rec);
    free(u.file);
    aac_strvec_free(&u.args);
    return 0;
}
