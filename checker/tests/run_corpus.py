#!/usr/bin/env python3
"""Corpus driver for asyncabi-check, in the spirit of clang's -verify.

Every corpus file says what the checker must report, in the file itself: a trailing comment
`// expect: rule-id@COL[, rule-id@COL...]` on the line of each expected finding (COL is the
1-based column the finding points at). A first-line comment `// checker-args: ...` adds options
for that file (e.g. --profile legacy).

Two parts, both run by default:

- Per-rule corpus (`corpus/<rule-id>/`): small files, one concern each. The set of
  (file, line, column, rule) must match exactly: a missing finding and an unexpected one both
  fail. Every rule in the registry has a folder with at least three bad_* files that expect it
  and two good_* files that do not.
- Family corpus (`corpus/families/<family>/`): files of 100-300 lines in the style of real
  producers and bindings (helpers, macros, no annotations), at least 10 bad_* and 5 good_*
  per family. Scored per family: a finding matches an expectation of the same family, file,
  line and column. Recall and precision are printed per family and each must be >= 0.95.

usage: run_corpus.py CHECKER [CORPUS_DIR] [--jobs N] [--no-coverage]
"""
import argparse
import collections
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ITEM = r"[a-z0-9-]+(?:@\d+)?"
EXPECT = re.compile(r"expect:\s*(" + ITEM + r"(?:\s*,\s*" + ITEM + r")*)")
ARGS = re.compile(r"checker-args:\s*(.*?)\s*(?:\*/)?$")
# rules.def families, as the family corpus groups them
FAMILY_OF = {"abi": "abi", "send": "send", "sync": "sync-lock", "locks": "sync-lock",
             "cancellation": "cancel", "blocking": "blocking", "binding": "binding",
             "checker": "checker"}
FAMILIES = ["abi", "send", "sync-lock", "cancel", "blocking", "binding"]
THRESHOLD = 0.95
MIN_BAD, MIN_GOOD, MIN_LINES, MAX_LINES = 10, 5, 100, 300


def expectations(path):
    """{(file, line, col, rule)} (col None when not pinned) and the file's extra args."""
    expected, args = set(), []
    for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        m = EXPECT.search(line)
        if m:
            for item in m.group(1).split(","):
                rule, _, col = item.strip().partition("@")
                expected.add((str(path), lineno, int(col) if col else None, rule))
        if lineno <= 3:
            a = ARGS.search(line)
            if a:
                args = shlex.split(a.group(1))
    return expected, tuple(args)


def registry(checker):
    out = subprocess.run([checker, "--list-rules"], capture_output=True, text=True, check=True)
    rows = [line.split() for line in out.stdout.splitlines() if line.strip()]
    return {r[0]: FAMILY_OF.get(r[1], r[1]) for r in rows}


