"""What every scenario step means, once for every runner written in Python.

A runner reports what happened, step by step; it does not judge (docs/runner-protocol.md):
judging against the scenario's expectations is the harness's job, so every backend is held to
the same reading. An outcome is one of
  {"value": v} {"error": {"type": T, "value": v}} {"unexpected": message} {"cancelled": true}
  {"timeout": true} {"failure": message}   (the last: the runner itself could not do the step)
plus "exception" (the native exception's qualified name) and "elapsed_ms".

`ScenarioRun` here performs the steps: the fresh event loop, the step deadline, skipping after
a timeout or a failure, where a call runs (`on`), spawn/await, gather and its completion order,
cancel and its latency, the cancel sweep, sleeps, garbage collection, foreign objects with
declared behaviours and their counters, saved values and `$ref`s. Cancellation is asyncio's
own (`Task.cancel()`), the same for every Python backend. A backend subclasses it and supplies
only what depends on its binding, the methods under "the backend's part" below:

  prepare_call(spec)          call this export: the binding's callable for a call spec
  outcome_of_exception(e, s)  what an exception a call raised means: error, unexpected, failure
  implement(fixture, iface,   implement this foreign trait: a ForeignObject the binding accepts
            behaviours)
  object_type_name(value)     is this a producer object, and of which interface
  value_to_json(value)        other binding values (enums, records) as JSON
  release(value) / collect()  let go of a value the scenario no longer refers to
  after_loop()                what must be gone before the monitor's end
  exception_module(cls)       the module an exception's qualified name is reported with

`self.bindings` maps each fixture the scenario names to the backend's object for it, which
has `set_event_loop(loop)` (UniFFI's `uniffi_set_event_loop`).
"""
import asyncio
import contextlib
import gc
import hashlib
import json
import threading
import time

LONG_STRING = 4096


class StepAbort(Exception):
    """The step cannot finish (timeout, runner failure): later steps are skipped."""


class BoundCall:
    """One call of an export, its arguments converted for the binding (prepare_call)."""

    def is_async(self) -> bool:
        """True if the export returns a future to await."""
        raise NotImplementedError

    def call_sync(self):
        """Calls a synchronous export on this thread and returns its value."""
        raise NotImplementedError

    async def call_async(self, on_wake=None, on_answer=None):
        """Calls an async export and awaits it on the running loop. `on_wake()` runs for every
        WAKE; `on_answer()` on the loop as soon as a poll's code has reached it, before the
        awaiting task resumes (where the cancel sweep cancels at the answer)."""
        raise NotImplementedError


class ForeignObject:
    """A Python implementation of a callback interface, as a user's would be, whose methods
    follow declared behaviours:
    {"delay_ms": n | {"$arg": name}, "result": "value" | "error" | "exception" | "never" | "call",
     "value": v | {"$arg": name} | {"$format": "..."}, "error": {...}, "message": str}.
    `to_binding(json)` makes a returned value, `make_error(type_name, json)` a declared error:
    the binding's own. Each method counts started, completed, failed and cancelled calls, and
    for async methods the thread each call ran on (check_foreign)."""

    def __init__(self, run: "ScenarioRun", decl: dict, behaviours: dict, to_binding, make_error):
        self.stats = {}
        for method in decl["methods"]:
            name = method["name"]
            spec = behaviours.get(name, {"result": "exception", "message": "not implemented"})
            self.stats[name] = {"started": 0, "completed": 0, "failed": 0, "cancelled": 0,
                                "threads": []}
            make = self._async_method if method.get("async") else self._sync_method
            setattr(self, name, make(run, method, spec, to_binding, make_error))

    def _async_method(self, run, method, spec, to_binding, make_error):
        stats = self.stats[method["name"]]

        async def impl(*args):
            named = dict(zip((a["name"] for a in method.get("args", [])), args))
            with _counted(stats):
                stats["threads"].append("main" if threading.current_thread() is run.main_thread
                                        else "other")
                delay = _resolve(spec.get("delay_ms", 0), named)
                if delay:
                    await asyncio.sleep(delay * run.time_scale / 1000.0)
                if spec.get("result") == "never":
                    await asyncio.get_running_loop().create_future()
                if spec.get("result") == "call":  # re-enter the producer, then adjust
                    call = dict(spec["call"], args=[_resolve(a, named, self)
                                                    for a in spec["call"].get("args", [])])
                    return await run.call(call) + spec.get("plus", 0)
                return _produce(spec, method, named, to_binding, make_error)
        return impl

    def _sync_method(self, run, method, spec, to_binding, make_error):
        stats = self.stats[method["name"]]

        def impl(*args):
            named = dict(zip((a["name"] for a in method.get("args", [])), args))
            with _counted(stats):
                return _produce(spec, method, named, to_binding, make_error)
        return impl


