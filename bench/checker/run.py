#!/usr/bin/env python3
"""Benchmark asyncabi-check against the libclang parse floor and clang-tidy-14.

For each corpus (the project's own C code; a synthetic corpus of producer TUs) it times, as
the median wall time of --repeat runs:
  floor      parse_floor: one process, one CXIndex, clang_parseTranslationUnit2 of the same
             files with the same clang arguments as the checker (KeepGoing), nothing else
  check -j1  asyncabi-check, every rule, one job
  check -j2  asyncabi-check --jobs 2 (vs floor -j2, and speed-up over check -j1)
An extra run with AAC_TIMING=1 prints the checker's own split of thread time (parse, model,
rules, dispose), which does not depend on the machine's load.
Wall times are the best of --repeat rounds, each round running every variant once
(interleaved, so that all see the same machine load); CPU time ratios are printed too.
  tidy       clang-tidy-14 with AST-matcher checks (bugprone-*, concurrency-*, cert-*,
             misc-*) on the same files and flags, one process
Targets (from the issue): check -j1 <= 1.10 x floor; check -j2 speed-up >= 1.8.
usage: run.py --build-dir BUILD [--files N] [--repeat R] [--smoke]
"""
import argparse
import os
import resource
import pathlib
import shutil
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TIDY_CHECKS = "-*,bugprone-*,concurrency-*,cert-*,misc-*"


def run_once(cmd, ok):
    """Wall and CPU (user+sys of the child) seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise SystemExit(f"bench: {cmd[0]} failed ({proc.returncode}): "
                         f"{proc.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def timed_interleaved(cmds, repeat):
    """Runs every command once per round, `repeat` rounds, so that all variants see the same
    machine load; returns {name: (best wall, best cpu)}. The minimum is the least disturbed."""
    best = {name: (float("inf"), float("inf")) for name in cmds}
    for _ in range(repeat):
        for name, (cmd, ok) in cmds.items():
            wall, cpu = run_once(cmd, ok)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def checker_flags(includes):
    """The clang arguments asyncabi-check itself uses for a .c file (driver.c)."""
    flags = ["-xc", "-std=gnu11", f"-I{ROOT / 'runtime' / 'include'}"]
    flags += [f"-I{d}" for d in includes]
    flags += ["-Wthread-safety", "-Wno-unknown-warning-option"]
    return flags


def project_corpus():
    dirs = [ROOT / "runtime" / "src", ROOT / "fixtures" / "futures",
            ROOT / "fixtures" / "adversarial", ROOT / "fixtures" / "monitor"]
    dirs = [d for d in dirs if d.is_dir()]
    files = sorted(str(f) for d in dirs for f in d.rglob("*.c"))
    includes = [str(d) for d in dirs]
    if (ROOT / "fixtures" / "monitor" / "include").is_dir():
        includes.append(str(ROOT / "fixtures" / "monitor" / "include"))
    return files, includes


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--files", type=int, default=120, help="synthetic TUs")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="tiny run, for ctest")
    a = ap.parse_args()
    build = pathlib.Path(a.build_dir).resolve()
    checker = build / "checker" / "asyncabi-check"
    floor = build / "bench" / "checker" / "asyncabi-bench-parse-floor"
    for exe in (checker, floor):
        if not exe.exists():
            print(f"bench: {exe} is not built (cmake --build {build})", file=sys.stderr)
            return 2
    tidy = shutil.which("clang-tidy-14") or shutil.which("clang-tidy")
    if a.smoke:
        a.files, a.repeat = 6, 1
    syn_dir = build / "bench" / "checker" / "synthetic"
    subprocess.run([sys.executable, str(HERE / "gen_corpus.py"), str(syn_dir),
                    "--files", str(a.files)], check=True, stdout=subprocess.DEVNULL)
    corpora = []
    pf, pi = project_corpus()
    if pf and not a.smoke:
        corpora.append(("project C code", pf, pi))
    corpora.append((f"synthetic x{a.files}", sorted(str(f) for f in syn_dir.glob("*.c")), []))

    header = (f"{'corpus':<18} {'files':>5} {'floor':>7} {'check':>7} {'ratio':>6} "
              f"{'cpu-ratio':>9} {'floor-j2':>8} {'check-j2':>8} {'ratio':>6} {'speedup':>7} "
              f"{'tidy':>7} {'tidy/check':>10}")
    print(header)
    print("-" * len(header))
    verdicts = []
    phases = []
    for name, files, includes in corpora:
        flags = checker_flags(includes)
        extra = []
        for d in includes:
            extra += ["-I", d]
        cmds = {
            "floor": ([str(floor), *flags, "--", *files], (0, 1)),
            "check": ([str(checker), "--format", "json", "--jobs", "1", *extra, *files],
                      (0, 1, 2)),
            "floor2": ([str(floor), "-j", "2", *flags, "--", *files], (0, 1)),
            "check2": ([str(checker), "--format", "json", "--jobs", "2", *extra, *files],
                       (0, 1, 2)),
        }
        # small corpora run in well under a second: more rounds for a stable minimum
        rounds = a.repeat if len(files) >= 100 or a.smoke else a.repeat * 3
        t = timed_interleaved(cmds, rounds)
        if tidy:
            tt = timed_interleaved(
                {"tidy": ([tidy, "--quiet", f"-checks={TIDY_CHECKS}", *files, "--", *flags],
                          (0, 1))}, 1 if a.smoke else max(1, a.repeat // 2))["tidy"][0]
        else:
            tt = float("nan")
        ratio = t["check"][0] / t["floor"][0]
        cpu_ratio = t["check"][1] / t["floor"][1]
        ratio2 = t["check2"][0] / t["floor2"][0]
        speedup = t["check"][0] / t["check2"][0]
        print(f"{name:<18} {len(files):>5} {t['floor'][0]:>6.2f}s {t['check'][0]:>6.2f}s "
              f"{ratio:>5.2f}x {cpu_ratio:>8.2f}x {t['floor2'][0]:>7.2f}s {t['check2'][0]:>7.2f}s "
              f"{ratio2:>5.2f}x {speedup:>6.2f}x {tt:>6.2f}s {tt / t['check'][0]:>9.2f}x",
              flush=True)
        verdicts.append((name, ratio, cpu_ratio, speedup))
        env = dict(os.environ, AAC_TIMING="1")
        proc = subprocess.run([str(checker), "--format", "json", *extra, *files], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        breakdown = [l for l in proc.stderr.splitlines() if "timing" in l]
        if breakdown:
            phases.append((name, breakdown[0].split("timing ", 1)[1]))
    print()
    load = os.getloadavg()[0]
    print(f"wall times are the best of {a.repeat} interleaved rounds; cpu-ratio compares user+sys "
          f"CPU seconds; {os.cpu_count()} CPUs, load average {load:.1f} at the end")
    print(f"targets: check/floor <= 1.10 single job; speed-up >= 1.80 with --jobs 2; "
          f"clang-tidy checks: {TIDY_CHECKS}")
    for name, text in phases:
        print(f"  {name}: in-process {text}")
    for name, ratio, cpu_ratio, speedup in verdicts:
        print(f"  {name}: overhead {ratio:.3f}x wall / {cpu_ratio:.3f}x cpu "
              f"{'OK' if ratio <= 1.10 else 'MISSED'}, speed-up {speedup:.2f}x "
              f"{'OK' if speedup >= 1.8 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
