"""The stdio runner of the Python backend (docs/runner-protocol.md).

The protocol loop is asyncabi_runner.protocol (runners/common-python, shared with
runners/uniffi-python); this module supplies the hello, one `Library` per fixture library (a
mutant's subclass with `--mutant NAME`) and the binding's ScenarioRun.
"""
import os
import pathlib
import platform
import sys

from asyncabi_runner import protocol

from . import __version__
from .binding import Library
from .scenario import ScenarioRun

CAPABILITIES = ["cancellation", "foreign_async", "threads", "async_primary_constructor"]
REPO = pathlib.Path(__file__).resolve().parents[3]


def load_mutant(name):
    """The Library subclass of a named mutant (conformance/mutants/python_mutants.py)."""
    if not name:
        return Library, None
    sys.path.insert(0, str(REPO / "conformance" / "mutants"))
    import python_mutants  # noqa: E402 (only on request: the real backend never imports it)
    return python_mutants.library_class(name), python_mutants.MUTANTS[name]


class Runner(protocol.Runner):
    version = __version__
    capabilities = CAPABILITIES

    def __init__(self, mutant=None, out=sys.stdout):
        super().__init__(out)
        self.library_class, self.mutant = load_mutant(mutant)
        self.mutant_name = mutant
        self.name = "python-asyncio" + (f"~{mutant}" if mutant else "")
        self.libraries = {}  # path -> Library (a shared object is loaded once per process)

    def implementation(self):
        return (f"{platform.python_implementation()} {platform.python_version()} "
                "asyncio + ctypes")

    def hello_extra(self):
        return {"mutant": self.mutant_name}

    def binding(self, fixture, paths):
        path = paths["library"]
        if path not in self.libraries:
            self.libraries[path] = self.library_class(paths["interface"], path)
        return self.libraries[path]

    def controls(self, lib):
        return lib.cdll

    def scenario_run(self, scenario, bindings, fixtures, time_scale):
        return ScenarioRun(scenario, bindings, time_scale)


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mutant", default=os.environ.get("ASYNCABI_PY_MUTANT") or None,
                        help="run a deliberately broken variant (conformance/mutants)")
    args = parser.parse_args(argv)
    # stdout carries the protocol only: keep stray prints of the binding off it.
    return Runner(args.mutant, out=protocol.protocol_stdout()).serve()
