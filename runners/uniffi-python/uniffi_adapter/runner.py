"""The stdio runner of the uniffi-python backend (docs/runner-protocol.md).

    runner.py --bindings DIR

DIR holds one folder per fixture with the module uniffi-bindgen generated from the fixture's UDL
and its bindings.json (generate.py). The protocol loop is asyncabi_runner.protocol
(runners/common-python, shared with the reference runner); this module supplies the hello, one
Generated module per (fixture, library) and the adapter's ScenarioRun.
"""
import json
import os
import pathlib
import platform
import sys

from asyncabi_runner import protocol

from . import __version__
from .bindings import BindingsMissing, Generated, manifest
from .scenario import ScenarioRun

# What UniFFI 0.32.2's generated Python really supports (docs/findings.md has what fails):
#   cancellation   Task.cancel() on the awaiting task; the generated code then frees the future
#   foreign_async  async methods of callback interfaces (vtables, complete, dropped callback)
#   threads        uniffi_set_event_loop for foreign calls from loopless threads; awaits from a
#                  second event loop
CAPABILITIES = ["cancellation", "foreign_async", "threads"]


class Runner(protocol.Runner):
    name = "uniffi-python"
    version = __version__
    capabilities = CAPABILITIES

    def __init__(self, bindings_dir: pathlib.Path, out=sys.stdout):
        super().__init__(out)
        self.bindings_dir = bindings_dir
        self.generated = {}   # (fixture, library path) -> Generated
        self.interfaces = {}  # interface.json path -> parsed

    def implementation(self):
        versions = sorted({m.get("uniffi_bindgen", "?") for m in self._manifests()})
        return (f"UniFFI {', '.join(versions) or '?'} generated Python bindings "
                f"on {platform.python_implementation()} {platform.python_version()} asyncio")

    def _manifests(self):
        found = []
        for path in sorted(self.bindings_dir.glob("*/bindings.json")):
            try:
                found.append(manifest(self.bindings_dir, path.parent.name))
            except (BindingsMissing, ValueError):
                continue
        return found

    def binding(self, fixture: str, paths: dict) -> Generated:
        key = (fixture, os.path.abspath(paths["library"]))
        if key not in self.generated:
            self.generated[key] = Generated(self.bindings_dir, fixture, paths["library"])
        return self.generated[key]

    def controls(self, gen):
        return gen.controls

    def interface(self, path: str) -> dict:
        if path not in self.interfaces:
            self.interfaces[path] = json.loads(pathlib.Path(path).read_text())
        return self.interfaces[path]

    def scenario_run(self, scenario, bindings, fixtures, time_scale):
        interfaces = {name: self.interface(fixtures[name]["interface"]) for name in bindings}
        return ScenarioRun(scenario, bindings, interfaces, time_scale)

    def close(self):
        for gen in self.generated.values():
            gen.close()


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
    return Runner(args.bindings, out=protocol.protocol_stdout()).serve()  # stdout: the protocol
