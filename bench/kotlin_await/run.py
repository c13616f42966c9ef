#!/usr/bin/env python3
"""UniFFI's generated Kotlin against the reference Python binding, on the same C library.

    python3 bench/kotlin_await/run.py --build-dir BUILD [--rounds 3] [--awaits N] [--concurrent M]

Both are measured in this run, best of --rounds each: the reference binding (runners/python,
asyncio + ctypes) here, and UniFFI 0.32.2's generated Kotlin (runners/uniffi-kotlin, one
single-threaded coroutine dispatcher) by the Kotlin runner's `--bench` mode in one JVM, after
the Python rows. Rows:
  per await: always_ready (fixtures/futures)      ready on the first poll
  10 000 concurrent sleep(0)                       gathered on one loop / dispatcher: throughput
and the floors of each side (asyncio.sleep(0) / yield(); the Kotlin adapter reaches the
generated API by reflection, whose cost per call is shown too and is part of the Kotlin rows).
Ratios are Kotlin / reference. The fixture's protocol monitor stays on for both.
"""
import argparse
import asyncio
import ctypes
import json
import pathlib
import subprocess
import sys

SOURCE = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(SOURCE / "runners" / "python"))
sys.path.insert(0, str(SOURCE / "conformance"))
sys.path.insert(0, str(SOURCE / "bench" / "python_await"))

from asyncabi_conformance import locate  # noqa: E402
from asyncabi_py.binding import Library  # noqa: E402
from run import best, concurrent, per_await  # noqa: E402  (bench/python_await/run.py)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--awaits", type=int, default=20000)
    parser.add_argument("--concurrent", type=int, default=10000)
    args = parser.parse_args()
    build = pathlib.Path(args.build_dir).resolve()
    runner_args = build / "runners" / "uniffi-kotlin" / "runner.args"
    if not runner_args.exists():
        print(f"kotlin_await: {runner_args} missing (build the target uniffi_kotlin_runner)",
              file=sys.stderr)
        return 2
    paths = locate.fixture_paths(build, "futures")
    lib = Library(paths["interface"], paths["library"])
    reset = lib.control("asyncabi_monitor_reset")
    configure = lib.control("asyncabi_fixture_configure", None, [ctypes.c_uint64, ctypes.c_double])
    if configure:
        configure(1, 1.0)

    def fresh(fn):
        def run():
            if reset:
                reset()
            return fn()
        return run

    n, m = args.awaits, args.concurrent
    py = {
        "floor": best(args.rounds, lambda: per_await(n, lambda: asyncio.sleep(0))),
        "ready": best(args.rounds, fresh(lambda: per_await(n // 4,
                                                           lambda: lib.call_async("always_ready")))),
        "cfloor": best(args.rounds, lambda: concurrent(m, lambda: asyncio.sleep(0))),
        "csleep": best(args.rounds, fresh(lambda: concurrent(m, lambda: lib.call_async("sleep",
                                                                                       [0])))),
    }
    proc = subprocess.run(
        ["java", f"@{runner_args}", "--bindings", str(build / "runners" / "uniffi-kotlin" /
                                                        "bindings"),
         "--bench", paths["library"], str(n), str(m), str(args.rounds)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
    if proc.returncode != 0:
        print(f"kotlin_await: the Kotlin bench failed: {proc.stderr.strip()[-400:]}",
              file=sys.stderr)
        return 1
    kt = json.loads(proc.stdout.strip().splitlines()[-1])
    rows = [
        ("floor: one await (asyncio.sleep(0) / yield())", py["floor"] * 1e6, kt["yield_s"] * 1e6,
         "µs"),
        ("floor: the Kotlin adapter's reflective call", None, kt["reflection_floor_s"] * 1e6, "µs"),
        ("always_ready(): one await through the C ABI", py["ready"] * 1e6,
         kt["always_ready_s"] * 1e6, "µs"),
        (f"floor: {m:,} concurrent sleep(0) / yield()", py["cfloor"] * 1e3,
         kt["concurrent_yield_s"] * 1e3, "ms"),
        (f"{m:,} concurrent sleep(0) through the C ABI", py["csleep"] * 1e3,
         kt["concurrent_sleep0_s"] * 1e3, "ms"),
    ]
    print(f"reference: runners/python (CPython asyncio + ctypes); kotlin: {kt['implementation']}")
    table = [("measurement", "reference", "uniffi-kotlin", "ratio")]
    for name, ref, kot, unit in rows:
        table.append((name, "-" if ref is None else f"{ref:.2f} {unit}", f"{kot:.2f} {unit}",
                      "-" if ref is None else f"{kot / ref:.2f}x"))
    table.append((f"{m:,} concurrent: throughput through the C ABI",
                  f"{m / py['csleep']:,.0f}/s", f"{m / kt['concurrent_sleep0_s']:,.0f}/s", ""))
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for i, row in enumerate(table):
        print("  ".join(f"{c:<{w}}" for c, w in zip(row, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
