#!/usr/bin/env python3
"""Corpus driver for asyncabi-check, in the spirit of clang's -verify.

Every file under corpus/<rule-id>/ says what the checker must report, in the file itself:
a trailing comment `// expect: rule-id[, rule-id...]` on the line of each expected finding.
A first-line comment `// checker-args: ...` adds options for that file (e.g. --profile legacy).

The driver runs the checker once per distinct argument set with --format json and compares the
set of (file, line, rule) exactly: a missing finding and an unexpected one both fail. It also
checks the corpus itself: every rule in the registry has a folder with at least three files
named bad_* that expect it and two named good_* that do not.

usage: run_corpus.py CHECKER [CORPUS_DIR] [--jobs N]
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
EXPECT = re.compile(r"expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)")
ARGS = re.compile(r"checker-args:\s*(.*?)\s*(?:\*/)?$")


def expectations(path):
    expected, args = set(), []
    for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        m = EXPECT.search(line)
        if m:
            for rule in m.group(1).split(","):
                expected.add((str(path), lineno, rule.strip()))
        if lineno <= 3:
            a = ARGS.search(line)
            if a:
                args = shlex.split(a.group(1))
    return expected, tuple(args)


def rules_of(checker):
    out = subprocess.run([checker, "--list-rules"], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in out.stdout.splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checker")
    ap.add_argument("corpus", nargs="?", default=str(HERE / "corpus"))
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--no-coverage", action="store_true",
                    help="do not require 3 bad + 2 good files per rule")
    opts = ap.parse_args()
    corpus = pathlib.Path(opts.corpus).resolve()
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".c", ".cc", ".cpp"))
    groups = collections.defaultdict(list)
    expected = set()
    per_file = {}
    for f in files:
        exp, args = expectations(f)
        per_file[f] = exp
        expected |= exp
        groups[args].append(f)
    actual = set()
    problems = []
    for args, group in groups.items():
        cmd = [opts.checker, "--format", "json", "--jobs", opts.jobs, *args, *map(str, group)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError:
            print(f"checker output is not JSON (exit {proc.returncode}):\n{proc.stdout}\n"
                  f"{proc.stderr}")
            return 1
        if proc.returncode < 0 or proc.returncode > 2:
            problems.append(f"checker crashed or failed (exit {proc.returncode}): {proc.stderr}")
        found = {(str(pathlib.Path(x["file"]).resolve()), x["line"], x["rule"])
                 for x in report["findings"]}
        actual |= found
        want_exit = 0
        if any(e for f in group for e in per_file[f]):
            want_exit = 1
        if any(e[2] == "checker-parse-error" for f in group for e in per_file[f]):
            want_exit = 2
        if proc.returncode != want_exit and not problems:
            problems.append(f"exit code {proc.returncode}, expected {want_exit} "
                            f"for args {list(args)}: {proc.stderr.strip()}")
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    for f, line, rule in missing:
        problems.append(f"MISSING     {os.path.relpath(f, corpus)}:{line}: {rule}")
    for f, line, rule in unexpected:
        problems.append(f"UNEXPECTED  {os.path.relpath(f, corpus)}:{line}: {rule}")
    if not opts.no_coverage:
        for rule in rules_of(opts.checker):
            d = corpus / rule
            bad = [f for f in files if f.parent == d and f.name.startswith("bad")
                   and any(e[2] == rule for e in per_file[f])]
            good = [f for f in files if f.parent == d and f.name.startswith("good")
                    and not any(e[2] == rule for e in per_file[f])]
            if len(bad) < 3 or len(good) < 2:
                problems.append(f"COVERAGE    {rule}: {len(bad)} bad files (need 3), "
                                f"{len(good)} good files (need 2)")
    for p in problems:
        print(p)
    print(f"corpus: {len(files)} files, {len(expected)} expected findings, "
          f"{len(expected & actual)} matched, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
