"""Deliberately broken variants of the Python backend: the suite must catch every one.

Each mutant is a small subclass of asyncabi_py.binding.Library that breaks exactly one step,
modelled on a bug a real binding shipped (conformance/mutants/README.md). The runner selects
one with `--mutant NAME` or ASYNCABI_PY_MUTANT=NAME. `expect` lists the symptoms that count as
catching it for the right reason: monitor violation codes (AA_MISUSES, observe.h), or the
harness's own symptoms ('timeout', 'timing', 'outcome', 'runner', 'runner-crashed', ...: the
table of asyncabi_conformance/symptoms.py); conformance/tests/test_symptoms.py fails on any
other name.

This module's metadata (MUTANTS) imports nothing, so the harness can list mutants without
loading the backend.
"""

MUTANTS = {
    "never_frees": {
        "bug": "never calls rust_future_free: every future leaks",
        "expect": ["leaked-future"],
    },
    "frees_twice": {
        "bug": "calls rust_future_free twice (cleanup in both an except and a finally)",
        "expect": ["free-twice"],
    },
    "complete_before_ready": {
        "bug": "calls complete right after the first poll, without waiting for READY",
        "expect": ["complete-before-ready"],
    },
    "polls_after_complete": {
        "bug": "polls once more after complete (a loop that checks READY too late)",
        "expect": ["poll-after-complete"],
    },
    "ignores_wake": {
        "bug": "treats WAKE as 'not yet' and waits for another callback instead of polling again",
        "expect": ["timeout"],
    },
    "wake_not_threadsafe": {
        "bug": "resumes the awaiting task with loop.call_soon, not call_soon_threadsafe, from the "
               "producer's thread: the sleeping loop is never woken",
        "expect": ["timeout", "timing"],
    },
    "wrong_event_loop": {
        "bug": "dispatches continuations to the process's main loop instead of the loop that "
               "awaits (Python, 2026: two loops in one process)",
        "expect": ["timeout", "timing"],
    },
    "leaks_on_cancel": {
        "bug": "when the awaiting task is cancelled, calls cancel but never free",
        "expect": ["leaked-future"],
    },
    "drops_foreign_exception": {
        "bug": "a foreign async method raised: the exception is logged and complete is never "
               "called, so the producer awaits forever",
        "expect": ["foreign-complete-missing", "timeout"],
    },
    "completes_foreign_twice": {
        "bug": "calls a foreign future's complete callback twice, replaying the same result (a "
               "buffer is handed over twice: the C runtime reports it and never frees it again, "
               "also after the call was dropped; UniFFI's Rust scaffolding crashes)",
        "expect": ["foreign-complete-twice", "runner-crashed"],
    },
    "ignores_dropped_callback": {
        "bug": "leaves the producer's no-op dropped callback in place: a foreign task keeps "
               "running after the producer dropped its future",
        "expect": ["dropped-callback-ignored", "outcome", "timeout"],
    },
    "dropped_not_threadsafe": {
        "bug": "the dropped callback, run on a producer thread, schedules the task's "
               "cancellation with loop.call_soon instead of call_soon_threadsafe: the sleeping "
               "loop does not notice until something else wakes it",
        "expect": ["timeout", "timing"],
    },
    "no_fallback_loop": {
        "bug": "no uniffi_set_event_loop fallback: a foreign async call that arrives on a "
               "producer thread without an event loop cannot run",
        "expect": ["outcome", "timeout", "foreign-complete-missing"],
    },
    "shared_continuation_callback": {
        "bug": "one process-wide continuation callback for every loaded library, each with its "
               "own handle map: one library's wakes land in another's map (Go, two libraries)",
        "expect": ["timeout", "outcome"],
    },
    "callback_not_kept_alive": {
        "bug": "passes a fresh ctypes continuation thunk to each poll and drops its reference: "
               "the producer later calls freed memory (the Kotlin/JNA GC bug)",
        "expect": ["runner-crashed", "runner-hung", "timeout", "runner", "outcome"],
    },
    "reuses_stale_status": {
        "bug": "hands every complete the same RustCallStatus and never resets its code: after "
               "one failed call, a successful one (which leaves the status untouched, as "
               "uniffi-rs does) reads back the stale error",
        "expect": ["status-not-reset"],
    },
    "foreign_task_weakly_held": {
        "bug": "starts a foreign async method with loop.create_task and keeps only a weak "
               "reference to the task (the loop keeps only weak ones too): a garbage "
               "collection while the task is parked destroys it, so the producer's drop reaches "
               "nothing and complete is never called",
        "expect": ["foreign-complete-missing"],
    },
    "foreign_completion_holder_collected": {
        "bug": "the object holding a foreign call's complete callback lives in a reference "
               "cycle and is found through a weak map when the task ends: a garbage collection "
               "while the task runs collects it, and the completion is lost",
        "expect": ["foreign-complete-missing"],
    },
    "frees_twice_on_cancel_race": {
        "bug": "a cancellation that lands after the producer's continuation answered (before "
               "the task resumed) frees the future at once, 'since the producer is done with "
               "it', and the normal cleanup frees it again",
        "expect": ["free-twice", "cancel-after-free"],
    },
    "leaks_one_cancel_in_fifty": {
        "bug": "one cancelled future in fifty is cancelled but never freed (a cleanup path "
               "that only some cancellations take)",
        "expect": ["leaked-future"],
    },
    "drops_wake_during_poll": {
        "bug": "registers the waiter for a poll's continuation only after poll returns (an "
               "inline continuation on the polling thread is caught separately): one that a "
               "producer thread invokes while poll is still running finds no waiter and is "
               "dropped. poll_handoff names it (continuation-unanswered); elsewhere a producer "
               "thread's wake only sometimes lands in that window, and then only the step's "
               "deadline notices",
        "expect": ["continuation-unanswered", "timeout"],
    },
    "f32_completed_as_f64": {
        "bug": "drives f32 futures with the f64 family's functions (one generic float path): "
               "complete_f64 reads a double where the producer stored a float",
        "expect": ["wrong-family"],
    },
}


