/* asyncabi-check: the command line (getopt_long), then collect -> workers -> settle ->
 * baseline -> emit. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "diff.h"
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
        "  --exclude GLOB           skip files and directories whose path, or a tail of it after\n"
        "                           a '/', matches GLOB (repeatable; '*' crosses '/')\n"
        "  -I DIR, -D NAME[=VALUE]  added to every parse\n"
        "  --extra-arg ARG          any clang argument, added to every parse\n"
        "  --no-default-includes    do not add the asyncabi runtime's include directory\n"
        "changed lines only:\n"
        "  --diff-base REF          report only findings on lines changed since git REF (working\n"
        "                           tree included); without FILE/DIR/-p: check the changed files\n"
        "  --diff FILE|-            the same from a unified diff (git diff -U0 ... | ... --diff -)\n"
        "analysis:\n"
        "  --profile N              ABI profile by UniFFI contract version: 30 (UniFFI 0.30-0.32,\n"
        "                           default), 29 (0.27-0.29, also 26), 25 (0.26); or a UniFFI\n"
        "                           release such as 0.28\n"
        "  --config FILE            JSON config: profile, werror, extra_args, exclude, rules{id: sev}\n"
        "  --enable ID[=SEVERITY]   turn a rule on (severity: note, warning, error)\n"
        "  --disable ID             turn a rule off\n"
        "  -j, --jobs N             N worker processes (default 1; 0: one per CPU)\n"
        "  --timeout SECONDS        give up on a file after this long (default 300; 0: never)\n"
        "  --max-memory MB          memory a worker may allocate (default 4096; 0: no limit)\n"
        "output:\n"
        "  --format text|json|sarif (default text)\n"
        "  -o, --output FILE        write the report to FILE\n"
        "  --werror                 every finding is an error and fails the run\n"
        "  --baseline FILE          ignore findings recorded in FILE\n"
        "  --write-baseline FILE    record every current finding in FILE and exit 0\n"
        "information:\n"
        "  --list-rules             the rules, their families and default severities\n"
        "  --explain ID             the documentation of a rule\n"
        "  --version, -h, --help\n"
        "\n"
        "exit status: 0 no findings, 1 findings, 2 usage error or a file not checked\n",
        out);
}

#define ERR(...)                                                                                   \
    do {                                                                                           \
        fprintf(stderr, "asyncabi-check: error: " __VA_ARGS__);                                    \
        fputc('\n', stderr);                                                                       \
    } while (0)

/* A whole decimal number in [lo, hi], or -1. */
static long parse_num(const char *text, long lo, long hi)
{
    char *end = NULL;
    long n = strtol(text, &end, 10);
    if (!end || *end || end == text || n < lo || n > hi) {
        return -1;
    }
    return n;
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
        if (sev < 0 || !enable) {
            ERR("%s '%s': %s", enable ? "--enable" : "--disable", spec,
                enable ? "unknown severity (note, warning, error, off)" : "takes a rule id only");
            return -1;
        }
    }
    int r = aac_rule_find(id);
    if (r < 0) {
        ERR("unknown rule '%s' (see --list-rules)", id);
        return -1;
    }
    if (!enable) {
        opt->severity[r] = AAC_SEV_OFF;
    } else {
        opt->severity[r] = sev >= 0 ? (aac_severity)sev : aac_rule((aac_rule_id)r)->severity;
    }
    return 0;
}

enum {
    O_HELP = 'h', O_BUILD = 'p', O_JOBS = 'j', O_OUT = 'o', O_INC = 'I', O_DEF = 'D',
    O_VERSION = 256, O_LIST, O_EXPLAIN, O_CONFIG, O_FORMAT, O_PROFILE, O_WERROR, O_BASELINE,
    O_WRITE_BASELINE, O_ENABLE, O_DISABLE, O_EXTRA, O_NO_DEFAULT, O_EXCLUDE, O_DIFF_BASE,
    O_DIFF, O_TIMEOUT, O_MAXMEM
};

static const struct option long_opts[] = {
    {"help", no_argument, NULL, O_HELP},
    {"version", no_argument, NULL, O_VERSION},
    {"list-rules", no_argument, NULL, O_LIST},
    {"explain", required_argument, NULL, O_EXPLAIN},
    {"config", required_argument, NULL, O_CONFIG},
    {"jobs", required_argument, NULL, O_JOBS},
    {"format", required_argument, NULL, O_FORMAT},
    {"profile", required_argument, NULL, O_PROFILE},
    {"output", required_argument, NULL, O_OUT},
    {"werror", no_argument, NULL, O_WERROR},
    {"baseline", required_argument, NULL, O_BASELINE},
    {"write-baseline", required_argument, NULL, O_WRITE_BASELINE},
    {"enable", required_argument, NULL, O_ENABLE},
    {"disable", required_argument, NULL, O_DISABLE},
    {"extra-arg", required_argument, NULL, O_EXTRA},
    {"no-default-includes", no_argument, NULL, O_NO_DEFAULT},
    {"exclude", required_argument, NULL, O_EXCLUDE},
    {"diff-base", required_argument, NULL, O_DIFF_BASE},
    {"diff", required_argument, NULL, O_DIFF},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"max-memory", required_argument, NULL, O_MAXMEM},
    {NULL, 0, NULL, 0},
};
static const char short_opts[] = ":hp:j:o:I:D:";

