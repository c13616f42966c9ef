#!/usr/bin/env python3
"""What one await of a C future costs through each backend, on the same library, in one run.

    python3 bench/binding_await/run.py --build-dir BUILD [--rounds 3] [--awaits 5000]
        [--concurrent 10000] [--backends reference,uniffi-kotlin,...] [--json FILE]

One table, a row per backend (reference = runners/python, the suite's ctypes binding; then
UniFFI 0.32.2's generated Python, Kotlin and Ruby, and uniffi-bindgen-java 0.5.2's Java), all
against fixtures/futures built by this tree (the C producer, its protocol monitor on for every
backend: each event is recorded, so the C side is slower than a production producer). Columns,
best of --rounds each:
  floor            the language's own await without FFI (asyncio.sleep(0), yield(), Thread.pass,
                   a CompletableFuture hop onto the executor): what the binding adds is the rest
  always_ready     one awaited call of always_ready() (ready on the first poll), per await
  woken            one awaited call of say_after_with_tokio(0, "x"): pending at the first poll,
                   woken from a thread the fixture owns (--awaits / 5 awaits per round)
  ×ref             this backend's time / the reference binding's, measured in the same run
  N × sleep(0)     N calls of sleep(0) started at once, then all awaited: wall time and awaits/s,
                   beside the same batch of floors
  failures         calls that raised in a concurrent batch, by class; a batch with any is no
                   measurement (if every round failed the cell says so, never a number)
The two Python backends run here, in one process and one loop, rounds alternating between
them; each other backend runs its part in one process of its own (one JVM for Kotlin, one for
Java, one Ruby process) through its runner's `--bench` mode, which prints one JSON line
(bench/binding_await/README.md); the runner commands are conformance/backends.json's. A backend
that cannot run is a row with its error. Exit status: 0 if every backend produced every number,
1 if one failed, 2 on bad input.
"""
import argparse
import asyncio
import ctypes
import json
import math
import os
import pathlib
import subprocess
import sys
import time

SOURCE = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(SOURCE / "runners" / "python"))
sys.path.insert(0, str(SOURCE / "conformance"))
sys.path.insert(0, str(SOURCE / "runners" / "uniffi-python"))

from asyncabi_conformance import locate  # noqa: E402

BACKENDS = ("reference", "uniffi-python", "uniffi-kotlin", "uniffi-ruby", "uniffi-java")
# The build target each backend's runner needs (for the error when it is missing).
TARGETS = {"reference": "asyncabi_fixture_futures", "uniffi-python": "uniffi_python_bindings",
           "uniffi-kotlin": "uniffi_kotlin_runner", "uniffi-ruby": "uniffi_ruby_bindings",
           "uniffi-java": "uniffi_java_bindings"}
# The fixture's knobs that would change what is measured (a trace file, a slowdown, time scale).
FIXTURE_ENV = ("ASYNCABI_TRACE", "ASYNCABI_SLOWDOWN", "ASYNCABI_SEED", "ASYNCABI_TIME_SCALE")
NUMBERS = ("floor_s", "always_ready_s", "woken_s", "concurrent_floor_s", "concurrent_s")


# --- the Python side (the reference binding and UniFFI's generated Python, in this process) ---
def per_await(n, make_awaitable):
    async def main():
        start = time.perf_counter()
        for _ in range(n):
            await make_awaitable()
        return (time.perf_counter() - start) / n
    return asyncio.run(main())


def batch(n, make_awaitable, failures):
    """n awaitables gathered on one loop: the wall time, or inf with the failures counted."""
    async def main():
        start = time.perf_counter()
        results = await asyncio.gather(*(make_awaitable() for _ in range(n)),
                                       return_exceptions=True)
        return time.perf_counter() - start, results
    wall, results = asyncio.run(main())
    errors = [type(r).__name__ for r in results if isinstance(r, BaseException)]
    for name in errors:
        failures[name] = failures.get(name, 0) + 1
    return wall if not errors else math.inf