def run_checker(checker, jobs, groups, per_file, problems):
    actual = set()
    for args, group in groups.items():
        cmd = [checker, "--format", "json", "--jobs", jobs, *args, *map(str, group)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError:
            problems.append(f"checker output is not JSON (exit {proc.returncode}):\n"
                            f"{proc.stdout}\n{proc.stderr}")
            continue
        if proc.returncode < 0 or proc.returncode > 2:
            problems.append(f"checker crashed or failed (exit {proc.returncode}): {proc.stderr}")
        actual |= {(str(pathlib.Path(x["file"]).resolve()), x["line"], x["column"], x["rule"])
                   for x in report["findings"]}
        want_exit = 0
        if any(e for f in group for e in per_file[f]):
            want_exit = 1
        if any(e[3] == "checker-parse-error" for f in group for e in per_file[f]):
            want_exit = 2
        if proc.returncode != want_exit and not problems:
            problems.append(f"exit code {proc.returncode}, expected {want_exit} "
                            f"for args {list(args)}: {proc.stderr.strip()}")
    return actual


def exact_part(corpus, files, per_file, actual, rules, problems, coverage):
    expected = set().union(*(per_file[f] for f in files)) if files else set()
    in_part = {str(f) for f in files}
    actual = {a for a in actual if a[0] in in_part}
    unpinned = sorted(e for e in expected if e[2] is None) if coverage else []
    for f, line, _, rule in unpinned:
        problems.append(f"NO COLUMN   {os.path.relpath(f, corpus)}:{line}: {rule} "
                        f"(write `expect: {rule}@COL`)")
    # an expectation without a column (allowed outside the checker's own corpus) matches any
    pinned_lines = {(f, line, rule) for f, line, col, rule in expected if col is None}
    actual = {(f, line, None, rule) if (f, line, rule) in pinned_lines else (f, line, col, rule)
              for f, line, col, rule in actual}
    missing = sorted(e for e in expected if e not in actual)
    unexpected = sorted(a for a in actual if a not in expected)
    for f, line, col, rule in missing:
        problems.append(f"MISSING     {os.path.relpath(f, corpus)}:{line}:{col}: {rule}")
    for f, line, col, rule in unexpected:
        problems.append(f"UNEXPECTED  {os.path.relpath(f, corpus)}:{line}:{col}: {rule}")
    if coverage:
        for rule in rules:
            d = corpus / rule
            bad = [f for f in files if f.parent == d and f.name.startswith("bad")
                   and any(e[3] == rule for e in per_file[f])]
            good = [f for f in files if f.parent == d and f.name.startswith("good")
                    and not any(e[3] == rule for e in per_file[f])]
            if len(bad) < 3 or len(good) < 2:
                problems.append(f"COVERAGE    {rule}: {len(bad)} bad files (need 3), "
                                f"{len(good)} good files (need 2)")
    print(f"per-rule corpus: {len(files)} files, {len(expected)} expected findings, "
          f"{len(expected & actual)} matched")


def family_part(corpus, files, per_file, actual, rules, problems, coverage):
    root = corpus / "families"
    in_part = {str(f) for f in files}
    actual = {a for a in actual if a[0] in in_part}
    expected = set().union(*(per_file[f] for f in files)) if files else set()
    for f, line, col, rule in sorted(expected):
        if col is None:
            problems.append(f"NO COLUMN   {os.path.relpath(f, corpus)}:{line}: {rule}")
        if rule not in rules:
            problems.append(f"UNKNOWN     {os.path.relpath(f, corpus)}:{line}: {rule}")

    for f, line, col, r in sorted(actual):
        if rules.get(r) == "checker":
            problems.append(f"CHECKER     {os.path.relpath(f, corpus)}:{line}:{col}: {r} "
                            f"(the family corpus must parse and carry no checker findings)")

    def scored(items):
        return {(rules.get(r, "?"), f, line, col) for f, line, col, r in items}

    exp_s, act_s = scored(expected), scored(actual)
    rows = []
    for fam in FAMILIES:
        e = {x for x in exp_s if x[0] == fam}
        a = {x for x in act_s if x[0] == fam}
        tp = len(e & a)
        recall = tp / len(e) if e else 1.0
        precision = tp / len(a) if a else 1.0
        fam_files = [f for f in files if f.parent == root / fam]
        bad = [f for f in fam_files if f.name.startswith("bad")]
        good = [f for f in fam_files if f.name.startswith("good")]
        rows.append((fam, len(bad), len(good), len(e), len(a), tp, recall, precision))
        for x in sorted(e - a):
            print(f"  missed      {fam:9} {os.path.relpath(x[1], corpus)}:{x[2]}:{x[3]}")
        for x in sorted(a - e):
            rule = next(r for f, line, col, r in actual
                        if (f, line, col) == x[1:] and rules.get(r) == fam)
            print(f"  false       {fam:9} {os.path.relpath(x[1], corpus)}:{x[2]}:{x[3]} {rule}")
        if recall < THRESHOLD or precision < THRESHOLD:
            problems.append(f"FAMILY      {fam}: recall {recall:.2f}, precision {precision:.2f} "
                            f"(need {THRESHOLD:.2f} each)")
        if coverage and (len(bad) < MIN_BAD or len(good) < MIN_GOOD):
            problems.append(f"COVERAGE    families/{fam}: {len(bad)} bad files (need {MIN_BAD}), "
                            f"{len(good)} good files (need {MIN_GOOD})")
        for f in bad:
            if not per_file[f]:
                problems.append(f"NO EXPECT   {os.path.relpath(f, corpus)} is bad_* but expects "
                                f"nothing")
        for f in good:
            if per_file[f]:
                problems.append(f"EXPECTS     {os.path.relpath(f, corpus)} is good_* but expects "
                                f"findings")
        for f in fam_files:
            n = len(f.read_text(errors="replace").splitlines())
            if coverage and not MIN_LINES <= n <= MAX_LINES:
                problems.append(f"SIZE        {os.path.relpath(f, corpus)}: {n} lines (want "
                                f"{MIN_LINES}-{MAX_LINES})")
    print("family corpus (scored by family, file, line and column):")
    print(f"  {'family':10} {'bad':>4} {'good':>4} {'expected':>8} {'reported':>8} "
          f"{'matched':>7} {'recall':>6} {'precision':>9}")
    for fam, nb, ng, ne, na, tp, r, p in rows:
        print(f"  {fam:10} {nb:4} {ng:4} {ne:8} {na:8} {tp:7} {r:6.2f} {p:9.2f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checker")
    ap.add_argument("corpus", nargs="?", default=str(HERE / "corpus"))
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--no-coverage", action="store_true",
                    help="do not require the per-rule and per-family file counts")
    opts = ap.parse_args()
    corpus = pathlib.Path(opts.corpus).resolve()
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".c", ".cc", ".cpp"))
    groups = collections.defaultdict(list)
    per_file = {}
    for f in files:
        exp, args = expectations(f)
        per_file[f] = exp
        groups[args].append(f)
    rules = registry(opts.checker)
    problems = []
    actual = run_checker(opts.checker, opts.jobs, groups, per_file, problems)
    fam_root = corpus / "families"
    fam_files = [f for f in files if fam_root in f.parents]
    rule_files = [f for f in files if fam_root not in f.parents]
    exact_part(corpus, rule_files, per_file, actual, rules, problems, not opts.no_coverage)
    if fam_files or (not opts.no_coverage and (corpus / "families").exists()):
        family_part(corpus, fam_files, per_file, actual, rules, problems, not opts.no_coverage)
    for p in problems:
        print(p)
    print(f"corpus: {len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