@contextlib.contextmanager
def _counted(stats):
    """Counts one call of a foreign method: started, then how it ended."""
    stats["started"] += 1
    try:
        yield
    except asyncio.CancelledError:
        stats["cancelled"] += 1
        raise
    except BaseException:
        stats["failed"] += 1
        raise
    stats["completed"] += 1


def _resolve(template, named, this=None):
    if isinstance(template, dict) and "$arg" in template:
        value = named[template["$arg"]]
        return value + template["plus"] if "plus" in template else value
    if isinstance(template, dict) and "$self" in template:
        return this
    if isinstance(template, dict) and "$format" in template:
        return template["$format"].format(**named)
    return template


def _produce(spec, method, named, to_binding, make_error):
    result = spec.get("result", "value")
    if result == "value":
        return to_binding(_resolve(spec.get("value"), named))
    if result == "error":
        raise make_error(method.get("throws"), _resolve(spec["error"], named))
    if result == "exception":
        raise RuntimeError(spec.get("message", "unexpected exception from the foreign side"))
    raise ValueError(f"unknown behaviour result {result!r}")


def _elapsed_ms(start: float) -> float:
    return round((time.monotonic() - start) * 1000, 3)


class ScenarioRun:
    """One scenario on a fresh event loop. `bindings` maps fixture names to the backend's
    object for each (module docstring)."""

    def __init__(self, scenario: dict, bindings: dict, time_scale: float):
        self.scenario = scenario
        self.bindings = bindings
        self.time_scale = time_scale
        self.default_fixture = scenario["fixtures"][0]
        self.vars = {}
        self.tasks = {}
        self.outcomes = []
        # A hang detector, not a time bound: shrinks with the time scale, but never below a
        # third of the scenario's value (scheduling noise does not scale).
        self.step_timeout = scenario.get("step_timeout_ms", 3000) / 1000.0 * max(time_scale, 1 / 3)
        self.main_thread = threading.current_thread()
        self.loop = None

    # --- the backend's part ------------------------------------------------------------------
    def prepare_call(self, spec) -> BoundCall:
        """The call a spec names ("function", "receiver": a saved object, "args", "fixture"),
        with its arguments (`self.argument_values(spec)`) converted for the binding. Raises
        LookupError for an export the binding does not have."""
        raise NotImplementedError

    def outcome_of_exception(self, exc: Exception, spec: dict) -> dict:
        """What an exception a call raised means: {"error": {"type", "value"}} for a declared
        error, {"unexpected": message} for an undeclared one (call status 2), {"failure":
        message} when the runner could not perform the step (the step then aborts); each with
        "exception": self.exception_name(exc). May re-raise `exc` (the step fails)."""
        raise NotImplementedError

    def implement(self, fixture: str, interface: str, behaviours: dict) -> ForeignObject:
        """A ForeignObject implementing callback interface `interface` of `fixture`."""
        raise NotImplementedError

    def object_type_name(self, value):
        """The interface name of a producer object, or None if `value` is not one."""
        raise NotImplementedError

    def value_to_json(self, value):
        """A binding value that is none of JSON's, bytes, a sequence, a map, a producer object
        or a foreign object (e.g. an enum or a record), as JSON."""
        return value

    def release(self, value) -> None:
        """The scenario lets go of `value` (unsaved, dropped or at the end): free what the
        binding frees explicitly. Nothing for a binding whose objects free themselves."""

    def collect(self) -> None:
        """After a drop and at the end: what a binding that frees objects when they are
        collected needs to make that happen now."""

    def after_loop(self) -> None:
        """The scenario's loop has closed; the monitor's end is next."""

    def exception_module(self, cls) -> str:
        """The module an exception class is reported with."""
        return cls.__module__

    # --- entry point -------------------------------------------------------------------------
    def run(self) -> list:
        asyncio.run(self._main())
        self.after_loop()
        return self.outcomes

    async def _main(self):
        self.loop = asyncio.get_running_loop()
        for binding in self.bindings.values():
            binding.set_event_loop(self.loop)  # uniffi_set_event_loop: for loopless threads
        aborted = None
        for index, step in enumerate(self.scenario["steps"]):
            if aborted is not None:
                self.outcomes.append({"step": index, "do": step["do"], "skipped": aborted})
                continue
            start = time.monotonic()
            try:
                outcome = await getattr(self, "step_" + step["do"])(step)
            except StepAbort as abort:
                outcome = abort.args[0]
                aborted = (f"step {index} failed in the runner" if "failure" in outcome
                           else f"step {index} did not finish")
            except Exception as exc:  # the runner could not do the step at all
                outcome = {"failure": f"{self.exception_name(exc)}: {exc}",
                           "exception": self.exception_name(exc)}
                aborted = f"step {index} failed in the runner"
            outcome.setdefault("elapsed_ms", _elapsed_ms(start))
            outcome.update(step=index, do=step["do"])
            self.outcomes.append(outcome)
        await self._cleanup()

    async def _cleanup(self):
        for task in self.tasks.values():
            if not task.done():
                task.cancel()
        if self.tasks:
            await asyncio.wait(list(self.tasks.values()), timeout=self.step_timeout)
        # Like a garbage collector would: release every value still held.
        self._release_saved()
        self.collect()
        # Let foreign completions dispatched to this loop run before it closes.
        await asyncio.sleep(0.01)

    def _release_saved(self):
        value = None
        for value in self.vars.values():
            self.release(value)
        del value
        self.vars.clear()

    # --- values ------------------------------------------------------------------------------
    def exception_name(self, exc) -> str:
        """The native exception's qualified name (builtins without their module)."""
        cls = type(exc)
        module = self.exception_module(cls)
        return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"

    def to_json(self, value):
        """Binding values to the protocol's JSON: a producer object is {"$object": type}, bytes
        {"$bytes": hex}, a foreign object {"$foreign": true}, a string longer than 4096
        characters {"$string": {"length": n, "sha256": hex}}."""
        if isinstance(value, str) and len(value) > LONG_STRING:
            return {"$string": {"length": len(value),
                                "sha256": hashlib.sha256(value.encode()).hexdigest()}}
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        type_name = self.object_type_name(value)
        if type_name is not None:
            return {"$object": type_name}
        if isinstance(value, (bytes, bytearray)):
            return {"$bytes": bytes(value).hex()}
        if isinstance(value, dict):
            return {str(k): self.to_json(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.to_json(v) for v in value]
        if isinstance(value, ForeignObject):
            return {"$foreign": True}
        return self.value_to_json(value)

    def lookup(self, ref: str):
        """A saved value; "name.2" is element 2 of a saved sequence."""
        name, *path = ref.split(".")
        value = self.vars[name]
        for part in path:
            value = value[int(part)] if isinstance(value, list) else value[part]
        return value

    def value(self, value):
        """A scenario value with its {"$ref": name}s replaced by the saved values."""
        if isinstance(value, dict) and set(value) == {"$ref"}:
            return self.lookup(value["$ref"])
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def argument_values(self, spec) -> list:
        return [self.value(a) for a in spec.get("args", [])]

    # --- calls -------------------------------------------------------------------------------
    async def call(self, spec, on_wake=None, on_answer=None):
        """Performs one call as the spec says, on the loop it names; returns the value."""
        bound = self.prepare_call(spec)
        where = spec.get("on", "loop")
        if where == "loop":
            if bound.is_async():
                return await bound.call_async(on_wake=on_wake, on_answer=on_answer)
            return bound.call_sync()
        if where == "executor":  # a thread with no event loop
            if bound.is_async():
                raise ValueError("an async export cannot be awaited on a thread with no loop")
            return await self.loop.run_in_executor(None, bound.call_sync)
        if where == "second_loop":  # a thread running its own event loop
            result = self.loop.create_future()

            def thread_main():
                async def second():
                    if bound.is_async():
                        return await bound.call_async()
                    return bound.call_sync()
                try:
                    value = asyncio.run(second())
                    self.loop.call_soon_threadsafe(_settle, result, value, None)
                except BaseException as exc:
                    self.loop.call_soon_threadsafe(_settle, result, None, exc)
            threading.Thread(target=thread_main, name="second-loop", daemon=True).start()
            return await result
        raise ValueError(f"unknown 'on': {where!r}")

    async def _outcome_of(self, awaitable, spec, deadline=True):
        """Awaits (with the step deadline unless the caller enforces one) and turns the result
        into an outcome."""
        start = time.monotonic()
        try:
            value = await (asyncio.wait_for(awaitable, self.step_timeout) if deadline
                           else awaitable)
            outcome = {"value": self.to_json(value)}
            if "save" in spec:
                self.vars[spec["save"]] = value
            else:
                self.release(value)  # nothing refers to it any more: what a GC would do
            del value
        except asyncio.TimeoutError as exc:
            raise StepAbort({"timeout": True, "exception": self.exception_name(exc),
                             "elapsed_ms": _elapsed_ms(start)})
        except asyncio.CancelledError as exc:
            if asyncio.current_task().cancelling():
                raise
            outcome = {"cancelled": True, "exception": self.exception_name(exc)}
        except Exception as exc:
            outcome = self.outcome_of_exception(exc, spec)
            if "failure" in outcome:  # could not do it: abort the rest
                raise StepAbort(outcome)
        outcome["elapsed_ms"] = _elapsed_ms(start)
        return outcome

    # --- steps -------------------------------------------------------------------------------
    async def step_call(self, step):
        return await self._outcome_of(self.call(step), step)

    async def step_spawn(self, step):
        spec = step["call"]
        task = self.loop.create_task(self.call(spec))
        task.spec = spec
        self.tasks[step["task"]] = task
        await asyncio.sleep(0)  # let the task make its first poll
        return {"value": None}

    async def step_await(self, step):
        task = self.tasks[step["task"]]
        return await self._outcome_of(asyncio.shield(task), getattr(task, "spec", {}))

    async def step_gather(self, step):
        """Runs every call concurrently; a call with "count": N runs N times and is reported
        once, as its distinct outcomes with how many times each occurred."""
        order = []
        start = time.monotonic()

        async def one(spec):  # the gather as a whole has the deadline
            outcome = await self._outcome_of(self.call(spec), spec, deadline=False)
            label = spec.get("label", spec["function"])
            if label not in order:
                order.append(label)
            return label, outcome

        async def group(spec):
            count = spec.get("count", 1)
            outcomes = await asyncio.gather(*(one(spec) for _ in range(count)))
            if count == 1:
                return dict(outcomes[0][1], label=outcomes[0][0])
            distinct = {}
            for _, outcome in outcomes:
                elapsed = outcome.pop("elapsed_ms", 0.0)
                key = json.dumps(outcome, sort_keys=True)
                entry = distinct.setdefault(key, dict(outcome, times=0, elapsed_ms=0.0))
                entry["times"] += 1
                entry["elapsed_ms"] = max(entry["elapsed_ms"], elapsed)
            return {"label": outcomes[0][0], "count": count, "distinct": list(distinct.values()),
                    "elapsed_ms": max(d["elapsed_ms"] for d in distinct.values())}
        try:
            results = await asyncio.wait_for(
                asyncio.gather(*(group(s) for s in step["calls"])), self.step_timeout * 2)
        except asyncio.TimeoutError as exc:
            raise StepAbort({"timeout": True, "exception": self.exception_name(exc),
                             "order": order})
        return {"results": results, "order": order, "elapsed_ms": _elapsed_ms(start)}

    async def step_cancel(self, step):
        if "task" in step:
            task = self.tasks[step["task"]]
        else:
            woke = asyncio.Event()
            on_wake = woke.set if step.get("after") == "first_wake" else None
            task = self.loop.create_task(self.call(step["call"], on_wake=on_wake))
        if step.get("after") == "first_wake":
            try:
                await asyncio.wait_for(woke.wait(), self.step_timeout)
            except asyncio.TimeoutError:
                task.cancel()
                raise StepAbort({"timeout": True, "exception": "asyncio.TimeoutError",
                                 "message": "no WAKE arrived before the deadline"})
        else:
            await asyncio.sleep(step.get("after_ms", 0) * self.time_scale / 1000.0)
        was_done = task.done()
        task.cancel()
        start = time.monotonic()
        done, _ = await asyncio.wait([task], timeout=self.step_timeout)
        if not done:
            raise StepAbort({"timeout": True, "exception": "asyncio.TimeoutError",
                             "message": "the cancelled task did not finish"})
        outcome = await self._outcome_of(task, step.get("call", {}))
        outcome["finished_before_cancel"] = was_done
        outcome["cancel_latency_ms"] = _elapsed_ms(start)
        return outcome

    async def step_cancel_sweep(self, step):
        """Starts `call` `count` times, one after the other, and cancels each awaiting task
        around the moment the producer answers: every third run from inside the binding's
        on_answer hook (the poll's code has reached the loop, the task has not resumed: the
        tightest race with completion), the others after an offset swept evenly from
        around_ms - spread_ms to around_ms + spread_ms (scaled). Reports the distinct
        outcomes and where the cancels landed."""
        spec, count = step["call"], step["count"]
        around, spread = step.get("around_ms", 0.0), step.get("spread_ms", 0.0)
        landed = {"before_answer": 0, "at_answer": 0, "after_completion": 0}
        distinct = {}
        start = time.monotonic()
        for i in range(count):
            run = {"task": None, "hook": i % 3 == 0, "cancelled": False}

            def on_answer(run=run):
                task = run["task"]
                if run["hook"] and not run["cancelled"] and task is not None and not task.done():
                    run["cancelled"] = True
                    task.cancel()
            run["task"] = task = self.loop.create_task(self.call(spec, on_answer=on_answer))
            if not run["hook"]:
                offset = around - spread + 2 * spread * i / max(count - 1, 1)
                await asyncio.sleep(max(offset, 0.0) * self.time_scale / 1000.0)
                if not task.done():
                    run["cancelled"] = True
                    task.cancel()
                    landed["before_answer"] += 1
            done, _ = await asyncio.wait([task], timeout=self.step_timeout)
            if not done:
                task.cancel()
                raise StepAbort({"timeout": True, "exception": "asyncio.TimeoutError",
                                 "message": f"run {i} of the sweep did not finish",
                                 "landed": landed})
            if run["hook"]:
                landed["at_answer" if run["cancelled"] else "after_completion"] += 1
            elif not run["cancelled"]:
                landed["after_completion"] += 1
            outcome = await self._outcome_of(task, spec, deadline=False)
            outcome.pop("elapsed_ms", None)
            key = json.dumps(outcome, sort_keys=True)
            distinct.setdefault(key, dict(outcome, times=0))["times"] += 1
        return {"value": {"runs": count, "landed": landed},
                "distinct": list(distinct.values()), "elapsed_ms": _elapsed_ms(start)}

    async def step_implement(self, step):
        fixture = step.get("fixture", self.default_fixture)
        self.vars[step["save"]] = self.implement(fixture, step["interface"], step["methods"])
        return {"value": None}

    async def step_drop(self, step):
        self.release(self.vars.pop(step["value"]))
        self.collect()
        return {"value": None}

    async def step_sleep(self, step):
        await asyncio.sleep(step["ms"] * self.time_scale / 1000.0)
        return {"value": None}

    async def step_collect_garbage(self, step):
        """A full collection while tasks are parked, as a real program's collector may run at
        any moment: whatever the binding keeps only weakly, or only in an unreachable cycle,
        is collected now. A second pass takes what the first one's finalizers released; the
        yield lets the loop run the callbacks they scheduled."""
        collected = gc.collect()
        collected += gc.collect()
        await asyncio.sleep(0)
        return {"value": None, "collected": collected}

    async def step_check_foreign(self, step):
        """Reports a foreign object's counters, once they match or `within_ms` has passed."""
        stats = self.vars[step["object"]].stats[step["method"]]
        deadline = time.monotonic() + step.get("within_ms", 0) * self.time_scale / 1000.0 + 0.05
        want = step.get("expect", {})
        while time.monotonic() < deadline:
            if all(stats.get(k) == v for k, v in want.items()):
                break
            await asyncio.sleep(0.005)
        return {"value": {k: v for k, v in stats.items() if k != "threads"},
                "threads": list(stats["threads"])}


def _settle(future, value, exc):
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(value)
