#!/usr/bin/env python3
"""Python backend overhead: what one await of a C future costs, next to asyncio's own floor.

    python3 bench/python_await/run.py --build-dir BUILD [--quick] [--no-conform]

Rows (each measured in this run, best of --rounds):
  baseline  await asyncio.sleep(0)                  one trip through the event loop
  baseline  await an already-done asyncio.Future    the cheapest possible await
  always_ready  (fixtures/futures)                  export + poll + READY callback +
                                                    call_soon_threadsafe + complete + free
  10 000 concurrent sleep(0) / asyncio.sleep(0)     gathered on one loop: throughput
  full Python conformance run                       ./asyncabi conform wall time
and, side by side, UniFFI's generated Python (runners/uniffi-python) against the reference
ctypes binding (runners/python) on the same library, as ratios (generated / reference):
  always_ready                                      ready on the first poll
  say_after_with_tokio(0, ..)                       woken from a producer thread the fixture owns
  10 000 concurrent sleep(0)                        gathered on one loop
Rounds alternate between the two bindings and each row keeps its best round, so drift in the
machine's load hits both alike.
The fixture's protocol monitor stays on (it records every event), so the C side is slower
than a production producer would be; the baseline rows have no such cost.
"""
import argparse
import asyncio
import ctypes
import pathlib
import subprocess
import sys
import time

SOURCE = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(SOURCE / "runners" / "python"))
sys.path.insert(0, str(SOURCE / "conformance"))
sys.path.insert(0, str(SOURCE / "runners" / "uniffi-python"))

from asyncabi_conformance import locate  # noqa: E402
from asyncabi_py.binding import Library  # noqa: E402
from uniffi_adapter.bindings import BindingsMissing, Generated  # noqa: E402


def best(rounds, fn):
    return min(fn() for _ in range(rounds))


def per_await(n, make_awaitable):
    async def main():
        start = time.perf_counter()
        for _ in range(n):
            await make_awaitable()
        return (time.perf_counter() - start) / n
    return asyncio.run(main())


def concurrent(n, make_awaitable):
    async def main():
        start = time.perf_counter()
        await asyncio.gather(*(make_awaitable() for _ in range(n)))
        return time.perf_counter() - start
    return asyncio.run(main())


def done_future():
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    future.set_result(None)
    return future


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--awaits", type=int, default=20000)
    parser.add_argument("--concurrent", type=int, default=10000)
    parser.add_argument("--no-conform", action="store_true", help="skip the conformance run")
    parser.add_argument("--uniffi-bindings", default=None,
                        help="generated bindings (default: BUILD/runners/uniffi-python/bindings)")
    args = parser.parse_args()
    build = pathlib.Path(args.build_dir).resolve()
    try:
        paths = locate.fixture_paths(build, "futures")
    except FileNotFoundError as exc:
        print(f"python_await: {exc}", file=sys.stderr)
        return 2
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
    rows = []
    t_sleep0 = best(args.rounds, lambda: per_await(n, lambda: asyncio.sleep(0)))
    t_done = best(args.rounds, lambda: per_await(n, done_future))
    t_ready = best(args.rounds, fresh(lambda: per_await(n // 4, lambda: lib.call_async("always_ready"))))
    rows.append(("baseline: await asyncio.sleep(0)", f"{t_sleep0 * 1e6:.2f} µs/await", "1.0x"))
    rows.append(("baseline: await a done asyncio.Future", f"{t_done * 1e6:.2f} µs/await",
                 f"{t_done / t_sleep0:.1f}x"))
    rows.append(("always_ready() through the C ABI", f"{t_ready * 1e6:.2f} µs/await",
                 f"{t_ready / t_sleep0:.1f}x"))
    c_base = best(args.rounds, lambda: concurrent(m, lambda: asyncio.sleep(0)))
    c_ffi = best(args.rounds, fresh(lambda: concurrent(m, lambda: lib.call_async("sleep", [0]))))
    rows.append((f"baseline: {m:,} concurrent asyncio.sleep(0)",
                 f"{c_base * 1e3:.1f} ms  ({m / c_base:,.0f} awaits/s)", "1.0x"))
    rows.append((f"{m:,} concurrent sleep(0) through the C ABI",
                 f"{c_ffi * 1e3:.1f} ms  ({m / c_ffi:,.0f} awaits/s)", f"{c_ffi / c_base:.1f}x"))
    try:
        generated = Generated(pathlib.Path(args.uniffi_bindings or
                                           build / "runners" / "uniffi-python" / "bindings"),
                              "futures", paths["library"])
    except (BindingsMissing, OSError, AttributeError) as exc:
        print(f"python_await: UniFFI's generated bindings cannot be loaded: {exc}",
              file=sys.stderr)
        return 2
    side = side_by_side(args, lib, generated.module, fresh)
    if reset:
        reset()
    if not args.no_conform:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(SOURCE / "conformance" / "conform.py"),
                               "--build-dir", str(build), "--backend", "python", "--producer", "c",
                               "--mutants", "none", "--json", str(build / "bench-conform.json"),
                               "--html", str(build / "bench-conform.html"),
                               "--junit", str(build / "bench-conform.xml")],
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
        verdict = "pass" if proc.returncode == 0 else f"FAIL (exit {proc.returncode})"
        rows.append(("full Python conformance run (seed 1, no mutants)", f"{wall:.1f} s wall",
                     verdict))

    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"{'measurement':<{width}}  {'result':<{vwidth}}  vs baseline")
    print(f"{'-' * width}  {'-' * vwidth}  -----------")
    for name, value, ratio in rows:
        print(f"{name:<{width}}  {value:<{vwidth}}  {ratio}")
    print()
    print("UniFFI 0.32.2 generated Python vs the reference binding (same library, same loop)")
    cols = ("measurement", "reference", "uniffi-python", "ratio")
    table = [cols] + side
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for i, row in enumerate(table):
        print("  ".join(f"{c:<{w}}" for c, w in zip(row, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    return 0


def side_by_side(args, lib, module, fresh) -> list:
    """Rows (name, reference, uniffi-python, ratio) measured with alternating rounds."""
    n, m = args.awaits, args.concurrent
    woken = max(200, n // 20)
    cases = [
        ("always_ready", "µs/await", 1e6 / (n // 4),
         lambda: per_await(n // 4, lambda: lib.call_async("always_ready")) * (n // 4),
         lambda: per_await(n // 4, module.always_ready) * (n // 4)),
        ("woken from a producer thread (say_after_with_tokio(0))", "µs/await", 1e6 / woken,
         lambda: per_await(woken, lambda: lib.call_async("say_after_with_tokio", [0, "x"]))
         * woken,
         lambda: per_await(woken, lambda: module.say_after_with_tokio(0, "x")) * woken),
        (f"{m:,} concurrent sleep(0)", "ms", 1e3,
         lambda: concurrent(m, lambda: lib.call_async("sleep", [0])),
         lambda: concurrent(m, lambda: module.sleep(0))),
    ]
    rows = []
    for name, unit, scale, reference, generated in cases:
        ref_best = gen_best = float("inf")
        for _ in range(args.rounds):
            ref_best = min(ref_best, fresh(reference)())
            gen_best = min(gen_best, fresh(generated)())
        rows.append((name, f"{ref_best * scale:.2f} {unit}", f"{gen_best * scale:.2f} {unit}",
                     f"{gen_best / ref_best:.2f}x"))
    return rows


if __name__ == "__main__":
    sys.exit(main())
