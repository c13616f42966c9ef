"""Drives libasyncabi (the shared library) with the inputs of a model trace, through ctypes,
and records what the runtime shows for each: its event hook (continuations and complete's
status, as `aa_event`s), its misuse hook, and the producer's drop callback. Single-threaded, so
every output belongs to the input that caused it.
"""
import ctypes
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from families import FAMILIES, OPS  # noqa: E402  (generated from the C headers)

OP_CONTINUATION, OP_COMPLETE = OPS.index("continuation"), OPS.index("complete")


class RustBuffer(ctypes.Structure):
    _fields_ = [("capacity", ctypes.c_uint64), ("len", ctypes.c_uint64),
                ("data", ctypes.c_void_p)]


class RustCallStatus(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int8), ("errorBuf", RustBuffer)]


class Value(ctypes.Union):
    _fields_ = [("u64", ctypes.c_uint64), ("rust_buffer", RustBuffer)]


class Event(ctypes.Structure):
    _fields_ = [("op", ctypes.c_int), ("type", ctypes.c_int), ("handle", ctypes.c_uint64),
                ("data", ctypes.c_uint64), ("code", ctypes.c_int32), ("name", ctypes.c_char_p)]


class Misuse(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("op", ctypes.c_int), ("handle", ctypes.c_uint64),
                ("message", ctypes.c_char_p)]


POLL_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
DROP_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
CONT_FN = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.c_int8)
EVENT_HOOK = ctypes.CFUNCTYPE(None, ctypes.POINTER(Event), ctypes.c_void_p)
MISUSE_HOOK = ctypes.CFUNCTYPE(None, ctypes.POINTER(Misuse), ctypes.c_void_p)


class VTable(ctypes.Structure):
    _fields_ = [("poll", POLL_FN), ("drop", DROP_FN), ("name", ctypes.c_char_p)]


def library_path():
    """The shared runtime: $ASYNCABI_RUNTIME_LIB, else under $ASYNCABI_BUILD_DIR or ./build."""
    if os.environ.get("ASYNCABI_RUNTIME_LIB"):
        return pathlib.Path(os.environ["ASYNCABI_RUNTIME_LIB"])
    build = pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", "build"))
    return build / "runtime" / "libasyncabi.so"


