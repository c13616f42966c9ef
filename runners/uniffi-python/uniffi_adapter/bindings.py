"""Loading UniFFI-generated Python modules against a given fixture library, and the mapping
between the protocol's JSON values and the generated API's values.

Nothing here touches the ABI: every call, poll, completion and vtable is the generated module's
own code. What the adapter adds is placement (the generated module loads `lib<cdylib>.so` from
its own folder, so a private folder holds a copy of the module next to a link to the library the
harness names), the fixtures' control exports (configure and the monitor, which are not part of
the UDL) and value conversion.
"""
import contextlib
import ctypes
import importlib.util
import inspect
import itertools
import json
import os
import pathlib
import shutil
import sys
import tempfile
import typing

MANIFEST = "bindings.json"
_counter = itertools.count(1)


FOLDER_PREFIX = "uniffi-python-adapter-"


def _remove_stale_folders():
    """Removes the private folders of adapter processes that are gone (a runner the harness
    killed after a hang cannot clean up after itself)."""
    for folder in pathlib.Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        try:
            pid = int(folder.name[len(FOLDER_PREFIX):].split("-", 1)[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (ValueError, PermissionError, OSError):
            continue


class BindingsMissing(Exception):
    """No generated bindings for a fixture (not generated, or generation failed)."""


def manifest(bindings_dir: pathlib.Path, fixture: str) -> dict:
    """The manifest that generate.py wrote beside a fixture's generated module."""
    path = bindings_dir / fixture / MANIFEST
    if not path.exists():
        raise BindingsMissing(f"no generated bindings for fixture {fixture!r}: {path} is missing "
                              "(build the target uniffi_python_bindings)")
    data = json.loads(path.read_text())
    if data.get("error"):
        raise BindingsMissing(f"uniffi-bindgen could not generate Python for {fixture!r}: "
                              f"{data['error']}")
    return data


class Generated:
    """One generated module bound to one fixture library."""

    def __init__(self, bindings_dir: pathlib.Path, fixture: str, library: str):
        info = manifest(bindings_dir, fixture)
        source = bindings_dir / fixture / info["module_file"]
        self.fixture = fixture
        self.info = info
        _remove_stale_folders()
        self.folder = pathlib.Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"
                                                            f"{fixture}-"))
        copy = self.folder / source.name
        shutil.copyfile(source, copy)
        self.library_link = self.folder / f"lib{info['cdylib_name']}.so"
        os.symlink(os.path.abspath(library), self.library_link)
        name = f"{info['module']}__uniffi_adapter_{next(_counter)}"
        spec = importlib.util.spec_from_file_location(name, copy)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)  # loads the library, checks the contract version
        self.module = module
        # The same path, so dlopen hands back the library the module loaded. For the fixtures'
        # control exports (configure and the monitor), which are not in the UDL.
        self.controls = ctypes.CDLL(str(self.library_link))

    def close(self):
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- the generated API -------------------------------------------------------------------
    def set_event_loop(self, loop):
        """uniffi_set_event_loop: the loop the module uses for foreign calls that arrive on a
        thread with no running loop (and, in 0.32.2, for every await)."""
        self.module.uniffi_set_event_loop(loop)

    def callable(self, function: str, receiver=None):
        """The generated callable for a scenario's function name: "f" is a module function,
        "Type.method" with a receiver a method, "Type.new" the primary constructor (the class
        itself), "Type.other" a secondary constructor (a classmethod)."""
        if "." not in function:
            return self._attr(self.module, function, function)
        type_name, member = function.split(".", 1)
        if receiver is not None:
            return self._attr(receiver, member, function)
        cls = self._attr(self.module, type_name, function)
        if member == "new":
            return cls
        return self._attr(cls, member, function)

    @staticmethod
    def _attr(owner, name, function):
        try:
            return getattr(owner, name)
        except AttributeError:
            raise LookupError(f"the generated bindings have no {function!r}") from None

    @contextlib.contextmanager
    def observe_answers(self, callback):
        """Calls `callback(poll_code)` on the loop's thread for every poll result the generated
        code delivers while the block runs, right after it resolved the poll's future and before
        the awaiting task resumes. Observation only, for the `cancel` step's "first_wake" and
        `cancel_sweep`'s cancel at the answer: the generated module hands each poll result to
        its `_uniffi_set_future_result` on the loop; a wrapper calls the original unchanged,
        then the callback."""
        original = getattr(self.module, "_uniffi_set_future_result", None)
        if original is None:
            raise LookupError("these generated bindings have no _uniffi_set_future_result to "
                              "observe poll results through")
        listeners = self.__dict__.setdefault("_answer_listeners", [])
        if not getattr(original, "_uniffi_adapter_observer", False):
            def observed(future, poll_code):
                result = original(future, poll_code)
                if not future.cancelled():
                    for listener in list(listeners):
                        listener(poll_code)
                return result
            observed._uniffi_adapter_observer = True
            self.module._uniffi_set_future_result = observed
        listeners.append(callback)
        try:
            yield
        finally:
            listeners.remove(callback)

    def observe_wakes(self, callback):
        """Calls `callback()` for every WAKE delivered while the block runs (observe_answers)."""
        wake = getattr(self.module, "_UNIFFI_RUST_FUTURE_POLL_WAKE", None)
        if wake is None:
            raise LookupError("these generated bindings name no WAKE poll code")
        return self.observe_answers(lambda code: code == wake and callback())

    @staticmethod
    def is_async(fn) -> bool:
        return inspect.iscoroutinefunction(fn)

    def arguments(self, fn, args: list) -> list:
        """Scenario values to the types the generated signature names (records from dicts)."""
        try:
            hints = typing.get_type_hints(fn, vars(self.module))
            params = [p.name for p in inspect.signature(fn).parameters.values()
                      if p.name not in ("self", "cls")]
        except (TypeError, ValueError, NameError):
            return list(args)
        return [self.to_binding(value, hints.get(name)) for name, value in
                itertools.zip_longest(params, args, fillvalue=None)][:len(args)]

    def to_binding(self, value, hint):
        """One JSON-ish value to what the generated code expects for type `hint`."""
        origin = typing.get_origin(hint)
        if origin is typing.Union:
            inner = [a for a in typing.get_args(hint) if a is not type(None)]
            return None if value is None else self.to_binding(value, inner[0] if inner else None)
        if origin in (list, typing.List, typing.Sequence) and isinstance(value, list):
            (item,) = typing.get_args(hint) or (None,)
            return [self.to_binding(v, item) for v in value]
        if origin in (dict, typing.Dict) and isinstance(value, dict):
            _, item = typing.get_args(hint) or (None, None)
            return {k: self.to_binding(v, item) for k, v in value.items()}
        if isinstance(value, dict) and set(value) == {"$bytes"}:
            return bytes.fromhex(value["$bytes"])
        if isinstance(value, dict) and inspect.isclass(hint) and self.is_record_class(hint):
            fields = typing.get_type_hints(hint.__init__, vars(self.module))
            return hint(**{k: self.to_binding(v, fields.get(k)) for k, v in value.items()})
        return value

    def is_record_class(self, cls) -> bool:
        return (getattr(cls, "__module__", None) == self.module.__name__
                and not issubclass(cls, BaseException)
                and not hasattr(cls, "_uniffi_clone_handle"))

    def is_object(self, value) -> bool:
        return hasattr(value, "_uniffi_clone_handle")

    def is_record(self, value) -> bool:
        return self.is_record_class(type(value)) and hasattr(value, "__dict__")

    # --- errors --------------------------------------------------------------------------------
    def error_class(self, type_name: str):
        return self._attr(self.module, type_name, type_name)

    def is_typed_error(self, exc) -> bool:
        cls = type(exc)
        return (cls.__module__ == self.module.__name__ and len(cls.__mro__) > 2
                and cls.__mro__[1] is not Exception and issubclass(cls, Exception)
                and cls is not self.module.InternalError)

    def describe_error(self, exc) -> dict:
        """A generated error instance as the protocol's {"type", "value": {"variant", fields}}."""
        cls = type(exc)
        base = cls.__mro__[1]
        value = {"variant": cls.__name__}
        fields = {k: v for k, v in vars(exc).items() if not k.startswith("_")}
        value.update(fields)
        return {"type": base.__name__, "value": value}

    def make_error(self, type_name: str, value) -> BaseException:
        """The generated exception for a declared error value ({"variant": name, fields})."""
        base = self.error_class(type_name)
        name = value if isinstance(value, str) else value["variant"]
        variant = self._attr(base, name, f"{type_name}.{name}")
        fields = {} if isinstance(value, str) else {k: v for k, v in value.items()
                                                      if k != "variant"}
        try:
            return variant(**fields) if fields else variant()
        except TypeError:
            return variant(*fields.values())