/* Returns 0 to go on, 1 when the run is complete (help, list, explain), -1 on a usage error. */
static int parse_args(int argc, char **argv, aac_options *opt)
{
    /* The config file first, so that the command line wins over it. */
    opterr = 0;
    optind = 0;
    int c;
    /* on a copy: getopt_long permutes the array it scans */
    char **copy = malloc(((size_t)argc + 1) * sizeof *copy);
    memcpy(copy, argv, ((size_t)argc + 1) * sizeof *copy);
    while ((c = getopt_long(argc, copy, short_opts, long_opts, NULL)) != -1) {
        if (c == O_CONFIG && aac_options_load_config(opt, optarg) != 0) {
            free(copy);
            return -1;
        }
    }
    free(copy);
    optind = 0;
    int done = 0;
    while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
        long n;
        char why[320];
        switch (c) {
        case O_HELP:
            usage(stdout);
            done = 1;
            break;
        case O_VERSION: {
            char *v = aac_libclang_version();
            printf("asyncabi-check %s (libclang: %s; ABI profiles 25, 29, 30, default %s)\n",
                   AAC_VERSION, v, aac_profile_get(AAC_PROFILE_DEFAULT)->name);
            free(v);
            done = 1;
            break;
        }
        case O_LIST:
            for (int r = 0; r < AAC_RULE_COUNT; r++) {
                const aac_rule_info *ri = aac_rule((aac_rule_id)r);
                printf("%-32s %-13s %-8s %s\n", ri->id, ri->family,
                       aac_severity_name(opt->severity[r]), ri->summary);
            }
            done = 1;
            break;
        case O_EXPLAIN: {
            int r = aac_rule_find(optarg);
            if (r < 0) {
                ERR("unknown rule '%s' (see --list-rules)", optarg);
                return -1;
            }
            const char *doc = aac_rule_doc((aac_rule_id)r);
            if (doc) {
                fputs(doc, stdout);
            } else {
                printf("%s: %s\n", aac_rule((aac_rule_id)r)->id, aac_rule((aac_rule_id)r)->summary);
            }
            done = 1;
            break;
        }
        case O_CONFIG:
            break; /* applied above */
        case O_BUILD:
            opt->build_dir = optarg;
            break;
        case O_JOBS:
            n = parse_num(optarg, 0, 256);
            if (n < 0) {
                ERR("--jobs needs a number from 0 to 256, not '%s'", optarg);
                return -1;
            }
            if (n == 0) {
                long cpus = sysconf(_SC_NPROCESSORS_ONLN);
                n = cpus > 0 ? (cpus > 256 ? 256 : cpus) : 1;
            }
            opt->jobs = (int)n;
            break;
        case O_TIMEOUT:
            n = parse_num(optarg, 0, 86400);
            if (n < 0) {
                ERR("--timeout needs seconds from 0 to 86400, not '%s'", optarg);
                return -1;
            }
            opt->timeout_s = (int)n;
            break;
        case O_MAXMEM:
            n = parse_num(optarg, 0, 1L << 24);
            if (n < 0 || (n > 0 && n < 64)) {
                ERR("--max-memory needs megabytes (at least 64, or 0 for no limit), not '%s'",
                    optarg);
                return -1;
            }
            opt->max_memory_mb = (int)n;
            break;
        case O_FORMAT:
            if (!strcmp(optarg, "text")) {
                opt->format = AAC_FORMAT_TEXT;
            } else if (!strcmp(optarg, "json")) {
                opt->format = AAC_FORMAT_JSON;
            } else if (!strcmp(optarg, "sarif")) {
                opt->format = AAC_FORMAT_SARIF;
            } else {
                ERR("unknown format '%s' (text, json, sarif)", optarg);
                return -1;
            }
            break;
        case O_PROFILE: {
            int p = aac_profile_parse(optarg, why, sizeof why);
            if (p < 0) {
                ERR("--profile: %s", why);
                return -1;
            }
            opt->profile = (aac_profile)p;
            break;
        }
        case O_OUT:
            opt->output = optarg;
            break;
        case O_WERROR:
            opt->werror = 1;
            break;
        case O_BASELINE:
            opt->baseline = optarg;
            break;
        case O_WRITE_BASELINE:
            opt->write_baseline = optarg;
            break;
        case O_ENABLE:
        case O_DISABLE:
            if (set_rule(opt, optarg, c == O_ENABLE) != 0) {
                return -1;
            }
            break;
        case O_EXTRA:
            aac_strvec_push(&opt->extra_args, optarg);
            break;
        case O_INC:
        case O_DEF: {
            size_t len = strlen(optarg) + 3;
            char *buf = malloc(len);
            snprintf(buf, len, "-%c%s", c, optarg);
            aac_strvec_push(&opt->extra_args, buf);
            free(buf);
            break;
        }
        case O_NO_DEFAULT:
            opt->no_default_includes = 1;
            break;
        case O_EXCLUDE:
            aac_strvec_push(&opt->excludes, optarg);
            break;
        case O_DIFF_BASE:
            opt->diff_base = optarg;
            break;
        case O_DIFF:
            opt->diff_file = optarg;
            break;
        case ':':
            ERR("option '%s' needs a value", argv[optind - 1]);
            return -1;
        default:
            if (optopt && optopt < 256 && !strchr("-", optopt) &&
                strncmp(argv[optind - 1], "--", 2) != 0) {
                ERR("unknown option '-%c' (see --help)", optopt);
            } else {
                ERR("unknown option '%s' (see --help)", argv[optind - 1]);
            }
            return -1;
        }
        if (done) {
            return 1;
        }
    }
    for (int i = optind; i < argc; i++) {
        aac_strvec_push(&opt->inputs, argv[i]);
    }
    if (opt->diff_base && opt->diff_file) {
        ERR("--diff-base and --diff exclude each other");
        return -1;
    }
    if (opt->inputs.len == 0 && !opt->build_dir && !opt->diff_base && !opt->diff_file) {
        ERR("no input files (give files, directories, -p BUILD_DIR or --diff-base REF)");
        return -1;
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
    aac_summary sum;
    memset(&sum, 0, sizeof sum);
    aac_diff *diff = NULL;
    FILE *out = stdout;
    int pr = parse_args(argc, argv, &opt);
    if (pr != 0) {
        status = pr > 0 ? 0 : 2;
        goto done;
    }
    if (opt.diff_base && !(diff = aac_diff_from_git(opt.diff_base))) {
        goto done;
    }
    if (opt.diff_file && !(diff = aac_diff_read(opt.diff_file))) {
        goto done;
    }
    if (aac_units_collect(&opt, diff, &units) != 0) {
        goto done;
    }
    if (units.len == 0) {
        fprintf(stderr, "asyncabi-check: no changed C/C++ file to check\n");
    }
    size_t failed = aac_units_run(&opt, &units, &findings, &sum);

    aac_strvec unit_files = {0};
    for (size_t i = 0; i < units.len; i++) {
        aac_strvec_push(&unit_files, units.items[i].file);
    }
    aac_findings_settle(&findings, &opt, &unit_files, diff, &sum);
    aac_strvec_free(&unit_files);
    if (opt.write_baseline) {
        status = aac_write_baseline(&findings, opt.write_baseline) == 0 ? 0 : 2;
        if (status == 0) {
            fprintf(stderr, "asyncabi-check: wrote %zu findings to baseline '%s'\n", findings.len,
                    opt.write_baseline);
        }
        goto done;
    }
    if (opt.baseline && (sum.baselined = aac_apply_baseline(&findings, opt.baseline)) < 0) {
        goto done;
    }
    if (opt.output) {
        out = fopen(opt.output, "w");
        if (!out) {
            ERR("cannot write '%s'", opt.output);
            out = stdout;
            goto done;
        }
    }
    switch (opt.format) {
    case AAC_FORMAT_TEXT:
        aac_emit_text(out, &findings);
        break;
    case AAC_FORMAT_JSON:
        aac_emit_json(out, &findings, &opt, &sum);
        break;
    case AAC_FORMAT_SARIF:
        aac_emit_sarif(out, &findings, &opt, &sum);
        break;
    }
    int failing = 0;
    for (size_t i = 0; i < findings.len; i++) {
        failing |= findings.items[i].severity >= AAC_SEV_WARNING;
    }
    if (opt.format == AAC_FORMAT_TEXT) {
        aac_emit_text_summary(stderr, &findings, &opt, &sum);
    }
    status = failed ? 2 : failing ? 1 : 0;
    if (failed) {
        ERR("%zu file(s) could not be parsed cleanly or checked (see checker-parse-error)", failed);
    }
done:
    if (out != stdout && fclose(out) != 0) {
        ERR("cannot write '%s'", opt.output);
        status = 2;
    }
    aac_diff_free(diff);
    aac_findings_free(&findings);
    aac_units_free(&units);
    aac_options_free(&opt);
    return status;
}