class Runtime:
    """One loaded runtime; `run(inp)` performs one model input and returns its outputs."""

    def __init__(self, path=None):
        lib = ctypes.CDLL(str(path or library_path()))
        self.lib = lib
        lib.aa_future_new.restype = ctypes.c_uint64
        lib.aa_future_new.argtypes = [ctypes.c_int, ctypes.POINTER(VTable), ctypes.c_void_p]
        lib.aa_future_new_ready.restype = ctypes.c_uint64
        lib.aa_future_new_ready.argtypes = [ctypes.c_int, Value]
        lib.aa_future_poll.argtypes = [ctypes.c_int, ctypes.c_uint64, CONT_FN, ctypes.c_uint64]
        lib.aa_future_cancel.argtypes = [ctypes.c_int, ctypes.c_uint64]
        lib.aa_future_free.argtypes = [ctypes.c_int, ctypes.c_uint64]
        lib.aa_future_complete.restype = Value
        lib.aa_future_complete.argtypes = [ctypes.c_int, ctypes.c_uint64,
                                           ctypes.POINTER(RustCallStatus)]
        lib.aa_future_return_value.argtypes = [ctypes.c_void_p, Value]
        lib.aa_future_waker.restype = ctypes.c_void_p
        lib.aa_future_waker.argtypes = [ctypes.c_void_p]
        lib.aa_waker_wake.argtypes = [ctypes.c_void_p]
        lib.aa_waker_release.argtypes = [ctypes.c_void_p]
        lib.aa_buffer_free.argtypes = [RustBuffer]
        lib.aa_misuse_name.restype = ctypes.c_char_p
        lib.aa_misuse_name.argtypes = [ctypes.c_int]
        lib.aa_future_live_count.restype = ctypes.c_uint64

        self.out = []          # outputs of the current input
        self.handles = {}      # fut -> handle
        self.wakers = {}       # fut -> the waker its poll function stashed
        self.producer = None   # what the poll function does on this input
        self.invoked = 0       # continuations actually invoked (vs CONTINUATION events)
        # ctypes callbacks must stay referenced as long as the runtime may call them.
        self._poll = POLL_FN(self._on_poll)
        self._drop = DROP_FN(lambda state: self.out.append(("drop",)))
        self._cont = CONT_FN(self._on_continuation)
        self._event = EVENT_HOOK(self._on_event)
        self._misuse = MISUSE_HOOK(self._on_misuse)
        self.vtable = VTable(self._poll, self._drop, b"model")
        lib.aa_set_event_hook(self._event, None)
        lib.aa_set_misuse_hook(self._misuse, None)

    def close(self):
        for waker in self.wakers.values():
            self.lib.aa_waker_release(waker)
        self.wakers.clear()
        self.lib.aa_set_event_hook(None, None)
        self.lib.aa_set_misuse_hook(None, None)

    # --- callbacks from the runtime ---
    def _on_poll(self, future, state):
        fut = (state or 0) - 1  # the trace's name of the future (see run: "new")
        if self.producer == "ready":
            self.lib.aa_future_return_value(future, Value(u64=7))
            return 1
        waker = self.lib.aa_future_waker(future)
        if fut in self.wakers:
            self.lib.aa_waker_release(self.wakers[fut])
        self.wakers[fut] = waker
        if self.producer == "pending-woken":
            self.lib.aa_waker_wake(waker)
        return 0

    def _on_continuation(self, data, code):
        self.invoked += 1

    def _on_event(self, event, user):
        e = event.contents
        if e.op == OP_CONTINUATION:
            self.out.append(("cont", e.data, e.code))
        elif e.op == OP_COMPLETE:
            self.out.append(("status", e.code))

    def _on_misuse(self, misuse, user):
        self.out.append(("misuse", self.lib.aa_misuse_name(misuse.contents.code).decode()))

    def forge(self, inp):
        """A handle this runtime never issued: 0, a live handle with its low bit set (what a
        foreign-made handle looks like), or a value without the runtime's magic."""
        if inp["forge"] == "zero":
            return 0
        if inp["forge"] == "odd":
            return self.handles[inp["fut"]] | 1
        return 0x1234_5678_9ABC_DEF0

    # --- one input ---
    def run(self, inp):
        self.out = []
        op = inp["op"]
        if op == "new":
            family = FAMILIES.index(inp["family"])
            if inp["ready"]:
                handle = self.lib.aa_future_new_ready(family, Value(u64=7))
            else:
                # The state pointer carries the trace's name of the future (fut + 1: never 0).
                handle = self.lib.aa_future_new(family, ctypes.byref(self.vtable),
                                                ctypes.c_void_p(inp["fut"] + 1))
            assert handle != 0 and handle % 2 == 0
            self.handles[inp["fut"]] = handle
            return self.out
        if op == "wake":
            self.lib.aa_waker_wake(self.wakers[inp["fut"]])
            return self.out
        call = inp["call"] if op == "forged" else op
        handle = self.forge(inp) if op == "forged" else self.handles[inp["fut"]]
        family = FAMILIES.index(inp.get("family", "u64"))
        if call == "poll":
            self.producer = inp.get("producer")
            self.lib.aa_future_poll(family, handle, self._cont, inp["data"])
        elif call == "complete":
            status = RustCallStatus()  # R16: initialised to code 0 and an empty errorBuf
            value = self.lib.aa_future_complete(family, handle, ctypes.byref(status))
            if status.code in (1, 2):
                self.lib.aa_buffer_free(status.errorBuf)
            elif status.code == 0 and inp.get("family") == "u64":
                assert value.u64 == 7, "complete moved out another value"
        elif call == "cancel":
            self.lib.aa_future_cancel(family, handle)
        elif call == "free":
            self.lib.aa_future_free(family, handle)
        else:
            raise ValueError(f"unknown call {call}")
        return self.out
