"""The generated bindings' part of performing a scenario.

What each step means lives once, in asyncabi_runner.steps (runners/common-python), shared with
the reference runner; this module maps it onto UniFFI's generated Python API: which generated
callable a call names and how its arguments convert, what a generated exception means,
callback interfaces as a user would implement them, and JSON for generated values. Objects free
their handles when nothing refers to them any more, so letting go of one is a collection.

A `failure` is either the adapter unable to express a step with the generated API, or an
exception the generated code raised that is none of the API's documented outcomes (typed
error, InternalError, cancellation): both fail the scenario.
"""
import contextlib
import enum
import gc

from asyncabi_runner.steps import BoundCall, ForeignObject
from asyncabi_runner.steps import ScenarioRun as _Steps

from .bindings import Generated


def object_type_name(value) -> str:
    """The interface a producer object implements: its class, or for a trait either side may
    implement (`[Trait, WithForeign]`) the trait its generated `<Name>Impl` class extends."""
    cls = type(value)
    name = cls.__name__
    if name.endswith("Impl") and len(cls.__mro__) > 1 and cls.__mro__[1].__name__ == name[:-4]:
        return name[:-4]
    return name


class _GeneratedCall(BoundCall):
    def __init__(self, gen: Generated, fn, args):
        self.gen, self.fn, self.args = gen, fn, args
        self._is_async = gen.is_async(fn)

    def is_async(self) -> bool:
        return self._is_async

    def call_sync(self):
        return self.fn(*self.args)

    async def call_async(self, on_wake=None, on_answer=None):
        """on_wake() and on_answer() are observations of the generated code
        (Generated.observe_wakes, observe_answers)."""
        if on_wake is None and on_answer is None:
            return await self.fn(*self.args)
        with contextlib.ExitStack() as observers:
            if on_wake is not None:
                observers.enter_context(self.gen.observe_wakes(on_wake))
            if on_answer is not None:
                observers.enter_context(self.gen.observe_answers(lambda code: on_answer()))
            return await self.fn(*self.args)


class ScenarioRun(_Steps):
    """One scenario on a fresh event loop. `generated` maps fixture names to Generated modules;
    `interfaces` maps them to their interface.json (for the declared methods of a callback
    interface the scenario implements)."""

    def __init__(self, scenario: dict, generated: dict, interfaces: dict, time_scale: float):
        super().__init__(scenario, generated, time_scale)
        self.interfaces = interfaces

    def _gen(self, spec) -> Generated:
        return self.bindings[spec.get("fixture", self.default_fixture)]

    def prepare_call(self, spec):
        gen = self._gen(spec)
        receiver = self.lookup(spec["receiver"]) if "receiver" in spec else None
        fn = gen.callable(spec["function"], receiver)
        return _GeneratedCall(gen, fn, gen.arguments(fn, self.argument_values(spec)))

    def outcome_of_exception(self, exc, spec):
        if isinstance(exc, LookupError):  # the adapter cannot express the step
            return {"failure": f"{self.exception_name(exc)}: {exc}",
                    "exception": self.exception_name(exc)}
        gen = self._gen(spec) if spec else None
        for candidate in ([gen] if gen else []) + list(self.bindings.values()):
            if isinstance(exc, candidate.module.InternalError):
                return {"unexpected": str(exc), "exception": self.exception_name(exc)}
            if candidate.is_typed_error(exc):
                return {"error": candidate.describe_error(exc),
                        "exception": self.exception_name(exc)}
        return {"failure": f"the generated binding raised {self.exception_name(exc)}: {exc}",
                "exception": self.exception_name(exc)}

    def implement(self, fixture, interface, behaviours):
        gen = self.bindings[fixture]
        decl = self.interfaces[fixture]["types"][interface]
        cls = ForeignObject
        base = getattr(gen.module, interface, None)
        if isinstance(base, type) and not getattr(base, "_is_protocol", False):
            # A trait either side may implement: the generated code accepts subclasses of its
            # base class only, as a user's implementation would be.
            cls = type(f"{interface}ForeignImpl", (ForeignObject, base), {})
        return cls(self, decl, behaviours, lambda value: gen.to_binding(value, None),
                   gen.make_error)

    def object_type_name(self, value):
        return object_type_name(value) if hasattr(value, "_uniffi_clone_handle") else None

    def value_to_json(self, value):
        """Enums as {"variant": name}, records as their fields."""
        if isinstance(value, enum.Enum):
            return {"variant": value.name}
        if hasattr(value, "__dict__"):  # a generated record
            return {k: self.to_json(v) for k, v in vars(value).items()}
        return repr(value)

    def collect(self):
        gc.collect()  # a generated object frees its handle when it is collected

    def after_loop(self):
        self.vars.clear()
        self.tasks.clear()
        gc.collect()  # objects the scenario still held are freed now, before the monitor's end

    def exception_module(self, cls):
        return cls.__module__.split("__uniffi_adapter_")[0]  # the generated module's own name
