"""The stdio protocol loop of every runner written in Python (docs/runner-protocol.md).

Reads one JSON request per line on stdin, writes one JSON answer per line on stdout: first a
hello, then one result (or error) per run request, in order; `stop` or the end of stdin ends
it. Around each scenario it configures the fixtures and reads their monitors through the
fixtures' control exports. A backend subclasses `Runner` and supplies:

  name, implementation()        the hello's `name` and `implementation`
  capabilities                  what the backend supports beyond awaiting a call
  binding(fixture, paths)       its object for a fixture ({"library", "interface"} paths),
                                loaded once per process
  controls(binding)             the ctypes library of a binding's object, for the control
                                exports (configure, the monitor) that are not part of its API
  scenario_run(scenario,        a ScenarioRun (asyncabi_runner.steps) of the backend
               bindings, fixtures, time_scale)
  close()                       optional: the session ends
"""
import ctypes
import json
import os
import sys
import time
import traceback

PROTOCOL_VERSION = 1


class Runner:
    name = None
    version = None
    capabilities = []

    def __init__(self, out=sys.stdout):
        self.out = out

    # --- the backend's part ------------------------------------------------------------------
    def implementation(self) -> str:
        raise NotImplementedError

    def hello_extra(self) -> dict:
        """Fields of the hello beyond the protocol's."""
        return {}

    def binding(self, fixture: str, paths: dict):
        raise NotImplementedError

    def controls(self, binding) -> ctypes.CDLL:
        raise NotImplementedError

    def scenario_run(self, scenario: dict, bindings: dict, fixtures: dict, time_scale: float):
        raise NotImplementedError

    def close(self) -> None:
        """The session has ended."""

    # --- the protocol ------------------------------------------------------------------------
    def hello(self):
        return {"hello": dict({
            "name": self.name, "version": self.version, "language": "python",
            "implementation": self.implementation(), "protocol": PROTOCOL_VERSION,
            "capabilities": list(self.capabilities)}, **self.hello_extra())}

    def send(self, message):
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def run(self, request):
        scenario = request["scenario"]
        seed = int(request.get("seed", 0))
        time_scale = float(request.get("time_scale", 1.0))
        fixtures = request["fixtures"]
        bindings = {name: self.binding(name, fixtures[name]) for name in scenario["fixtures"]}
        controls = {name: self.controls(binding) for name, binding in bindings.items()}
        for name, lib in controls.items():
            monitor_begin(lib, f"{name} ({fixtures[name]['library']})", scenario["id"], seed,
                          time_scale, scenario.get("fixture_mode"))
        start = time.monotonic()
        steps = self.scenario_run(scenario, bindings, fixtures, time_scale).run()
        elapsed = round((time.monotonic() - start) * 1000, 3)
        monitor = {name: monitor_end(lib) for name, lib in controls.items()}
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
        self.close()
        return 0


def protocol_stdout():
    """A stream on the process's stdout for the protocol alone: from now on `print` and stray
    writes of the binding go to stderr."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr
    return out


def control(lib, symbol, restype=None, argtypes=()):
    """A plain C export of a ctypes library, or None if the library lacks it."""
    try:
        fn = getattr(lib, symbol)
    except AttributeError:
        return None
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


def monitor_begin(lib, label, scenario_id, seed, time_scale, mode=None):
    """asyncabi_fixture_configure, asyncabi_monitor_reset, asyncabi_monitor_set_scenario and
    asyncabi_fixture_set_mode, where the library has them."""
    configure = control(lib, "asyncabi_fixture_configure", None, [ctypes.c_uint64, ctypes.c_double])
    reset = control(lib, "asyncabi_monitor_reset")
    set_scenario = control(lib, "asyncabi_monitor_set_scenario", None, [ctypes.c_char_p])
    set_mode = control(lib, "asyncabi_fixture_set_mode", ctypes.c_int, [ctypes.c_char_p])
    if configure:
        configure(seed, time_scale)
    if reset:
        reset()
    if set_scenario:
        set_scenario(scenario_id.encode())
    # A mode the library does not know (or cannot set) is left to the harness: it fails the
    # run as a precondition unless the monitor's report says the mode was on.
    if mode and set_mode and set_mode(mode.encode()) != 0:
        raise ValueError(f"{label}: unknown fixture mode {mode!r}")


def monitor_end(lib):
    """The monitor's report (asyncabi_monitor_finish, _report_json), or None without one."""
    finish = control(lib, "asyncabi_monitor_finish", ctypes.c_uint32)
    report = control(lib, "asyncabi_monitor_report_json", ctypes.c_void_p)
    free_string = control(lib, "asyncabi_monitor_free_string", None, [ctypes.c_void_p])
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
