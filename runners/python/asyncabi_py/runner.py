"""The stdio runner of the Python backend (docs/runner-protocol.md).

Reads one JSON request per line on stdin, writes one JSON answer per line on stdout: first a
hello, then one result per run request. Anything else the process prints goes to stderr.
"""
import ctypes
import json
import os
import pathlib
import platform
import sys
import time
import traceback

from . import __version__
from .binding import Library
from .scenario import ScenarioRun

PROTOCOL_VERSION = 1
CAPABILITIES = ["cancellation", "foreign_async", "threads", "async_primary_constructor"]
REPO = pathlib.Path(__file__).resolve().parents[3]


def load_mutant(name):
    """The Library subclass of a named mutant (conformance/mutants/python_mutants.py)."""
    if not name:
        return Library, None
    sys.path.insert(0, str(REPO / "conformance" / "mutants"))
    import python_mutants  # noqa: E402 (only on request: the real backend never imports it)
    return python_mutants.library_class(name), python_mutants.MUTANTS[name]


class Runner:
    def __init__(self, mutant=None, out=sys.stdout):
        self.library_class, self.mutant = load_mutant(mutant)
        self.mutant_name = mutant
        self.libraries = {}  # path -> Library (a shared object is loaded once per process)
        self.out = out

    def hello(self):
        name = "python-asyncio" + (f"~{self.mutant_name}" if self.mutant_name else "")
        return {"hello": {
            "name": name, "version": __version__, "language": "python",
            "implementation": f"{platform.python_implementation()} {platform.python_version()} "
                              "asyncio + ctypes",
            "protocol": PROTOCOL_VERSION, "capabilities": CAPABILITIES,
            "mutant": self.mutant_name}}

    def send(self, message):
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def library(self, fixture):
        path = fixture["library"]
        if path not in self.libraries:
            self.libraries[path] = self.library_class(fixture["interface"], path)
        return self.libraries[path]

    def run(self, request):
        scenario = request["scenario"]
        seed = int(request.get("seed", 0))
        time_scale = float(request.get("time_scale", 1.0))
        libraries = {name: self.library(request["fixtures"][name])
                     for name in scenario["fixtures"]}
        for lib in libraries.values():
            _monitor_begin(lib, scenario["id"], seed, time_scale, scenario.get("fixture_mode"))
        start = time.monotonic()
        steps = ScenarioRun(scenario, libraries, time_scale).run()
        elapsed = round((time.monotonic() - start) * 1000, 3)
        monitor = {name: _monitor_end(lib) for name, lib in libraries.items()}
        return {"result": {"id": request.get("id"), "steps": steps, "elapsed_ms": elapsed,
                           "monitor": monitor}}

    def serve(self, stdin=sys.stdin):
        self.send(self.hello())
        for line in stdin:
            line = line.strip()
            if not line:
                continue
            try:
                message = json.loads(line)
            except ValueError as exc:
                self.send({"error": {"id": None, "message": f"bad JSON: {exc}"}})
                continue
            if "stop" in message:
                break
            request = message.get("run")
            if request is None:
                self.send({"error": {"id": None, "message": f"unknown request {sorted(message)}"}})
                continue
            try:
                self.send(self.run(request))
            except Exception as exc:
                traceback.print_exc(file=sys.stderr)
                self.send({"error": {"id": request.get("id"),
                                     "message": f"{type(exc).__name__}: {exc}"}})
        return 0


def _monitor_begin(lib, scenario_id, seed, time_scale, mode=None):
    configure = lib.control("asyncabi_fixture_configure", None, [ctypes.c_uint64, ctypes.c_double])
    reset = lib.control("asyncabi_monitor_reset")
    set_scenario = lib.control("asyncabi_monitor_set_scenario", None, [ctypes.c_char_p])
    set_mode = lib.control("asyncabi_fixture_set_mode", ctypes.c_int, [ctypes.c_char_p])
    if configure:
        configure(seed, time_scale)
    if reset:
        reset()
    if set_scenario:
        set_scenario(scenario_id.encode())
    if mode and set_mode and set_mode(mode.encode()) != 0:
        raise ValueError(f"{lib.path}: unknown fixture mode {mode!r}")


def _monitor_end(lib):
    finish = lib.control("asyncabi_monitor_finish", ctypes.c_uint32)
    report = lib.control("asyncabi_monitor_report_json", ctypes.c_void_p)
    free_string = lib.control("asyncabi_monitor_free_string", None, [ctypes.c_void_p])
    if not (finish and report):
        return None
    finish()
    pointer = report()
    if not pointer:
        return None
    try:
        return json.loads(ctypes.string_at(pointer).decode("utf-8", "replace"))
    finally:
        if free_string:
            free_string(pointer)


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mutant", default=os.environ.get("ASYNCABI_PY_MUTANT") or None,
                        help="run a deliberately broken variant (conformance/mutants)")
    args = parser.parse_args(argv)
    # stdout carries the protocol only: keep stray prints of the binding off it.
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr
    return Runner(args.mutant, out=protocol_out).serve()
