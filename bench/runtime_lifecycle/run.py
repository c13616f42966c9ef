#!/usr/bin/env python3
"""Runs the runtime lifecycle benchmark: libasyncabi side by side with UniFFI 0.32.2's
RustFuture, driven by the same C driver (driver.c), and prints one table.

Instructions come from callgrind on the single-threaded modes, as (I(2N) - I(N)) / N so that
process start-up and setup cancel out. Locked instructions are counted the same way: callgrind
dumps the count of every instruction address (--dump-instr=yes) of the statically linked
driver, and the driver's disassembly says which of them carry a lock prefix (or are an xchg
with memory, locked implicitly). Heap bytes per pending future are malloc's bytes in use over
100k live pending futures. Wall-clock rows are the best of R rounds after a warm-up; the
cross-thread row spins then yields, so on a loaded machine read it next to `uptime`.

The ratio column is asyncabi / UniFFI; the instruction rows must be at most 0.50 (issue 13).
"""
import argparse
import collections
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ALONE = "bench/runtime_lifecycle/bench_runtime_lifecycle"
COMPARE = "bench/runtime_lifecycle/bench_runtime_compare"
TARGET = 0.5


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


def locked_addresses(driver):
    """Addresses of the driver's instructions that are atomic read-modify-writes."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(driver)], check=True,
                         capture_output=True, text=True).stdout
    locked = set()
    for m in re.finditer(r"^\s*([0-9a-f]+):\s+(lock\b|xchg\s+\S*\()", out, re.M):
        locked.add(int(m.group(1), 16))
    return locked


def callgrind(driver, impl, mode, iters, locked):
    """(instructions, locked instructions) of one run of the driver."""
    with tempfile.TemporaryDirectory() as tmp:
        out_file = pathlib.Path(tmp) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}",
                        "--dump-instr=yes", "--dump-line=no", "--compress-pos=no",
                        "--compress-strings=no",
                        str(driver), "--impl", impl, "--mode", mode, "--iters", str(iters)],
                       check=True, capture_output=True, text=True)
        total = None
        n_locked = 0
        skip_next = False
        with open(out_file) as f:
            for line in f:
                if line.startswith("calls="):
                    skip_next = True  # the next cost line is the call's inclusive cost
                    continue
                if line.startswith("0x"):
                    if skip_next:
                        skip_next = False
                        continue
                    addr, _, count = line.partition(" ")
                    if int(addr, 16) in locked:
                        n_locked += int(count)
                elif line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
        if total is None:
            raise RuntimeError("no instruction total in callgrind output")
        return total, n_locked


def per_iteration(driver, impl, mode, n, locked):
    small = callgrind(driver, impl, mode, n, locked)
    large = callgrind(driver, impl, mode, 2 * n, locked)
    return tuple((b - a) / n for a, b in zip(small, large))


def build(build_dir, target):
    result = subprocess.run(["cmake", "--build", str(build_dir), "--target", target],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
    return result.returncode == 0


def print_table(title, header, rows):
    print(title)
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", required=True, help="the CMake build tree")
    parser.add_argument("--iters", type=int, default=50000, help="iterations per timing round")
    parser.add_argument("--rounds", type=int, default=15, help="timing rounds (best is kept)")
    parser.add_argument("--callgrind-iters", type=int, default=20000,
                        help="N for the callgrind N vs 2N runs")
    args = parser.parse_args()
    if args.iters <= 0 or args.rounds <= 0 or args.callgrind_iters <= 0:
        print("runtime_lifecycle: --iters, --rounds and --callgrind-iters must be positive",
              file=sys.stderr)
        return 2
    for tool in ("valgrind", "objdump"):
        if shutil.which(tool) is None:
            print(f"runtime_lifecycle: {tool} not found (./asyncabi setup installs it)",
                  file=sys.stderr)
            return 2
    build_dir = pathlib.Path(args.build_dir)
    if not build(build_dir, "bench_runtime_compare"):
        print("runtime_lifecycle: could not build bench_runtime_compare (needs cargo for the "
              "UniFFI baseline); nothing measured", file=sys.stderr)
        return 1
    driver = build_dir / COMPARE

    impls = ("asyncabi", "uniffi")
    locked = locked_addresses(driver)
    wall, cg = {}, collections.defaultdict(dict)
    n = args.callgrind_iters
    for impl in impls:
        wall[impl] = run_driver(driver, "--impl", impl, "--iters", str(args.iters),
                                "--rounds", str(args.rounds))
        for key, mode in (("pending", "pending-local"), ("ready", "ready-count")):
            cg[impl][key] = per_iteration(driver, impl, mode, n, locked)
    malloc_instr = per_iteration(driver, "asyncabi", "malloc-count", n, locked)[0]

    def ratio(a, b):
        return f"{a / b:.2f}" if b else "-"

    def verdict(a, b):
        return "ok" if b and a / b <= TARGET else "OVER"

    a, u = cg["asyncabi"], cg["uniffi"]
    wa, wu = wall["asyncabi"], wall["uniffi"]
    rows = [
        ("instructions / pending lifecycle (same-thread wake)", f"{a['pending'][0]:.0f}",
         f"{u['pending'][0]:.0f}", ratio(a["pending"][0], u["pending"][0]), f"<= {TARGET:.2f}",
         verdict(a["pending"][0], u["pending"][0])),
        ("instructions / ready lifecycle", f"{a['ready'][0]:.0f}", f"{u['ready'][0]:.0f}",
         ratio(a["ready"][0], u["ready"][0]), f"<= {TARGET:.2f}",
         verdict(a["ready"][0], u["ready"][0])),
        ("locked instructions / pending lifecycle", f"{a['pending'][1]:.0f}",
         f"{u['pending'][1]:.0f}", ratio(a["pending"][1], u["pending"][1]), "", ""),
        ("locked instructions / ready lifecycle", f"{a['ready'][1]:.0f}",
         f"{u['ready'][1]:.0f}", ratio(a["ready"][1], u["ready"][1]), "", ""),
        ("heap bytes / pending future (malloc, 100k live)",
         f"{wa['heap_bytes_per_pending_future']:.0f}", f"{wu['heap_bytes_per_pending_future']:.0f}",
         ratio(wa["heap_bytes_per_pending_future"], wu["heap_bytes_per_pending_future"]), "", ""),
        ("ns / pending lifecycle, wake from another thread", f"{wa['pending_cross_thread_ns']:.0f}",
         f"{wu['pending_cross_thread_ns']:.0f}",
         ratio(wa["pending_cross_thread_ns"], wu["pending_cross_thread_ns"]), "", ""),
        ("  floor: the two cross-thread signals alone", f"{wa['handoff_ns']:.0f}",
         f"{wu['handoff_ns']:.0f}", "", "", ""),
        ("ns / pending lifecycle, same-thread wake", f"{wa['pending_local_ns']:.1f}",
         f"{wu['pending_local_ns']:.1f}", ratio(wa["pending_local_ns"], wu["pending_local_ns"]),
         "", ""),
        ("ns / ready lifecycle", f"{wa['ready_ns']:.1f}", f"{wu['ready_ns']:.1f}",
         ratio(wa["ready_ns"], wu["ready_ns"]), "", ""),
    ]
    print_table(f"runtime_lifecycle: libasyncabi vs UniFFI 0.32.2 RustFuture, same C driver "
                f"(static -O2 build; callgrind N={n} vs 2N; wall: best of {args.rounds} x "
                f"{args.iters}; malloc+free {malloc_instr:.0f} instructions)",
                ("per lifecycle", "asyncabi", "UniFFI", "ratio", "target", ""), rows)
    over = [r[0] for r in rows if r[5] == "OVER"]
    if over:
        print(f"runtime_lifecycle: over the {TARGET:.2f} target: {'; '.join(over)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
