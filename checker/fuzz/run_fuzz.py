#!/usr/bin/env python3
"""A bounded libFuzzer run of asyncabi-check-fuzz, for ctest (checker.fuzz).

Copies nothing into the source tree: new inputs go to a temporary corpus directory; the seed
directories are read only. Fails when libFuzzer reports a crash, a sanitizer error, a leak,
an out-of-memory or an input that takes longer than --timeout seconds (a hang), and prints
one line: executions, seconds, crashes, hangs, parses where libclang crashed and recovered
(as the shipped checker does: a checker-parse-error, not a crash of ours), and libFuzzer's
seed; on a failure, the command that replays it.

usage: run_fuzz.py FUZZER --seconds N --seeds DIR... [--lsan-suppressions FILE]
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fuzzer")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--timeout", type=int, default=10, help="seconds per input (a hang)")
    ap.add_argument("--seeds", nargs="+", default=[])
    ap.add_argument("--lsan-suppressions")
    ap.add_argument("--keep", help="directory to copy crash, hang and leak inputs to")
    ap.add_argument("--seed", type=int, default=0, help="libFuzzer's seed (0: a random one)")
    a = ap.parse_args()
    if not os.access(a.fuzzer, os.X_OK):
        print(f"fuzz: {a.fuzzer} is not built", file=sys.stderr)
        return 1
    seeds = [d for d in a.seeds if pathlib.Path(d).is_dir()]
    with tempfile.TemporaryDirectory(prefix="asyncabi-fuzz-corpus-") as tmp:
        corpus = pathlib.Path(tmp) / "corpus"
        corpus.mkdir()
        artifacts = pathlib.Path(tmp) / "artifacts"
        artifacts.mkdir()
        env = dict(os.environ)
        # allow_user_segv_handler: libclang's crash recovery installs its SIGSEGV handler as in
        # the shipped checker (a fault outside a parse still reaches ASan: LLVM hands back)
        env["ASAN_OPTIONS"] = ("detect_leaks=1:abort_on_error=0:allocator_may_return_null=1:"
                               "allow_user_segv_handler=1")
        env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
        if a.lsan_suppressions:
            env["LSAN_OPTIONS"] = f"suppressions={a.lsan_suppressions}:print_suppressions=0"
        cmd = [a.fuzzer, f"-max_total_time={a.seconds}", f"-timeout={a.timeout}",
               *([f"-seed={a.seed}"] if a.seed else []),
               "-rss_limit_mb=4096", "-max_len=8192", "-print_final_stats=1",
               f"-artifact_prefix={artifacts}/", str(corpus), *seeds]
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace", timeout=a.seconds + 600)
        out = proc.stdout
        runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
        secs = re.search(r"Done (\d+) runs in (\d+) second", out)
        found = sorted(p.name for p in artifacts.iterdir())
        crashes = [f for f in found if not f.startswith(("timeout-", "slow-unit-"))]
        hangs = [f for f in found if f.startswith("timeout-")]
        seed = re.search(r"INFO: Seed: (\d+)", out)
        recovered = out.count("fuzz: libclang crashed parsing this input (recovered)")
        n = int(runs.group(1)) if runs else (int(secs.group(1)) if secs else 0)
        t = secs.group(2) if secs else "?"
        print(f"fuzz: {n} executions in {t} s (seed inputs: {', '.join(seeds)}); "
              f"{len(crashes)} crash(es), {len(hangs)} hang(s) over {a.timeout} s; "
              f"{recovered} libclang crash(es) recovered; "
              f"libFuzzer seed {seed.group(1) if seed else '?'}, exit {proc.returncode}")
        if proc.returncode != 0 or crashes or hangs or n == 0:
            print(out[-6000:])
            for f in found:
                data = (artifacts / f).read_bytes()
                print(f"--- {f} ({len(data)} bytes): {data[:400]!r}")
                if a.keep:
                    pathlib.Path(a.keep).mkdir(parents=True, exist_ok=True)
                    (pathlib.Path(a.keep) / f).write_bytes(data)
            if a.keep and found:
                print(f"fuzz: inputs kept in {a.keep} (replay one: ASAN_OPTIONS="
                      f"{env['ASAN_OPTIONS']} {a.fuzzer} FILE)")
            if seed:
                print("fuzz: again with the same seed: " + " ".join(
                    [sys.executable, *sys.argv[:1], a.fuzzer, f"--seconds {a.seconds}",
                     f"--seed {seed.group(1)}", "--seeds", *a.seeds]
                    + ([f"--lsan-suppressions {a.lsan_suppressions}"] if a.lsan_suppressions
                       else [])))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
