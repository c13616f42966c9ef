"""A generic UniFFI-style Python binding, driven by a fixture's interface.json.

It does, with ctypes and asyncio only, what a careful generated UniFFI Python binding does:

* Async calls: the export returns a future handle; `_drive` polls it with one process-wide
  continuation callback whose `data` is a key in a handle map of (event loop, asyncio future).
  The callback may run on any thread, also inside `poll`, so it only ever reaches the loop
  through `call_soon_threadsafe`. After READY, `complete` moves the result out; `free` runs in
  a `finally`, exactly once, whatever happened. Cancelling the awaiting task (CancelledError)
  also calls the producer's `cancel`, then `free`.
* Foreign async methods (callback interfaces): the vtable's thunks lift the arguments, start
  the Python coroutine with `run_coroutine_threadsafe` on the calling thread's running loop or,
  on a thread without one, on the loop given to `set_event_loop` (UniFFI's
  `uniffi_set_event_loop`), and fill the dropped-callback struct with a thread-safe callback
  that cancels the task. `complete` is called exactly once, also on a typed error (status 1),
  an unexpected exception (status 2) or cancellation (status 3).
* Every ctypes callback object and vtable C struct is kept referenced by the Library for as
  long as the producer may call it (a collected thunk is a jump into freed memory: the
  Kotlin/JNA bug).

Each step is a method of its own so that conformance/mutants can break exactly one of them.
"""
import asyncio
import ctypes
import functools
import itertools
import json
import threading
import weakref

from . import ffi
from .ffi import CURRENT_CONTRACT_VERSION
from .codec import Codec, parse_type

