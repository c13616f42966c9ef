#!/usr/bin/env python3
"""The Rust producers' control exports, driven through ctypes as a runner would.

Checks: configure and set_scenario show in the report; reset makes items alive before it
not this scenario's; finish reports leaked-object for an object still referenced and
leaked-future for a future that was polled and never freed, with their handles, and nothing once
they are released; counters follow; a leaked wake storm's threads stop at the next reset;
delays are scaled by the time scale.

With ASYNCABI_PRODUCER_TRACKING=off in the environment it checks instead that nothing is tracked
or judged, and that the report says so.

usage: test_control.py LIBFUTURES LIBADVERSARIAL
"""
import ctypes
import json
import os
import pathlib
import runpy
import sys
import threading
import time

# The violation codes (AA_MISUSES in observe.h, generated into runtime/families.py).
MISUSES = runpy.run_path(str(pathlib.Path(__file__).resolve().parents[3] / "runtime" /
                             "families.py"))["MISUSES"]


class RustBuffer(ctypes.Structure):
    _fields_ = [("capacity", ctypes.c_uint64), ("len", ctypes.c_uint64),
                ("data", ctypes.POINTER(ctypes.c_uint8))]


class RustCallStatus(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int8), ("errorBuf", RustBuffer)]


CONTINUATION = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.c_int8)
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def fn(lib, name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype, f.argtypes = restype, list(argtypes)
    return f


def report(lib):
    get = fn(lib, "asyncabi_monitor_report_json", ctypes.c_void_p)
    free = fn(lib, "asyncabi_monitor_free_string", None, ctypes.c_void_p)
    p = get()
    try:
        return json.loads(ctypes.string_at(p).decode())
    finally:
        free(p)


def begin(lib, scenario, seed=0, scale=1.0):
    fn(lib, "asyncabi_fixture_configure", None, ctypes.c_uint64, ctypes.c_double)(seed, scale)
    fn(lib, "asyncabi_monitor_reset", None)()
    fn(lib, "asyncabi_monitor_set_scenario", None, ctypes.c_char_p)(scenario.encode())


def finish(lib):
    return fn(lib, "asyncabi_monitor_finish", ctypes.c_uint32)()


class Poller:
    """Polls a future once and records the continuation's code."""

    def __init__(self):
        self.codes = []
        self.event = threading.Event()
        self.callback = CONTINUATION(self._continuation)  # kept alive with the poller

    def _continuation(self, data, code):
        self.codes.append(code)
        self.event.set()


def objects(futures):
    begin(futures, "control-objects", seed=7, scale=0.5)
    r = report(futures)
    check(r["scenario"] == "control-objects" and r["seed"] == 7 and r["time_scale"] == 0.5,
          "configure and set_scenario show in the report")
    check(r["producer"] == "rust" and r["monitor"] is False and r["tracking"] is True,
          "the report says it is the Rust producer, tracking")
    check(r["judges"] == ["leaked-future", "leaked-object"] and set(r["judges"]) <= set(MISUSES),
          "it judges leaked-future and leaked-object, codes of AA_MISUSES")
    status = RustCallStatus()
    handle = fn(futures, "uniffi_futures_fn_func_new_megaphone", ctypes.c_uint64,
                ctypes.POINTER(RustCallStatus))(ctypes.byref(status))
    check(status.code == 0 and handle != 0, "new_megaphone returns a handle")
    check(finish(futures) == 1, "finish counts the megaphone still referenced")
    r = report(futures)
    v = r["violations"]
    check(len(v) == 1 and v[0]["code"] == "leaked-object" and v[0]["handle"] == handle,
          "leaked-object names the megaphone's handle")
    check(r["counters"]["live_objects"] == 1 and r["counters"]["objects_created"] == 1,
          "live_objects and objects_created count it")
    check(finish(futures) == 1, "a leak is reported once")
    fn(futures, "uniffi_futures_fn_free_megaphone", None, ctypes.c_uint64,
       ctypes.POINTER(RustCallStatus))(handle, ctypes.byref(status))
    begin(futures, "control-objects-2")
    check(finish(futures) == 0 and report(futures)["counters"]["process_live_objects"] == 0,
          "nothing leaks once the megaphone is freed")


def pending_future(adversarial):
    begin(adversarial, "control-future")
    drops = fn(adversarial, "uniffi_adversarial_fn_func_never_complete_drops", ctypes.c_uint64,
               ctypes.POINTER(RustCallStatus))
    status = RustCallStatus()
    before = drops(ctypes.byref(status))
    handle = fn(adversarial, "uniffi_adversarial_fn_func_never_complete", ctypes.c_uint64)()
    poller = Poller()
    fn(adversarial, "ffi_adversarial_rust_future_poll_void", None, ctypes.c_uint64, CONTINUATION,
       ctypes.c_uint64)(handle, poller.callback, 1)
    check(poller.codes == [], "never_complete stays pending")
    check(finish(adversarial) == 1, "finish counts the pending future never freed")
    r = report(adversarial)
    v = r["violations"]
    check(len(v) == 1 and v[0]["code"] == "leaked-future" and v[0]["handle"] == handle,
          "leaked-future names the future's handle")
    check(r["counters"]["live_futures"] == 1 and r["counters"]["futures_created"] == 1,
          "live_futures and futures_created count it")
    fn(adversarial, "ffi_adversarial_rust_future_free_void", None, ctypes.c_uint64)(handle)
    check(poller.codes == [0], "free answers the stored continuation with READY")
    check(drops(ctypes.byref(status)) == before + 1, "free dropped the future's body")
    begin(adversarial, "control-future-2")
    check(finish(adversarial) == 0 and report(adversarial)["counters"]["process_live_futures"] == 0,
          "nothing leaks once the future is freed")


def leaked_storm(adversarial):
    """A wake storm whose future the binding leaked stops at the next reset (storm.c's rule)."""
    begin(adversarial, "control-storm")
    live = fn(adversarial, "uniffi_adversarial_fn_func_live_producer_threads", ctypes.c_uint32,
              ctypes.POINTER(RustCallStatus))
    status = RustCallStatus()
    handle = fn(adversarial, "uniffi_adversarial_fn_func_wake_while_cancel", ctypes.c_uint64,
                ctypes.c_uint32)(3)
    poller = Poller()
    fn(adversarial, "ffi_adversarial_rust_future_poll_void", None, ctypes.c_uint64, CONTINUATION,
       ctypes.c_uint64)(handle, poller.callback, 1)  # the first poll starts the threads
    poller.event.wait(5)
    check(live(ctypes.byref(status)) > 0, "wake_while_cancel's threads run while it is pending")
    begin(adversarial, "control-storm-2")
    deadline = time.monotonic() + 30
    while live(ctypes.byref(status)) > 0 and time.monotonic() < deadline:
        time.sleep(0.001)
    check(live(ctypes.byref(status)) == 0, "a leaked storm's threads stop at the next reset")
    fn(adversarial, "ffi_adversarial_rust_future_free_void", None, ctypes.c_uint64)(handle)
    begin(adversarial, "control-storm-3")


def time_scale(futures):
    begin(futures, "control-scale", scale=0.1)
    handle = fn(futures, "uniffi_futures_fn_func_sleep_no_return", ctypes.c_uint64,
                ctypes.c_uint16)(500)
    poll = fn(futures, "ffi_futures_rust_future_poll_void", None, ctypes.c_uint64, CONTINUATION,
              ctypes.c_uint64)
    start = time.monotonic()
    while True:
        poller = Poller()
        poll(handle, poller.callback, 0)
        if not poller.event.wait(5):
            break
        if poller.codes == [0]:
            break
    elapsed_ms = (time.monotonic() - start) * 1000
    status = RustCallStatus()
    fn(futures, "ffi_futures_rust_future_complete_void", None, ctypes.c_uint64,
       ctypes.POINTER(RustCallStatus))(handle, ctypes.byref(status))
    fn(futures, "ffi_futures_rust_future_free_void", None, ctypes.c_uint64)(handle)
    check(status.code == 0 and 40 <= elapsed_ms < 400,
          f"sleep_no_return(500) at time scale 0.1 took {elapsed_ms:.0f} ms (50 expected)")


def untracked(futures):
    begin(futures, "control-untracked")
    status = RustCallStatus()
    handle = fn(futures, "uniffi_futures_fn_func_new_megaphone", ctypes.c_uint64,
                ctypes.POINTER(RustCallStatus))(ctypes.byref(status))
    check(finish(futures) == 0, "tracking off: finish judges nothing")
    r = report(futures)
    check(r["tracking"] is False and r["judges"] == [] and r["counters"]["live_objects"] is None,
          "tracking off: the report says so, with null counters")
    fn(futures, "uniffi_futures_fn_free_megaphone", None, ctypes.c_uint64,
       ctypes.POINTER(RustCallStatus))(handle, ctypes.byref(status))


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    futures, adversarial = ctypes.CDLL(argv[1]), ctypes.CDLL(argv[2])
    if os.environ.get("ASYNCABI_PRODUCER_TRACKING") in ("off", "0"):
        untracked(futures)
        print(f"test_control: {len(failures)} failure(s)")
        return 1 if failures else 0
    objects(futures)
    pending_future(adversarial)
    leaked_storm(adversarial)
    time_scale(futures)
    print(f"test_control: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
