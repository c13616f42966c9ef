/* asyncabi-check: the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "driver.h"
#include "options.h"
#include "registry.h"
#include "suppress.h"

#ifndef AAC_VERSION
#define AAC_VERSION "0.1.0"
#endif

static void usage(FILE *out)
{
    fputs(
        "usage: asyncabi-check [options] [FILE | DIR ...]\n"
        "\n"
        "Checks C producers and bindings of UniFFI's async C ABI.\n"
        "\n"
        "inputs:\n"
        "  FILE | DIR               C/C++ files; directories are searched for .c .cc .cpp .cxx\n"
        "  -p BUILD_DIR             use BUILD_DIR/compile_commands.json (each file's own flags;\n"
        "                           without FILE/DIR: every file in the database)\n"
        "  -I DIR, -D NAME[=VALUE]  added to every parse\n"
        "  --extra-arg ARG          any clang argument, added to every parse\n"
        "  --no-default-includes    do not add the asyncabi runtime's include directory\n"
        "analysis:\n"
        "  --profile 0.29.2|legacy  ABI profile (legacy = UniFFI 0.26 to 0.29.1)\n"
        "  --config FILE            JSON config: profile, werror, extra_args, rules{id: sev}\n"
        "  --enable ID[=SEVERITY]   turn a rule on (severity: note, warning, error)\n"
        "  --disable ID             turn a rule off\n"
        "  -j, --jobs N             parse with N threads (default 1; 0: one per CPU)\n"
        "output:\n"
        "  --format text|json|sarif (default text)\n"
        "  -o FILE                  write the report to FILE\n"
        "  --werror                 every finding is an error and fails the run\n"
        "  --baseline FILE          ignore findings recorded in FILE\n"
        "  --write-baseline FILE    record every current finding in FILE and exit 0\n"
        "information:\n"
        "  --list-rules             the rules, their families and default severities\n"
        "  --explain ID             the documentation of a rule\n"
        "  --version, -h, --help\n"
        "\n"
        "exit status: 0 no findings, 1 findings, 2 usage error or unparseable input\n",
        out);
}

/* "0" means one job per online CPU. */
static int parse_jobs(const char *text)
{
    char *end = NULL;
    long n = strtol(text, &end, 10);
    if (!end || *end || end == text) {
        return -1;
    }
    if (n == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        return cpus > 0 ? (int)(cpus > 256 ? 256 : cpus) : 1;
    }
    return n > 256 ? 257 : (int)n;
}

static int need(int argc, char **argv, int i)
{
    if (i + 1 >= argc) {
        fprintf(stderr, "asyncabi-check: error: option '%s' needs a value\n", argv[i]);
        return 0;
    }
    return 1;
}

static int set_rule(aac_options *opt, const char *spec, int enable)
{
    char id[128];
    snprintf(id, sizeof id, "%s", spec);
    char *eq = strchr(id, '=');
    int sev = -1;
    if (eq) {
        *eq = 0;
        sev = aac_severity_parse(eq + 1);
        if (sev < 0) {
            fprintf(stderr, "asyncabi-check: error: unknown severity '%s'\n", eq + 1);
            return -1;
        }
    }
    int r = aac_rule_find(id);
    if (r < 0) {
        fprintf(stderr, "asyncabi-check: error: unknown rule '%s' (see --list-rules)\n", id);
        return -1;
    }
    if (!enable) {
        opt->severity[r] = AAC_SEV_OFF;
    } else {
        opt->severity[r] = sev >= 0 ? (aac_severity)sev : aac_rule((aac_rule_id)r)->severity;
    }
    return 0;
}

