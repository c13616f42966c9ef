"""The stdio runner of the uniffi-python backend (docs/runner-protocol.md): the protocol loop.

    runner.py --bindings DIR

DIR holds one folder per fixture with the module uniffi-bindgen generated from the fixture's UDL
and its bindings.json (generate.py). Reads one JSON request per line on stdin, writes one JSON
answer per line on stdout; anything else goes to stderr.
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
from .bindings import BindingsMissing, Generated, manifest
from .scenario import ScenarioRun

PROTOCOL_VERSION = 1
# What UniFFI 0.32.2's generated Python really supports (docs/findings.md has what fails):
#   cancellation   Task.cancel() on the awaiting task; the generated code then frees the future
#   foreign_async  async methods of callback interfaces (vtables, complete, dropped callback)
#   threads        uniffi_set_event_loop for foreign calls from loopless threads; awaits from a
#                  second event loop
CAPABILITIES = ["cancellation", "foreign_async", "threads"]


class Runner:
    def __init__(self, bindings_dir: pathlib.Path, out=sys.stdout):
        self.bindings_dir = bindings_dir
        self.generated = {}   # (fixture, library path) -> Generated
        self.interfaces = {}  # interface.json path -> parsed
        self.out = out

    def hello(self):
        versions = sorted({m.get("uniffi_bindgen", "?") for m in self._manifests()})
        return {"hello": {
            "name": "uniffi-python", "version": __version__, "language": "python",
            "implementation": f"UniFFI {', '.join(versions) or '?'} generated Python bindings "
                              f"on {platform.python_implementation()} "
                              f"{platform.python_version()} asyncio",
            "protocol": PROTOCOL_VERSION, "capabilities": CAPABILITIES}}

    def _manifests(self):
        found = []
        for path in sorted(self.bindings_dir.glob("*/bindings.json")):
            try:
                found.append(manifest(self.bindings_dir, path.parent.name))
            except (BindingsMissing, ValueError):
                continue
        return found

    def send(self, message):
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def module_for(self, fixture: str, paths: dict) -> Generated:
        key = (fixture, os.path.abspath(paths["library"]))
        if key not in self.generated:
            self.generated[key] = Generated(self.bindings_dir, fixture, paths["library"])
        return self.generated[key]

    def interface(self, path: str) -> dict:
        if path not in self.interfaces:
            self.interfaces[path] = json.loads(pathlib.Path(path).read_text())
        return self.interfaces[path]

    def run(self, request):
        scenario = request["scenario"]
        seed = int(request.get("seed", 0))
        time_scale = float(request.get("time_scale", 1.0))
        fixtures = request["fixtures"]
        generated = {name: self.module_for(name, fixtures[name]) for name in scenario["fixtures"]}
        interfaces = {name: self.interface(fixtures[name]["interface"])
                      for name in scenario["fixtures"]}
        for gen in generated.values():
            _monitor_begin(gen, scenario["id"], seed, time_scale, scenario.get("fixture_mode"))
        start = time.monotonic()
        steps = ScenarioRun(scenario, generated, interfaces, time_scale).run()
        elapsed = round((time.monotonic() - start) * 1000, 3)
        monitor = {name: _monitor_end(gen) for name, gen in generated.items()}
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
        for gen in self.generated.values():
            gen.close()
        return 0


def _monitor_begin(gen, scenario_id, seed, time_scale, mode=None):
    configure = gen.control("asyncabi_fixture_configure", None, [ctypes.c_uint64, ctypes.c_double])
    reset = gen.control("asyncabi_monitor_reset")
    set_scenario = gen.control("asyncabi_monitor_set_scenario", None, [ctypes.c_char_p])
    set_mode = gen.control("asyncabi_fixture_set_mode", ctypes.c_int, [ctypes.c_char_p])
    if configure:
        configure(seed, time_scale)
    if reset:
        reset()
    if set_scenario:
        set_scenario(scenario_id.encode())
    # A mode the library does not know (or cannot set) is left to the harness: it fails the
    # run as a precondition unless the monitor's report says the mode was on.
    if mode and set_mode and set_mode(mode.encode()) != 0:
        raise ValueError(f"{gen.fixture}: unknown fixture mode {mode!r}")


def _monitor_end(gen):
    finish = gen.control("asyncabi_monitor_finish", ctypes.c_uint32)
    report = gen.control("asyncabi_monitor_report_json", ctypes.c_void_p)
    free_string = gen.control("asyncabi_monitor_free_string", None, [ctypes.c_void_p])
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
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bindings", required=True, type=pathlib.Path,
                        help="the folder of generated bindings (one folder per fixture)")
    args = parser.parse_args(argv)
    if not args.bindings.is_dir():
        print(f"uniffi-python: no generated bindings at {args.bindings} "
              "(build the target uniffi_python_bindings)", file=sys.stderr)
        return 2
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr  # stdout carries the protocol only
    return Runner(args.bindings, out=protocol_out).serve()
