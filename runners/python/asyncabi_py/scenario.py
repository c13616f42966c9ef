"""The reference binding's part of performing a scenario (conformance/scenarios/*.json).

What each step means lives once, in asyncabi_runner.steps (runners/common-python), shared with
runners/uniffi-python; this module supplies only what depends on the binding: calling an
export of a `Library`, its typed errors and `UnexpectedError`, `ObjectRef`s (dropped
explicitly, as a garbage collector would) and foreign objects with the binding's values.
"""
from asyncabi_runner.steps import BoundCall, ForeignObject
from asyncabi_runner.steps import ScenarioRun as _Steps

from .binding import FixtureError, ObjectRef, UnexpectedError


def from_json(value):
    """Scenario values to binding values ({"$bytes": hex} -> bytes)."""
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return bytes.fromhex(value["$bytes"])
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


class _LibraryCall(BoundCall):
    def __init__(self, lib, name, args, receiver):
        self.lib, self.name, self.args, self.receiver = lib, name, args, receiver

    def is_async(self) -> bool:
        return self.lib.is_async(self.name)

    def call_sync(self):
        return self.lib.call_sync(self.name, self.args, self.receiver)

    def call_async(self, on_wake=None, on_answer=None):
        return self.lib.call_async(self.name, self.args, self.receiver, on_wake=on_wake,
                                   on_answer=on_answer)


class ScenarioRun(_Steps):
    """One scenario on a fresh event loop. `libraries` maps fixture names to Library objects."""

    def __init__(self, scenario: dict, libraries: dict, time_scale: float):
        super().__init__(scenario, libraries, time_scale)

    def prepare_call(self, spec):
        lib = self.bindings[spec.get("fixture", self.default_fixture)]
        args = self.argument_values(spec)
        receiver = self.lookup(spec["receiver"]) if "receiver" in spec else None
        return _LibraryCall(lib, spec["function"], args, receiver)

    def outcome_of_exception(self, exc, spec):
        if isinstance(exc, FixtureError):
            return {"error": {"type": exc.type_name, "value": self.to_json(exc.value)},
                    "exception": self.exception_name(exc)}
        if isinstance(exc, UnexpectedError):
            return {"unexpected": str(exc), "exception": self.exception_name(exc)}
        if isinstance(exc, (ValueError, TypeError, LookupError)):  # the runner could not do it
            return {"failure": f"{self.exception_name(exc)}: {exc}",
                    "exception": self.exception_name(exc)}
        raise exc

    def implement(self, fixture, interface, behaviours):
        decl = self.bindings[fixture].types[interface]
        return ForeignObject(self, decl, behaviours, from_json, FixtureError)

    def object_type_name(self, value):
        return value.type_name if isinstance(value, ObjectRef) else None

    def release(self, value):
        _drop_objects(value)


def _drop_objects(value):
    if isinstance(value, ObjectRef):
        value.drop()
    elif isinstance(value, (list, tuple)):
        for item in value:
            _drop_objects(item)
    elif isinstance(value, dict):
        for item in value.values():
            _drop_objects(item)