int main(int argc, char **argv)
{
    aac_options opt;
    aac_options_init(&opt);
    int status = 2;
    aac_units units = {0};
    aac_findings findings = {0};
    FILE *out = stdout;
    /* The config file is applied first so that the command line wins. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config")) {
            if (!need(argc, argv, i) || aac_options_load_config(&opt, argv[i + 1]) != 0) {
                goto done;
            }
            i++;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            status = 0;
            goto done;
        } else if (!strcmp(a, "--version")) {
            printf("asyncabi-check %s (libclang: %s)\n", AAC_VERSION, "14");
            status = 0;
            goto done;
        } else if (!strcmp(a, "--list-rules")) {
            for (int r = 0; r < AAC_RULE_COUNT; r++) {
                const aac_rule_info *ri = aac_rule((aac_rule_id)r);
                printf("%-32s %-13s %-8s %s\n", ri->id, ri->family,
                       aac_severity_name(opt.severity[r]), ri->summary);
            }
            status = 0;
            goto done;
        } else if (!strcmp(a, "--explain")) {
            if (!need(argc, argv, i)) {
                goto done;
            }
            int r = aac_rule_find(argv[++i]);
            if (r < 0) {
                fprintf(stderr, "asyncabi-check: error: unknown rule '%s' (see --list-rules)\n",
                        argv[i]);
                goto done;
            }
            const char *doc = aac_rule_doc((aac_rule_id)r);
            if (doc) {
                fputs(doc, stdout);
            } else {
                printf("%s: %s\n", aac_rule((aac_rule_id)r)->id, aac_rule((aac_rule_id)r)->summary);
            }
            status = 0;
            goto done;
        } else if (!strcmp(a, "--config")) {
            i++;
        } else if (!strcmp(a, "-p")) {
            if (!need(argc, argv, i)) {
                goto done;
            }
            opt.build_dir = argv[++i];
        } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
            if (!need(argc, argv, i)) {
                goto done;
            }
            opt.jobs = parse_jobs(argv[++i]);
            if (opt.jobs < 1 || opt.jobs > 256) {
                fprintf(stderr, "asyncabi-check: error: --jobs needs a number from 1 to 256\n");
                goto done;
            }
        } else if (!strncmp(a, "--jobs=", 7)) {
            opt.jobs = parse_jobs(a + 7);
            if (opt.jobs < 1 || opt.jobs > 256) {
                fprintf(stderr, "asyncabi-check: error: --jobs needs a number from 1 to 256\n");
                goto done;
            }
        } else if (!strcmp(a, "--format") || !strncmp(a, "--format=", 9)) {
            const char *v = a[8] == '=' ? a + 9 : NULL;
            if (!v) {
                if (!need(argc, argv, i)) {
                    goto done;
                }
                v = argv[++i];
            }
            if (!strcmp(v, "text")) {
                opt.format = AAC_FORMAT_TEXT;
            } else if (!strcmp(v, "json")) {
                opt.format = AAC_FORMAT_JSON;
            } else if (!strcmp(v, "sarif")) {
                opt.format = AAC_FORMAT_SARIF;
            } else {
                fprintf(stderr, "asyncabi-check: error: unknown format '%s'\n", v);
                goto done;
            }
        } else if (!strcmp(a, "--profile")) {
            if (!need(argc, argv, i)) {
                goto done;
            }
            int p = aac_profile_parse(argv[++i]);
            if (p < 0) {
                fprintf(stderr, "asyncabi-check: error: unknown profile '%s'\n", argv[i]);
                goto done;
            }
            opt.profile = (aac_profile)p;
        } else if (!strcmp(a, "-o")) {
            if (!need(argc, argv, i)) {
                goto done;
            }
            opt.output = argv[++i];
        } else if (!strcmp(a, "--werror")) {
            opt.werror = 1;
        } else if (!strcmp(a, "--baseline")) {
            if (!need(argc, argv, i)) {
                goto done;
            }
            opt.baseline = argv[++i];
        } else if (!strcmp(a, "--write-baseline")) {
            if (!need(argc, argv, i)) {
                goto done;
            }
            opt.write_baseline = argv[++i];
        } else if (!strcmp(a, "--enable") || !strcmp(a, "--disable")) {
            if (!need(argc, argv, i) || set_rule(&opt, argv[i + 1], a[2] == 'e') != 0) {
                goto done;
            }
            i++;
        } else if (!strcmp(a, "--extra-arg")) {
            if (!need(argc, argv, i)) {
                goto done;
            }
            aac_strvec_push(&opt.extra_args, argv[++i]);
        } else if (!strncmp(a, "--extra-arg=", 12)) {
            aac_strvec_push(&opt.extra_args, a + 12);
        } else if (!strcmp(a, "-I") || !strcmp(a, "-D")) {
            if (!need(argc, argv, i)) {
                goto done;
            }
            char buf[4096];
            snprintf(buf, sizeof buf, "%s%s", a, argv[++i]);
            aac_strvec_push(&opt.extra_args, buf);
        } else if (!strncmp(a, "-I", 2) || !strncmp(a, "-D", 2)) {
            aac_strvec_push(&opt.extra_args, a);
        } else if (!strcmp(a, "--no-default-includes")) {
            opt.no_default_includes = 1;
        } else if (a[0] == '-' && a[1] != 0) {
            fprintf(stderr, "asyncabi-check: error: unknown option '%s'\n", a);
            usage(stderr);
            goto done;
        } else {
            aac_strvec_push(&opt.inputs, a);
        }
    }
    if (opt.inputs.len == 0 && !opt.build_dir) {
        fprintf(stderr, "asyncabi-check: error: no input files\n");
        usage(stderr);
        goto done;
    }
    if (aac_units_collect(&opt, &units) != 0) {
        goto done;
    }
    size_t failed = aac_units_run(&opt, &units, &findings);

    /* Severities from the options, then dedupe, suppress, fingerprint, baseline. */
    size_t w = 0;
    for (size_t i = 0; i < findings.len; i++) {
        aac_finding *x = &findings.items[i];
        aac_severity sev = opt.severity[x->rule];
        if (sev == AAC_SEV_OFF) {
            free(x->file);
            free(x->message);
            free(x->source_line);
            continue;
        }
        x->severity = opt.werror ? AAC_SEV_ERROR : sev;
        findings.items[w++] = *x;
    }
    findings.len = w;
    aac_findings_sort_unique(&findings);
    aac_strvec unit_files = {0};
    for (size_t i = 0; i < units.len; i++) {
        aac_strvec_push(&unit_files, units.items[i].file);
    }
    /* Suppressions apply whatever the settings; a reason-less one is reported only while
     * checker-suppression-reason is on. */
    aac_apply_suppressions(&findings, &unit_files);
    w = 0;
    for (size_t i = 0; i < findings.len; i++) {
        aac_finding *x = &findings.items[i];
        if (x->rule == AAC_CHECKER_SUPPRESSION_REASON) {
            aac_severity sev = opt.severity[AAC_CHECKER_SUPPRESSION_REASON];
            if (sev == AAC_SEV_OFF) {
                free(x->file);
                free(x->message);
                free(x->source_line);
                continue;
            }
            x->severity = opt.werror ? AAC_SEV_ERROR : sev;
        }
        findings.items[w++] = *x;
    }
    findings.len = w;
    aac_strvec_free(&unit_files);
    aac_findings_sort_unique(&findings);
    aac_findings_finish(&findings);
    if (opt.write_baseline) {
        status = aac_write_baseline(&findings, opt.write_baseline) == 0 ? 0 : 2;
        if (status == 0) {
            fprintf(stderr, "asyncabi-check: wrote %zu findings to baseline '%s'\n", findings.len,
                    opt.write_baseline);
        }
        goto done;
    }
    long baselined = 0;
    if (opt.baseline && (baselined = aac_apply_baseline(&findings, opt.baseline)) < 0) {
        goto done;
    }
    if (opt.output) {
        out = fopen(opt.output, "w");
        if (!out) {
            fprintf(stderr, "asyncabi-check: error: cannot write '%s'\n", opt.output);
            out = stdout;
            goto done;
        }
    }
    switch (opt.format) {
    case AAC_FORMAT_TEXT:
        aac_emit_text(out, &findings);
        break;
    case AAC_FORMAT_JSON:
        aac_emit_json(out, &findings, &opt);
        break;
    case AAC_FORMAT_SARIF:
        aac_emit_sarif(out, &findings, &opt, failed);
        break;
    }
    int failing = 0;
    size_t by_sev[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < findings.len; i++) {
        failing |= findings.items[i].severity >= AAC_SEV_WARNING;
        by_sev[findings.items[i].severity]++;
    }
    if (opt.format == AAC_FORMAT_TEXT && findings.len > 0) {
        fprintf(stderr, "asyncabi-check: %zu finding(s) in %zu file(s): %zu error(s), %zu warning(s), "
                        "%zu note(s)%s\n",
                findings.len, units.len, by_sev[AAC_SEV_ERROR], by_sev[AAC_SEV_WARNING],
                by_sev[AAC_SEV_NOTE], baselined > 0 ? " (after the baseline)" : "");
    }
    status = failed ? 2 : failing ? 1 : 0;
    if (failed) {
        fprintf(stderr, "asyncabi-check: error: %zu file(s) could not be parsed cleanly\n", failed);
    }
done:
    if (out != stdout) {
        fclose(out);
    }
    aac_findings_free(&findings);
    aac_units_free(&units);
    aac_options_free(&opt);
    return status;
}