INT_RANGES = {f"{sign}{bits}": ((-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if sign == "i"
                                 else (0, (1 << bits) - 1))
              for sign in "ui" for bits in (8, 16, 32, 64)}
BUFFER_KINDS = {"string", "bytes", "optional", "sequence", "map", "record", "enum", "error"}


class FixtureError(Exception):
    """A typed error (call status 1): `type_name` names the error type, `value` its variant."""

    def __init__(self, type_name: str, value):
        super().__init__(f"{type_name}.{value.get('variant') if isinstance(value, dict) else value}")
        self.type_name = type_name
        self.value = value


class UnexpectedError(Exception):
    """Call status 2: the producer failed in a way its signature does not declare."""


class HandleMap:
    """Thread-safe map from odd 64-bit handles to Python objects (UniFFI's handle maps)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._items = {}
        self._next = itertools.count(1, 2)

    def insert(self, obj) -> int:
        with self._lock:
            handle = next(self._next)
            self._items[handle] = obj
            return handle

    def get(self, handle: int):
        with self._lock:
            return self._items[handle]

    def remove(self, handle: int):
        with self._lock:
            return self._items.pop(handle, None)

    def __len__(self):
        with self._lock:
            return len(self._items)


class ObjectRef:
    """One reference to a producer object; `drop()` frees it (once)."""

    def __init__(self, library: "Library", type_name: str, handle: int):
        self.library = library
        self.type_name = type_name
        self.handle = handle
        self._lock = threading.Lock()

    def clone_handle(self) -> int:
        with self._lock:
            if self.handle is None:
                raise ValueError(f"{self.type_name} used after drop")
            return self.library._object_clone(self.type_name, self.handle)

    def drop(self) -> None:
        with self._lock:
            handle, self.handle = self.handle, None
        if handle is not None:
            self.library._object_free(self.type_name, handle)

    def __repr__(self):
        return f"<{self.type_name} handle={self.handle}>"


class _ForeignCall:
    """One call of a foreign async method, from the producer's start to our complete."""

    __slots__ = ("complete", "data", "family", "return_type", "throws", "loop", "completed")

    def __init__(self, complete, data, family, return_type, throws, loop):
        self.complete = complete
        self.data = data
        self.family = family
        self.return_type = return_type
        self.throws = throws
        self.loop = loop
        self.completed = False


class Library:
    """One loaded producer library and its interface description."""

    def __init__(self, interface, library_path: str):
        if not isinstance(interface, dict):
            with open(interface, encoding="utf-8") as f:
                interface = json.load(f)
        self.interface = interface
        self.namespace = interface["namespace"]
        # The ABI profile is UniFFI's contract version (docs/abi.md section 10): before 30 the
        # binding fills a UniffiForeignFuture out-parameter of a foreign async call itself.
        self.profile = int(interface.get("profile", CURRENT_CONTRACT_VERSION))
        self.legacy_foreign_futures = self.profile < CURRENT_CONTRACT_VERSION
        self.types = interface.get("types", {})
        # Methods and constructors are known as "Object.name"; plain functions by their name.
        self.functions = {_qualified(f): f for f in interface.get("functions", [])}
        self.path = library_path
        self.cdll = ctypes.CDLL(library_path)
        self.codec = Codec(self.types, self)
        self.fallback_loop = None
        self._continuations = HandleMap()   # continuation data -> (loop, asyncio future)
        self.foreign_objects = HandleMap()  # callback-interface handle -> Python object
        self._foreign_calls = HandleMap()   # dropped-callback handle -> (concurrent future, loop)
        self._keepalive = []                # ctypes thunks and vtables the producer holds
        self._inboxes = weakref.WeakKeyDictionary()  # event loop -> _Inbox
        self._inboxes_lock = threading.Lock()
        self._families = {}
        self._prepared = {}
        self._continuation_callback = ffi.ContinuationCallback(self._on_continuation)
        self._dropped_callback = ffi.ForeignFutureDroppedCallback(self._on_foreign_dropped)
        self._setup_rustbuffer()
        for name, decl in self.types.items():
            # Callback interfaces, and traits either side implements (objects with "init").
            if decl["kind"] == "callback_interface" or "init" in decl:
                self._register_vtable(name, decl)

    # --- public API --------------------------------------------------------------------------
    def set_event_loop(self, loop) -> None:
        """The loop for foreign async calls arriving on threads with no running loop."""
        self.fallback_loop = loop

    def is_async(self, name: str) -> bool:
        return bool(self.functions[name].get("async"))

    async def call_async(self, name: str, args=(), receiver=None, on_wake=None, on_answer=None):
        """Calls an async export and awaits it. For tests: `on_wake()` runs on every WAKE, once
        the awaiting task has resumed; `on_answer()` runs on the loop as soon as a continuation's
        code has reached it, before the awaiting task resumes (the moment a cancel races the
        producer's answer)."""
        decl = self.functions[name]
        handle = self._invoke(decl, args, receiver, with_status=False)
        family = self.family(decl.get("return"))
        return await self._await_future(handle, family, decl.get("return"), decl.get("throws"),
                                        on_wake, on_answer)

    def call_sync(self, name: str, args=(), receiver=None):
        decl = self.functions[name]
        status = ffi.RustCallStatus()
        value = self._invoke(decl, args, receiver, with_status=True, status=status)
        self._check_status(status, decl.get("throws"))
        return self._lift_return(value, decl.get("return"))

    def control(self, symbol: str, restype=None, argtypes=()):
        """A plain C export (the monitor controls), or None if the library lacks it."""
        try:
            fn = getattr(self.cdll, symbol)
        except AttributeError:
            return None
        fn.restype = restype
        fn.argtypes = list(argtypes)
        return fn

    # --- lowering ----------------------------------------------------------------------------
    def family(self, type_name) -> str:
        if type_name is None:
            return "void"
        kind = self.codec.kind(parse_type(type_name) if isinstance(type_name, str) else type_name)
        if kind == "bool":
            return "i8"
        if kind in ("object", "callback_interface"):
            return "u64"
        if kind in BUFFER_KINDS:
            return "rust_buffer"
        return kind

    def ctype(self, type_name):
        family = self.family(type_name)
        return ffi.FAMILY_CTYPES[family]

    def lower(self, type_name: str, value):
        parsed = parse_type(type_name)
        kind = self.codec.kind(parsed)
        if kind == "bool":
            return 1 if value else 0
        if kind in INT_RANGES:  # ctypes would wrap 256 to 0 without a word: refuse instead
            low, high = INT_RANGES[kind]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{value!r} does not fit in {kind}")
        if kind == "object":
            return self.lower_object(parsed, value)
        if kind == "callback_interface":
            return self.lower_callback(parsed, value)
        if kind in BUFFER_KINDS:
            return self._buffer_from_bytes(self.codec.serialize(parsed, value))
        return value

    def lift(self, type_name, value):
        if type_name is None:
            return None
        parsed = parse_type(type_name)
        kind = self.codec.kind(parsed)
        if kind == "bool":
            return value != 0
        if kind == "object":
            return self.lift_object(parsed, value)
        if kind == "callback_interface":
            return self.lift_callback(parsed, value)
        if kind in BUFFER_KINDS:
            return self.codec.deserialize(parsed, self._take_buffer(value))
        return value

    # Codec hooks: objects and callback interfaces.
    def lower_object(self, type_name, value) -> int:
        if isinstance(value, ObjectRef):
            return value.clone_handle()
        if "init" in self.types.get(type_name, {}):
            # A Python implementation of a trait either side implements: a new reference with
            # an odd handle (the producer's handles are even), as UniFFI 0.30+ bindings do.
            return self.foreign_objects.insert(value)
        raise TypeError(f"expected a {type_name} object, got {value!r}")

    def lift_object(self, type_name, handle: int):
        if handle & 1 and "init" in self.types.get(type_name, {}):
            # Our own object coming back: the producer hands over the reference it owned.
            return self.foreign_objects.remove(handle)
        return ObjectRef(self, type_name, handle)

    def lower_callback(self, type_name, value) -> int:
        return self.foreign_objects.insert(value)

    def lift_callback(self, type_name, handle: int):
        return self.foreign_objects.get(handle)

    # --- calls -------------------------------------------------------------------------------
    def _function(self, decl, with_status: bool):
        key = (decl["symbol"], with_status)
        if key not in self._prepared:
            fn = getattr(self.cdll, decl["symbol"])
            argtypes = [ctypes.c_uint64] if decl.get("receiver") else []
            argtypes += [self.ctype(a["type"]) for a in decl.get("args", [])]
            if with_status:
                argtypes.append(ctypes.POINTER(ffi.RustCallStatus))
                ret = decl.get("return")
                fn.restype = self.ctype(ret) if ret is not None else None
            else:
                fn.restype = ctypes.c_uint64  # a future handle
            fn.argtypes = argtypes
            self._prepared[key] = fn
        return self._prepared[key]

    def _invoke(self, decl, args, receiver, with_status, status=None):
        fn = self._function(decl, with_status)
        params = decl.get("args", [])
        if len(args) != len(params):
            raise TypeError(f"{decl['name']} takes {len(params)} arguments, got {len(args)}")
        lowered = []
        if decl.get("receiver"):
            lowered.append(self.lower_object(decl["receiver"], receiver))
        lowered += [self.lower(p["type"], a) for p, a in zip(params, args)]
        if with_status:
            lowered.append(ctypes.byref(status))
        return fn(*lowered)

    def _family_functions(self, family: str):
        if family not in self._families:
            ctype = ffi.FAMILY_CTYPES[family]
            prefix = f"ffi_{self.namespace}_rust_future_"
            poll = getattr(self.cdll, prefix + "poll_" + family)
            poll.argtypes = [ctypes.c_uint64, ffi.ContinuationCallback, ctypes.c_uint64]
            poll.restype = None
            cancel = getattr(self.cdll, prefix + "cancel_" + family)
            cancel.argtypes = [ctypes.c_uint64]
            cancel.restype = None
            complete = getattr(self.cdll, prefix + "complete_" + family)
            complete.argtypes = [ctypes.c_uint64, ctypes.POINTER(ffi.RustCallStatus)]
            complete.restype = ctype
            free = getattr(self.cdll, prefix + "free_" + family)
            free.argtypes = [ctypes.c_uint64]
            free.restype = None
            self._families[family] = (poll, cancel, complete, free)
        return self._families[family]

    # --- the poll loop -----------------------------------------------------------------------
    async def _await_future(self, handle, family, return_type, throws, on_wake=None,
                            on_answer=None):
        if handle == 0:
            raise UnexpectedError("the export returned the null future handle")
        cancelled = False
        try:
            await self._drive(handle, family, on_wake, on_answer)
            value, status = self._complete(handle, family)
        except asyncio.CancelledError:
            cancelled = True
            raise
        finally:
            self._release(handle, family, cancelled)
        self._check_status(status, throws)
        return self._lift_return(value, return_type)

    async def _drive(self, handle, family, on_wake, on_answer=None):
        """Polls until the producer answers READY."""
        loop = self._continuation_loop()
        while True:
            future = self._poll_once(handle, family, loop)
            if on_answer is not None:
                future.add_done_callback(lambda f: f.cancelled() or on_answer())
            code = await future
            if code == ffi.POLL_READY:
                return
            if on_wake is not None:
                on_wake()

    def _continuation_loop(self):
        """The loop that continuations of the current await are dispatched to: its own."""
        return asyncio.get_running_loop()

    def _poll_once(self, handle, family, loop):
        future = loop.create_future()
        data = self._continuations.insert((loop, future, threading.get_ident()))
        self._family_functions(family)[0](handle, self._continuation_callback, data)
        return future

    def _on_continuation(self, data, code):
        """The continuation callback: any thread, possibly inside poll(). Never raises."""
        entry = self._continuations.remove(data)
        if entry is None:
            return  # a second invocation for one poll: the producer's bug, the monitor's job
        loop, future, loop_thread = entry
        try:
            if threading.get_ident() == loop_thread:
                # Inside poll() on the loop's own thread (READY or WAKE at once): resolve the
                # future directly; `await` on a done future then continues without a loop trip.
                _set_result_unless_cancelled(future, code)
            else:
                self._dispatch_continuation(loop, future, code)
        except RuntimeError:
            pass  # the loop is closed: its awaiter is gone, free() already ran

    def _dispatch_continuation(self, loop, future, code):
        """From a producer thread: queue the result in the loop's inbox and, unless a drain is
        already pending, wake the loop once with call_soon_threadsafe (one self-pipe write
        per burst of wakes instead of one per wake)."""
        inbox = self._inbox(loop)
        with inbox.lock:
            inbox.items.append((future, code))
            if inbox.scheduled:
                return
            inbox.scheduled = True
        loop.call_soon_threadsafe(_drain_inbox, inbox)

    def _inbox(self, loop):
        inbox = self._inboxes.get(loop)
        if inbox is None:
            with self._inboxes_lock:
                inbox = self._inboxes.setdefault(loop, _Inbox())
        return inbox

    def _complete(self, handle, family):
        status = ffi.RustCallStatus()
        value = self._family_functions(family)[2](handle, ctypes.byref(status))
        return value, status

    def _release(self, handle, family, cancelled):
        """Runs in `finally`: cancel (only when our task was cancelled), then free, once."""
        _poll, cancel, _complete, free = self._family_functions(family)
        if cancelled:
            cancel(handle)
        free(handle)

    # --- results -----------------------------------------------------------------------------
    def _check_status(self, status, throws):
        code = status.code
        if code == ffi.CALL_SUCCESS:
            return
        payload = self._take_buffer(status.errorBuf)
        if code == ffi.CALL_ERROR and throws:
            raise FixtureError(throws, self.codec.deserialize(parse_type(throws), payload))
        if code == ffi.CALL_CANCELLED:
            raise asyncio.CancelledError("the producer cancelled the future")
        message = _decode_message(payload)
        if code == ffi.CALL_ERROR:
            raise UnexpectedError(f"typed error from an export that declares none: {message}")
        raise UnexpectedError(message if code == ffi.CALL_UNEXPECTED_ERROR
                              else f"unknown call status {code}: {message}")

    def _lift_return(self, value, return_type):
        return self.lift(return_type, value)

    # --- RustBuffers -------------------------------------------------------------------------
    def _setup_rustbuffer(self):
        prefix = f"ffi_{self.namespace}_rustbuffer_"
        self._rb_from_bytes = getattr(self.cdll, prefix + "from_bytes")
        self._rb_from_bytes.argtypes = [ffi.ForeignBytes, ctypes.POINTER(ffi.RustCallStatus)]
        self._rb_from_bytes.restype = ffi.RustBuffer
        self._rb_free = getattr(self.cdll, prefix + "free")
        self._rb_free.argtypes = [ffi.RustBuffer, ctypes.POINTER(ffi.RustCallStatus)]
        self._rb_free.restype = None

    def _buffer_from_bytes(self, data: bytes) -> ffi.RustBuffer:
        raw = (ctypes.c_uint8 * max(len(data), 1)).from_buffer_copy(data or b"\0")
        status = ffi.RustCallStatus()
        buf = self._rb_from_bytes(ffi.ForeignBytes(len(data), raw), ctypes.byref(status))
        if status.code != ffi.CALL_SUCCESS:
            raise UnexpectedError("rustbuffer_from_bytes failed")
        return buf

    def _take_buffer(self, buf: ffi.RustBuffer) -> bytes:
        """Copies a producer-owned buffer's bytes and frees it."""
        data = buf.to_bytes()
        if buf.data or buf.capacity:
            status = ffi.RustCallStatus()
            self._rb_free(buf, ctypes.byref(status))
        return data

    # --- objects -----------------------------------------------------------------------------
    def _object_symbol(self, type_name, which):
        fn = getattr(self.cdll, self.types[type_name][which])
        fn.argtypes = [ctypes.c_uint64, ctypes.POINTER(ffi.RustCallStatus)]
        fn.restype = ctypes.c_uint64 if which == "clone" else None
        return fn

    def _object_clone(self, type_name, handle) -> int:
        status = ffi.RustCallStatus()
        new = self._object_symbol(type_name, "clone")(handle, ctypes.byref(status))
        self._check_status(status, None)
        return new

    def _object_free(self, type_name, handle) -> None:
        status = ffi.RustCallStatus()
        self._object_symbol(type_name, "free")(handle, ctypes.byref(status))
        self._check_status(status, None)

    # --- foreign callback interfaces ---------------------------------------------------------
    def _register_vtable(self, name, decl):
        fields = [("uniffi_free", ctypes.CFUNCTYPE(None, ctypes.c_uint64)),
                  ("uniffi_clone", ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_uint64))]
        thunks = [fields[0][1](self._foreign_free), fields[1][1](self._foreign_clone)]
        for method in decl["methods"]:
            fn_type, thunk = self._method_thunk(name, method)
            fields.append((method["name"], fn_type))
            thunks.append(thunk)
        vtable_type = type(f"VTable_{name}", (ctypes.Structure,), {"_fields_": fields})
        vtable = vtable_type(*thunks)
        init = getattr(self.cdll, decl["init"])
        init.argtypes = [ctypes.POINTER(vtable_type)]
        init.restype = None
        # The producer keeps the pointer for the life of the process: so do we.
        self._keepalive += [vtable, thunks]
        init(ctypes.byref(vtable))

    def _foreign_free(self, handle):
        self.foreign_objects.remove(handle)

    def _foreign_clone(self, handle):
        try:
            return self.foreign_objects.insert(self.foreign_objects.get(handle))
        except KeyError:
            return 0

    def _method_thunk(self, iface, method):
        args = method.get("args", [])
        arg_ctypes = [self.ctype(a["type"]) for a in args]
        family = self.family(method.get("return"))
        if not method.get("async"):
            ret_ctype = ffi.FAMILY_CTYPES[family]
            out_type = ctypes.POINTER(ret_ctype) if ret_ctype is not None else ctypes.c_void_p
            fn_type = ctypes.CFUNCTYPE(None, ctypes.c_uint64, *arg_ctypes, out_type,
                                       ctypes.POINTER(ffi.RustCallStatus))

            def sync_thunk(handle, *rest):
                self._invoke_sync_method(method, handle, rest[:-2], rest[-2], rest[-1], family)
            return fn_type, fn_type(sync_thunk)
        out_type = (ctypes.POINTER(ffi.LegacyForeignFuture) if self.legacy_foreign_futures
                    else ctypes.POINTER(ffi.ForeignFutureDroppedCallbackStruct))
        fn_type = ctypes.CFUNCTYPE(None, ctypes.c_uint64, *arg_ctypes,
                                   ffi.foreign_complete_type(family), ctypes.c_uint64, out_type)

        def async_thunk(handle, *rest):
            self._start_foreign_call(method, family, handle, rest[:-3], *rest[-3:])
        return fn_type, fn_type(async_thunk)

    def _lift_method_args(self, method, lowered):
        return [self.lift(a["type"], v) for a, v in zip(method.get("args", []), lowered)]

    def _start_foreign_call(self, method, family, handle, lowered, complete, data, out_dropped):
        """The producer called an async method of a Python object (any thread)."""
        call = _ForeignCall(complete, data, family, method.get("return"), method.get("throws"),
                            None)
        try:
            obj = self.foreign_objects.get(handle)
            args = self._lift_method_args(method, lowered)
            call.loop = self._loop_for_foreign_call()
            coro = getattr(obj, method["name"])(*args)
            task = asyncio.run_coroutine_threadsafe(coro, call.loop)
        except BaseException as exc:  # no loop, unknown handle, lifting failed: say so now
            self._send_foreign_result(call, self._foreign_result_of_exception(call, exc))
            return
        token = self._foreign_calls.insert((task, call.loop))
        self._install_dropped(out_dropped, token)
        task.add_done_callback(functools.partial(self._on_foreign_done, call))

    def _loop_for_foreign_call(self):
        """The calling thread's running loop, else the fallback loop (uniffi_set_event_loop)."""
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            pass
        loop = self.fallback_loop
        if loop is None or loop.is_closed():
            raise RuntimeError("a foreign async call arrived on a thread with no event loop "
                               "and no loop was set with set_event_loop()")
        return loop

    def _install_dropped(self, out_dropped, token):
        out_dropped[0].handle = token
        out_dropped[0].free = self._dropped_callback

    def _on_foreign_dropped(self, token):
        """Dropped callback: any thread (often a producer thread with no event loop)."""
        entry = self._foreign_calls.remove(token)
        if entry is not None:
            self._cancel_foreign_task(*entry)

    def _cancel_foreign_task(self, task, loop):
        """concurrent.futures cancel() reaches the asyncio task on `loop` through
        call_soon_threadsafe, so this is safe from any thread and wakes a sleeping loop."""
        task.cancel()

    def _on_foreign_done(self, call, task):
        """The concurrent future finished (result, exception or cancel; any thread): complete
        from the call's loop when it still runs, else from here."""
        result = self._foreign_result(call, task)
        if result is None:
            return
        try:
            call.loop.call_soon_threadsafe(self._send_foreign_result, call, result)
        except RuntimeError:
            self._send_foreign_result(call, result)

    def _foreign_result(self, call, task):
        if task.cancelled():
            return self._foreign_status(call, ffi.CALL_CANCELLED, b"")
        exc = task.exception()
        if exc is not None:
            return self._foreign_result_of_exception(call, exc)
        return self._foreign_value(call, task.result())

    def _foreign_result_of_exception(self, call, exc):
        if isinstance(exc, FixtureError) and call.throws and exc.type_name == call.throws:
            payload = self.codec.serialize(parse_type(call.throws), exc.value)
            return self._foreign_status(call, ffi.CALL_ERROR, payload)
        if isinstance(exc, asyncio.CancelledError):
            return self._foreign_status(call, ffi.CALL_CANCELLED, b"")
        return self._foreign_status(call, ffi.CALL_UNEXPECTED_ERROR, repr(exc).encode())

    def _foreign_status(self, call, code, payload):
        result = ffi.foreign_result_struct(call.family)()
        result.call_status.code = code
        if payload or code in (ffi.CALL_ERROR, ffi.CALL_UNEXPECTED_ERROR):
            result.call_status.errorBuf = self._buffer_from_bytes(payload)
        return result

    def _foreign_value(self, call, value):
        result = ffi.foreign_result_struct(call.family)()
        try:
            if call.family != "void":
                result.return_value = self.lower(call.return_type, value)
        except Exception as exc:  # a wrong return value is the foreign side's unexpected error
            return self._foreign_result_of_exception(call, exc)
        return result

    def _send_foreign_result(self, call, result):
        if call.completed:
            return
        call.completed = True
        call.complete(call.data, result)

    def _invoke_sync_method(self, method, handle, lowered, out_return, out_status, family):
        try:
            obj = self.foreign_objects.get(handle)
            value = getattr(obj, method["name"])(*self._lift_method_args(method, lowered))
            if family != "void":
                out_return[0] = self.lower(method.get("return"), value)
            out_status[0].code = ffi.CALL_SUCCESS
        except FixtureError as exc:
            out_status[0].code = ffi.CALL_ERROR
            out_status[0].errorBuf = self._buffer_from_bytes(
                self.codec.serialize(parse_type(exc.type_name), exc.value))
        except BaseException as exc:
            out_status[0].code = ffi.CALL_UNEXPECTED_ERROR
            out_status[0].errorBuf = self._buffer_from_bytes(repr(exc).encode())


def _qualified(decl) -> str:
    owner = decl.get("receiver") or decl.get("constructor")
    if owner and not decl["name"].startswith(owner + "."):
        return f"{owner}.{decl['name']}"
    return decl["name"]


class _Inbox:
    """Continuation results waiting for one event loop, filled from producer threads."""

    __slots__ = ("lock", "items", "scheduled", "__weakref__")

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []
        self.scheduled = False


def _drain_inbox(inbox):
    with inbox.lock:
        items, inbox.items = inbox.items, []
        inbox.scheduled = False
    for future, code in items:
        _set_result_unless_cancelled(future, code)


def _set_result_unless_cancelled(future, code):
    if not future.done():
        future.set_result(code)


def _decode_message(payload: bytes) -> str:
    # A message is either the raw UTF-8 bytes or a serialized string (i32 length first).
    if len(payload) >= 4 and int.from_bytes(payload[:4], "big") == len(payload) - 4:
        payload = payload[4:]
    return payload.decode("utf-8", "replace")