def library_class(name):
    """The Library subclass implementing mutant `name`."""
    import asyncio
    import ctypes
    import functools
    import gc
    import itertools
    import threading
    import weakref

    from asyncabi_py import ffi
    from asyncabi_py.binding import Library, _ForeignCall

    if name not in MUTANTS:
        raise SystemExit(f"unknown mutant {name!r}; known: {', '.join(MUTANTS)}")

    class NeverFrees(Library):
        def _release(self, handle, family, cancelled):
            if cancelled:
                self._family_functions(family)[1](handle)

    class FreesTwice(Library):
        def _release(self, handle, family, cancelled):
            super()._release(handle, family, cancelled)
            self._family_functions(family)[3](handle)

    class CompleteBeforeReady(Library):
        async def _drive(self, handle, family, on_wake, on_answer=None):
            self._poll_once(handle, family, asyncio.get_running_loop())

    class PollsAfterComplete(Library):
        def _complete(self, handle, family):
            value, status = super()._complete(handle, family)
            self._poll_once(handle, family, asyncio.get_running_loop())
            return value, status

    class IgnoresWake(Library):
        async def _drive(self, handle, family, on_wake, on_answer=None):
            loop = asyncio.get_running_loop()
            code = await self._poll_once(handle, family, loop)
            while code != ffi.POLL_READY:
                code = await loop.create_future()  # waits for a second callback that never comes

    class WakeNotThreadsafe(Library):
        def _dispatch_continuation(self, loop, future, code):
            loop.call_soon(_set_result, future, code)

    class WrongEventLoop(Library):
        def _dispatch_continuation(self, loop, future, code):
            main = self.fallback_loop or loop  # "the" loop, cached at startup
            main.call_soon_threadsafe(_set_result, future, code)

    class LeaksOnCancel(Library):
        def _release(self, handle, family, cancelled):
            if cancelled:
                self._family_functions(family)[1](handle)
                return
            super()._release(handle, family, cancelled)

    class DropsForeignException(Library):
        def _foreign_result_of_exception(self, call, exc):
            if isinstance(exc, (asyncio.CancelledError,)) or \
                    getattr(exc, "type_name", None) == call.throws:
                return super()._foreign_result_of_exception(call, exc)
            import traceback
            traceback.print_exception(exc)
            return None

        def _send_foreign_result(self, call, result):
            if result is not None:
                super()._send_foreign_result(call, result)

    class CompletesForeignTwice(Library):
        def _send_foreign_result(self, call, result):
            call.complete(call.data, result)
            call.complete(call.data, result)

    class IgnoresDroppedCallback(Library):
        def _install_dropped(self, out_dropped, token):
            pass

    class DroppedNotThreadsafe(Library):
        def _cancel_foreign_task(self, task, loop):
            loop.call_soon(task.cancel)  # from the producer's thread: no self-pipe write

    class NoFallbackLoop(Library):
        def _loop_for_foreign_call(self):
            return asyncio.get_running_loop()

    class SharedContinuationCallback(Library):
        shared = None  # the callback of the first library loaded, used by all

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            cls = SharedContinuationCallback
            if cls.shared is None:
                cls.shared = self._continuation_callback
            self._continuation_callback = cls.shared

    class CallbackNotKeptAlive(Library):
        def _poll_once(self, handle, family, loop):
            future = loop.create_future()
            data = self._continuations.insert((loop, future, threading.get_ident()))
            thunk = ffi.ContinuationCallback(self._on_continuation)
            self._family_functions(family)[0](handle, thunk, data)
            del thunk
            gc.collect()
            # Reuse the freed closure's memory so that a late call lands somewhere wrong.
            self._junk = [ffi.ContinuationCallback(lambda d, c: None) for _ in range(4)]
            return future

    class ReusesStaleStatus(Library):
        def _complete(self, handle, family):
            status = getattr(self, "_shared_status", None)
            if status is None:
                status = self._shared_status = ffi.RustCallStatus()
            value = self._family_functions(family)[2](handle, ctypes.byref(status))
            seen = ffi.RustCallStatus(status.code, status.errorBuf)
            status.errorBuf = ffi.RustBuffer(0, 0, None)  # the error buffer is ours now
            return value, seen  # ...but status.code keeps the last error's code

    class ForeignTaskWeaklyHeld(Library):
        def _start_foreign_call(self, method, family, handle, lowered, complete, data,
                                out_dropped):
            call = _ForeignCall(complete, data, family, method.get("return"),
                                method.get("throws"), None)
            try:
                obj = self.foreign_objects.get(handle)
                args = self._lift_method_args(method, lowered)
                call.loop = self._loop_for_foreign_call()
                coro = getattr(obj, method["name"])(*args)
            except BaseException as exc:
                self._send_foreign_result(call, self._foreign_result_of_exception(call, exc))
                return
            weak = {}
            token = self._foreign_calls.insert(weak)
            self._install_dropped(out_dropped, token)

            def start():
                task = call.loop.create_task(coro)
                weak["task"] = weakref.ref(task)  # "the loop keeps its tasks": it does not
                task.add_done_callback(functools.partial(self._on_foreign_done, call))
                if weak.get("dropped"):
                    task.cancel()
            call.loop.call_soon_threadsafe(start)

        def _on_foreign_dropped(self, token):
            weak = self._foreign_calls.remove(token)
            if weak is None:
                return
            weak["dropped"] = True  # a drop before the task starts cancels it in start()
            task = weak.get("task", lambda: None)()
            if task is not None:
                task.get_loop().call_soon_threadsafe(task.cancel)

    class _CompletionHolder:
        def __init__(self, call):
            self.call = call
            self.me = self  # the cycle a closure over itself gives a real binding

    class ForeignCompletionHolderCollected(Library):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._holders = weakref.WeakValueDictionary()

        def _start_foreign_call(self, method, family, handle, lowered, complete, data,
                                out_dropped):
            call = _ForeignCall(complete, data, family, method.get("return"),
                                method.get("throws"), None)
            try:
                obj = self.foreign_objects.get(handle)
                args = self._lift_method_args(method, lowered)
                call.loop = self._loop_for_foreign_call()
                coro = getattr(obj, method["name"])(*args)
                task = asyncio.run_coroutine_threadsafe(coro, call.loop)
            except BaseException as exc:
                self._send_foreign_result(call, self._foreign_result_of_exception(call, exc))
                return
            token = self._foreign_calls.insert((task, call.loop))
            self._install_dropped(out_dropped, token)
            holder = _CompletionHolder(call)
            self._holders[id(holder)] = holder  # weak: only the cycle keeps it
            task.add_done_callback(functools.partial(self._on_done_by_key, id(holder)))

        def _on_done_by_key(self, key, task):
            holder = self._holders.get(key)
            if holder is not None:  # collected: the completion is lost
                self._on_foreign_done(holder.call, task)

    class FreesTwiceOnCancelRace(Library):
        async def _drive(self, handle, family, on_wake, on_answer=None):
            loop = self._continuation_loop()
            while True:
                future = self._poll_once(handle, family, loop)
                if on_answer is not None:
                    future.add_done_callback(lambda f: f.cancelled() or on_answer())
                try:
                    code = await future
                except asyncio.CancelledError:
                    if future.done() and not future.cancelled():
                        self._family_functions(family)[3](handle)  # _release frees it too
                    raise
                if code == ffi.POLL_READY:
                    return
                if on_wake is not None:
                    on_wake()

    class LeaksOneCancelInFifty(Library):
        cancels = 0

        def _release(self, handle, family, cancelled):
            if cancelled:
                LeaksOneCancelInFifty.cancels += 1
                if LeaksOneCancelInFifty.cancels % 50 == 0:
                    self._family_functions(family)[1](handle)  # cancel, and no free
                    return
            super()._release(handle, family, cancelled)

    class DropsWakeDuringPoll(Library):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._waiters = {}
            self._ids = itertools.count(1)
            self._local = threading.local()

        def _poll_once(self, handle, family, loop):
            future = loop.create_future()
            data = next(self._ids)
            self._local.inline = None
            self._local.polling = data
            self._family_functions(family)[0](handle, self._continuation_callback, data)
            self._local.polling = None
            if self._local.inline is not None:
                future.set_result(self._local.inline)
            else:  # too late for a continuation that came from another thread meanwhile
                self._waiters[data] = (loop, future)
            return future

        def _on_continuation(self, data, code):
            if getattr(self._local, "polling", None) == data:
                self._local.inline = code  # inside poll, on the polling thread
                return
            entry = self._waiters.pop(data, None)
            if entry is None:
                return  # "a stale continuation": dropped
            loop, future = entry
            self._dispatch_continuation(loop, future, code)

    class F32CompletedAsF64(Library):
        def _family_functions(self, family):
            if family != "f32":
                return super()._family_functions(family)
            poll, cancel, complete, free = super()._family_functions("f64")
            # ...the value comes back through a double and is narrowed as if it were a float
            return poll, cancel, lambda handle, status: float(complete(handle, status)), free

    def _set_result(future, code):
        if not future.done():
            future.set_result(code)

    return {
        "never_frees": NeverFrees, "frees_twice": FreesTwice,
        "complete_before_ready": CompleteBeforeReady, "polls_after_complete": PollsAfterComplete,
        "ignores_wake": IgnoresWake, "wake_not_threadsafe": WakeNotThreadsafe,
        "wrong_event_loop": WrongEventLoop, "leaks_on_cancel": LeaksOnCancel,
        "drops_foreign_exception": DropsForeignException,
        "completes_foreign_twice": CompletesForeignTwice,
        "ignores_dropped_callback": IgnoresDroppedCallback,
        "dropped_not_threadsafe": DroppedNotThreadsafe, "no_fallback_loop": NoFallbackLoop,
        "callback_not_kept_alive": CallbackNotKeptAlive,
        "shared_continuation_callback": SharedContinuationCallback,
        "reuses_stale_status": ReusesStaleStatus,
        "foreign_task_weakly_held": ForeignTaskWeaklyHeld,
        "foreign_completion_holder_collected": ForeignCompletionHolderCollected,
        "frees_twice_on_cancel_race": FreesTwiceOnCancelRace,
        "leaks_one_cancel_in_fifty": LeaksOneCancelInFifty,
        "drops_wake_during_poll": DropsWakeDuringPoll,
        "f32_completed_as_f64": F32CompletedAsF64,
    }[name]
