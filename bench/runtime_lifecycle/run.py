#!/usr/bin/env python3
"""Runs the runtime lifecycle benchmark and prints one table.

Wall-clock ns/op come from the driver (the best of R rounds, after a warm-up; the minimum
filters out rounds in which another process preempted one of the spinning threads); instruction
counts come from callgrind on the single-threaded modes, as (I(2N) - I(N)) / N so that process
start-up and setup cancel out. Baselines are measured in the same run: the cross-thread
round trip alone (the floor of any "wake from another thread" lifecycle) and malloc + free of
the core's size.
"""
import argparse
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

DRIVER = "bench/runtime_lifecycle/bench_runtime_lifecycle"


def run_driver(driver, *args):
    out = subprocess.run([str(driver), *args], check=True, capture_output=True, text=True).stdout
    values = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        try:
            values[key] = float(value)
        except ValueError:
            values[key] = value
    return values


def callgrind_instructions(driver, mode, iters, impl):
    with tempfile.TemporaryDirectory() as tmp:
        out_file = pathlib.Path(tmp) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}",
                        str(driver), "--impl", impl, "--mode", mode, "--iters", str(iters)],
                       check=True, capture_output=True, text=True)
        text = out_file.read_text()
        match = re.search(r"^(?:summary|totals):\s+(\d+)", text, re.M)
        if not match:
            raise RuntimeError("no instruction total in callgrind output")
        return int(match.group(1))


def per_iteration(driver, mode, n, impl):
    small = callgrind_instructions(driver, mode, n, impl)
    large = callgrind_instructions(driver, mode, 2 * n, impl)
    return (large - small) / n


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", required=True, help="the CMake build tree")
    parser.add_argument("--impl", default="asyncabi", help="the bench_abi to measure")
    parser.add_argument("--iters", type=int, default=50000, help="iterations per timing round")
    parser.add_argument("--rounds", type=int, default=15, help="timing rounds (best is kept)")
    parser.add_argument("--callgrind-iters", type=int, default=20000,
                        help="N for the callgrind N vs 2N runs (0 skips callgrind)")
    args = parser.parse_args()

    driver = pathlib.Path(args.build_dir) / DRIVER
    if not driver.exists():
        print(f"runtime_lifecycle: {driver} not built (ninja -C {args.build_dir} "
              "bench_runtime_lifecycle)", file=sys.stderr)
        return 2
    v = run_driver(driver, "--impl", args.impl, "--iters", str(args.iters),
                   "--rounds", str(args.rounds))

    instr = {}
    if args.callgrind_iters and shutil.which("valgrind"):
        n = args.callgrind_iters
        instr["pending"] = per_iteration(driver, "pending-local", n, args.impl)
        instr["ready"] = per_iteration(driver, "ready-count", n, args.impl)
        instr["malloc"] = per_iteration(driver, "malloc-count", n, args.impl)

    pending, handoff = v["pending_cross_thread_ns"], v["handoff_ns"]
    ready, malloc_ns = v["ready_ns"], v["malloc_free_ns"]
    rows = [
        ("pending lifecycle, wake from another thread", f"{pending:.1f} ns",
         f"handoff {handoff:.1f} ns", f"{pending / handoff:.2f}x"),
        ("  runtime overhead (pending - handoff)", f"{pending - handoff:.1f} ns", "budget 300 ns",
         "ok" if pending - handoff <= 300 else "OVER"),
        ("pending lifecycle, wake on same thread", f"{v['pending_local_ns']:.1f} ns",
         f"malloc+free {malloc_ns:.1f} ns", f"{v['pending_local_ns'] / malloc_ns:.1f}x"),
        ("always-ready lifecycle", f"{ready:.1f} ns", f"malloc+free {malloc_ns:.1f} ns",
         f"{ready / malloc_ns:.1f}x"),
    ]
    if instr:
        rows += [
            ("instructions / pending lifecycle (callgrind)", f"{instr['pending']:.0f}",
             f"malloc+free {instr['malloc']:.0f}", f"{instr['pending'] / instr['malloc']:.1f}x"),
            ("instructions / ready lifecycle (callgrind)", f"{instr['ready']:.0f}",
             f"malloc+free {instr['malloc']:.0f}", f"{instr['ready'] / instr['malloc']:.1f}x"),
        ]
    static = int(v["bytes_per_future_static"])
    rows += [
        ("bytes / pending future (sizeof core + slot)", f"{static} B", "budget 128 B",
         "ok" if static <= 128 else "OVER"),
        ("bytes / pending future (RSS over 100k)", f"{v['rss_bytes_per_pending_future']:.1f} B",
         "budget 128 B (+ malloc header)", ""),
    ]
    print(f"runtime_lifecycle: impl {v['impl']}, {args.iters} iterations per round, "
          f"best of {args.rounds}")
    widths = [max(len(str(r[i])) for r in rows + [("metric", "value", "baseline", "ratio")])
              for i in range(4)]
    header = ("metric", "value", "baseline", "ratio")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