def python_backends(args, build, paths, wanted) -> dict:
    """The rows of the Python backends in `wanted`, rounds alternating between them."""
    from asyncabi_py.binding import Library
    try:
        lib = Library(paths["interface"], paths["library"])
    except Exception as exc:  # noqa: BLE001  (the library cannot be used: both rows say why)
        return {name: {"backend": name, "error": f"the reference binding cannot load the "
                       f"library: {type(exc).__name__}: {exc}"}
                for name in ("reference", "uniffi-python") if name in wanted}
    reset = lib.control("asyncabi_monitor_reset")
    configure = lib.control("asyncabi_fixture_configure", None, [ctypes.c_uint64, ctypes.c_double])
    if configure:
        configure(1, 1.0)
    calls = {}
    rows = {}
    generator = None
    if "reference" in wanted:
        calls["reference"] = (lambda: lib.call_async("always_ready"),
                              lambda: lib.call_async("say_after_with_tokio", [0, "x"]),
                              lambda: lib.call_async("sleep", [0]))
    if "uniffi-python" in wanted:
        try:
            from uniffi_adapter.bindings import Generated
            bindings = build / "runners" / "uniffi-python" / "bindings"
            module = Generated(bindings, "futures", paths["library"]).module
            generator = json.loads((bindings / "futures" / "bindings.json").read_text()).get(
                "uniffi_bindgen", "?")
            calls["uniffi-python"] = (module.always_ready,
                                      lambda: module.say_after_with_tokio(0, "x"),
                                      lambda: module.sleep(0))
        except Exception as exc:  # noqa: BLE001  (any reason the module cannot load is the row)
            rows["uniffi-python"] = {"backend": "uniffi-python", "error": f"{type(exc).__name__}: "
                                     f"{exc} (build the target {TARGETS['uniffi-python']})"}
    if not calls:
        return rows
    n, m = args.awaits, args.concurrent

    def fresh(fn):
        if reset:
            reset()  # the monitor on, its record of the last round dropped
        return fn()

    floor_failures = {}
    floor = min(per_await(n, lambda: asyncio.sleep(0)) for _ in range(args.rounds))
    cfloor = min(batch(m, lambda: asyncio.sleep(0), floor_failures) for _ in range(args.rounds))
    best = {name: {"always_ready_s": math.inf, "woken_s": math.inf, "concurrent_s": math.inf,
                   "failures": {},
                   "failed_rounds": 0, "error": None} for name in calls}
    for _ in range(args.rounds):
        for name, (ready, woken, sleep0) in calls.items():
            row = best[name]
            if row["error"]:
                continue
            try:
                row["always_ready_s"] = min(row["always_ready_s"],
                                            fresh(lambda: per_await(n, ready)))
                row["woken_s"] = min(row["woken_s"],
                                     fresh(lambda: per_await(max(1, n // 5), woken)))
                wall = fresh(lambda: batch(m, sleep0, row["failures"]))
            except Exception as exc:  # noqa: BLE001  (a binding that raised: the row's error)
                row["error"] = f"{type(exc).__name__}: {exc}"
                continue
            row["failed_rounds"] += math.isinf(wall)
            row["concurrent_s"] = min(row["concurrent_s"], wall)
    if reset:
        reset()
    implementation = {
        "reference": f"runners/python: CPython {sys.version.split()[0]} asyncio + ctypes",
        "uniffi-python": f"UniFFI {generator} generated Python on CPython "
                         f"{sys.version.split()[0]} asyncio",
    }
    for name, row in best.items():
        if row["error"]:
            rows[name] = {"backend": name, "error": row["error"]}
            continue
        failures = dict(row["failures"])
        failures.update({f"{k} (floor)": v for k, v in floor_failures.items()})
        rows[name] = {
            "backend": name, "implementation": implementation[name],
            "floor": "asyncio.sleep(0)", "floor_s": floor,
            "always_ready_s": row["always_ready_s"], "woken_s": row["woken_s"], "concurrent": m,
            "concurrent_floor_s": None if math.isinf(cfloor) else cfloor,
            "concurrent_s": None if math.isinf(row["concurrent_s"]) else row["concurrent_s"],
            "failures": failures, "failed_rounds": row["failed_rounds"], "rounds": args.rounds,
        }
    return rows


# --- the other backends: their runner's --bench mode, one process each ----------------------
def runner_backend(name, args, build, paths, env) -> dict:
    spec = locate.backends().get(name)
    if spec is None:
        return {"backend": name, "error": "not in conformance/backends.json"}
    command = locate.expand_command(spec["command"], build) + [
        "--bench", paths["library"], str(args.awaits), str(args.concurrent), str(args.rounds)]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=args.timeout, env=env)
    except FileNotFoundError as exc:
        return {"backend": name, "error": f"cannot start {exc.filename} (build the target "
                                          f"{TARGETS[name]})"}
    except subprocess.TimeoutExpired:
        return {"backend": name, "error": f"no answer within {args.timeout:g} s"}
    last = (proc.stderr.strip().splitlines()[-1:] or [""])[0][:300]
    exited = f"exit {proc.returncode}" + (f": {last}" if last else "")
    try:
        row = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        row = None
    if not isinstance(row, dict):
        if proc.returncode != 0:
            return {"backend": name, "error": exited}
        return {"backend": name, "error": f"no JSON line on stdout: {proc.stdout.strip()[-200:]!r}"}
    if row.get("backend") != name:
        return {"backend": name, "error": f"the runner answered for {row.get('backend')!r}"}
    if proc.returncode != 0:
        # Its numbers were printed before it failed: they stay, and so does the failure.
        row["process_failure"] = f"{exited} (after printing its result)"
    return row


# --- the table --------------------------------------------------------------------------------
def complete(row) -> bool:
    """Every number present, finite and positive."""
    return not row.get("error") and not row.get("process_failure") and all(
        isinstance(row.get(k), (int, float)) and math.isfinite(row[k]) and row[k] > 0
        for k in NUMBERS)


def render(rows, ref, m) -> list:
    def us(v):
        return "error" if v is None else f"{v * 1e6:.2f}"

    def ms(v):
        return "error" if v is None else f"{v * 1e3:.1f}"

    def ratio(v, base):
        return "-" if v is None or base is None else f"{v / base:.2f}x"

    def failures(row):
        text = []
        if row.get("failures"):
            text.append(", ".join(f"{k} x{v}" for k, v in row["failures"].items()) +
                        f" ({row.get('failed_rounds', 0)} of {row.get('rounds')} rounds failed)")
        if row.get("process_failure"):
            text.append(f"process: {row['process_failure']}")
        return "; ".join(text) or "none"

    head = ["backend", "floor µs", "always_ready µs", "×ref", "woken µs", "×ref", "floor ms",
            "sleep(0) ms", "awaits/s", "×ref", "failures"]
    table = []
    for row in rows:
        if row.get("error"):
            table.append([row["backend"], f"ERROR: {row['error']}"])
            continue
        c = row.get("concurrent_s")
        table.append([row["backend"], us(row.get("floor_s")), us(row.get("always_ready_s")),
                      ratio(row.get("always_ready_s"), ref and ref.get("always_ready_s")),
                      us(row.get("woken_s")), ratio(row.get("woken_s"), ref and ref.get("woken_s")),
                      ms(row.get("concurrent_floor_s")),
                      ms(c) if c is not None else "error (see failures)",
                      f"{m / c:,.0f}" if c else "-",
                      ratio(c, ref and ref.get("concurrent_s")), failures(row)])
    full = [r for r in table if len(r) == len(head)]
    widths = [max([len(h)] + [len(r[i]) for r in full]) for i, h in enumerate(head)]
    right = set(range(1, len(head) - 1))

    def line(cells):
        out = []
        for i, cell in enumerate(cells):
            if len(cells) == 2 and i == 1:
                out.append(cell)
            elif i in right:
                out.append(f"{cell:>{widths[i]}}")
            else:
                out.append(f"{cell:<{widths[i]}}")
        return "  ".join(out).rstrip()

    def group(title, first, last):
        span = sum(widths[first:last + 1]) + 2 * (last - first)
        return f" {title} ".center(span, "-")

    groups = " " * widths[0] + "  " + group("one await", 1, 5) + "  " + \
        group(f"{m:,} concurrent, per batch", 6, 9)
    lines = [groups, line(head), line(["-" * min(w, 8) if i == len(head) - 1 else "-" * w
                                       for i, w in enumerate(widths)])]
    lines += [line(r) for r in table]
    return lines


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--awaits", type=int, default=5000, help="awaits per per-await round")
    parser.add_argument("--concurrent", type=int, default=10000, help="calls per concurrent batch")
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help=f"comma-separated, in table order (default: {','.join(BACKENDS)})")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per backend process")
    parser.add_argument("--json", type=pathlib.Path, help="also write the rows here")
    args = parser.parse_args()
    wanted = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in wanted if b not in BACKENDS]
    if unknown or not wanted or min(args.rounds, args.awaits, args.concurrent) < 1:
        print(f"binding_await: backends are {', '.join(BACKENDS)} (got {', '.join(unknown) or '-'});"
              " --rounds, --awaits, --concurrent must be at least 1", file=sys.stderr)
        return 2
    build = pathlib.Path(args.build_dir).resolve()
    try:
        paths = locate.fixture_paths(build, "futures")
    except FileNotFoundError as exc:
        print(f"binding_await: {exc}", file=sys.stderr)
        return 2
    for var in FIXTURE_ENV:  # the fixture's defaults, in this process and every runner
        os.environ.pop(var, None)
    env = dict(os.environ)
    load_start = loadavg()
    started = time.perf_counter()
    rows = python_backends(args, build, paths, wanted)
    for name in wanted:
        if name not in ("reference", "uniffi-python"):
            rows[name] = runner_backend(name, args, build, paths, env)
    rows = [rows[name] for name in wanted]
    load_end = loadavg()
    ref = next((r for r in rows if r["backend"] == "reference" and complete(r)), None)
    m = args.concurrent
    print(f"One await of a C future per backend: fixtures/futures ({paths['library']}), the C "
          f"producer with its protocol monitor ON for every backend; best of {args.rounds} rounds; "
          f"{args.awaits:,} awaits per per-await round, {m:,} calls per concurrent batch; "
          f"×ref = backend / reference, same run.")
    print(f"machine: {os.cpu_count()} CPUs; load average (1, 5, 15 min) {load_start} before "
          f"the run, {load_end} after it (which counts the run's own "
          f"threads too); {time.perf_counter() - started:.0f} s in all.")
    print()
    for text in render(rows, ref, m):
        print(text)
    print()
    for row in rows:
        if row.get("error"):
            continue
        note = f"{row['backend']}: {row.get('implementation', '?')}; floor = {row.get('floor', '?')}"
        if row.get("dispatch_floor_s") is not None:
            note += (f"; always_ready includes the bench's reflective dispatch "
                     f"({row['dispatch_floor_s'] * 1e6:.2f} µs per call of a no-op)")
        print(note)
    if args.json:
        args.json.write_text(json.dumps({"load_start": load_start, "load_end": load_end,
                                         "cpus": os.cpu_count(), "rounds": args.rounds,
                                         "awaits": args.awaits, "concurrent": m,
                                         "rows": rows}, indent=1) + "\n")
    return 0 if all(complete(r) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
