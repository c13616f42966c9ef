"""Executes one conformance scenario (conformance/scenarios/*.json) with the binding.

The runner reports what happened, step by step; it does not judge. Judging against the
scenario's expectations is the harness's job, so every backend is held to the same reading.
An outcome is one of
  {"value": v} {"error": {"type": T, "value": v}} {"unexpected": message} {"cancelled": true}
  {"timeout": true} {"failure": message}   (the last: the runner itself could not do the step)
plus "exception" (the native exception's qualified name) and "elapsed_ms".
"""
import asyncio
import gc
import hashlib
import json
import threading
import time

from .binding import FixtureError, ObjectRef, UnexpectedError


class StepAbort(Exception):
    """The step cannot finish (timeout, runner failure): later steps are skipped."""


class ForeignObject:
    """A Python implementation of a callback interface whose methods follow declared behaviours:
    {"delay_ms": n | {"$arg": name}, "result": "value" | "error" | "exception" | "never",
     "value": v | {"$arg": name} | {"$format": "..."}, "error": {...}, "message": str}."""

    def __init__(self, run: "ScenarioRun", interface: str, decl: dict, behaviours: dict):
        self.stats = {}
        for method in decl["methods"]:
            name = method["name"]
            spec = behaviours.get(name, {"result": "exception", "message": "not implemented"})
            self.stats[name] = {"started": 0, "completed": 0, "failed": 0, "cancelled": 0,
                                "threads": []}
            if method.get("async"):
                setattr(self, name, self._async_method(run, method, spec))
            else:
                setattr(self, name, self._sync_method(run, method, spec))

    def _async_method(self, run, method, spec):
        stats = self.stats[method["name"]]

        async def impl(*args):
            named = dict(zip((a["name"] for a in method.get("args", [])), args))
            stats["started"] += 1
            stats["threads"].append("main" if threading.current_thread() is run.main_thread
                                    else "other")
            try:
                delay = _resolve(spec.get("delay_ms", 0), named)
                if delay:
                    await asyncio.sleep(delay * run.time_scale / 1000.0)
                if spec.get("result") == "never":
                    await asyncio.get_running_loop().create_future()
                if spec.get("result") == "call":  # re-enter the producer, then adjust
                    call = dict(spec["call"], args=[_resolve(a, named, self)
                                                    for a in spec["call"].get("args", [])])
                    value = await run._call(call) + spec.get("plus", 0)
                else:
                    value = _produce(spec, method, named)
            except asyncio.CancelledError:
                stats["cancelled"] += 1
                raise
            except BaseException:
                stats["failed"] += 1
                raise
            stats["completed"] += 1
            return value
        return impl

    def _sync_method(self, run, method, spec):
        stats = self.stats[method["name"]]

        def impl(*args):
            named = dict(zip((a["name"] for a in method.get("args", [])), args))
            stats["started"] += 1
            value = _produce(spec, method, named)
            stats["completed"] += 1
            return value
        return impl


def _resolve(template, named, this=None):
    if isinstance(template, dict) and "$arg" in template:
        value = named[template["$arg"]]
        return value + template["plus"] if "plus" in template else value
    if isinstance(template, dict) and "$self" in template:
        return this
    if isinstance(template, dict) and "$format" in template:
        return template["$format"].format(**named)
    return template


def _produce(spec, method, named):
    result = spec.get("result", "value")
    if result == "value":
        return from_json(_resolve(spec.get("value"), named))
    if result == "error":
        return _raise(FixtureError(method.get("throws"), _resolve(spec["error"], named)))
    if result == "exception":
        raise RuntimeError(spec.get("message", "unexpected exception from the foreign side"))
    raise ValueError(f"unknown behaviour result {result!r}")


def _raise(exc):
    raise exc


def from_json(value):
    """Scenario values to binding values ({"$bytes": hex} -> bytes)."""
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return bytes.fromhex(value["$bytes"])
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


LONG_STRING = 4096


def to_json(value):
    """Binding values to the protocol's JSON (objects become {"$object": type}; a string
    longer than 4096 characters becomes {"$string": {"length": n, "sha256": hex}})."""
    if isinstance(value, str) and len(value) > LONG_STRING:
        return {"$string": {"length": len(value),
                            "sha256": hashlib.sha256(value.encode()).hexdigest()}}
    if isinstance(value, ObjectRef):
        return {"$object": value.type_name}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": bytes(value).hex()}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, ForeignObject):
        return {"$foreign": True}
    return value


def exception_name(exc) -> str:
    cls = type(exc)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__name__}"


class ScenarioRun:
    """One scenario on a fresh event loop. `libraries` maps fixture names to Library objects."""

    def __init__(self, scenario: dict, libraries: dict, time_scale: float):
        self.scenario = scenario
        self.libraries = libraries
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

    # --- entry point -------------------------------------------------------------------------
    def run(self) -> list:
        asyncio.run(self._main())
        return self.outcomes

    async def _main(self):
        self.loop = asyncio.get_running_loop()
        for lib in self.libraries.values():
            lib.set_event_loop(self.loop)  # uniffi_set_event_loop: for loopless threads
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
                outcome = {"failure": f"{exception_name(exc)}: {exc}",
                           "exception": exception_name(exc)}
                aborted = f"step {index} failed in the runner"
            outcome.setdefault("elapsed_ms", round((time.monotonic() - start) * 1000, 3))
            outcome.update(step=index, do=step["do"])
            self.outcomes.append(outcome)
        await self._cleanup()

    async def _cleanup(self):
        for task in self.tasks.values():
            if not task.done():
                task.cancel()
        if self.tasks:
            await asyncio.wait(list(self.tasks.values()), timeout=self.step_timeout)
        # Like a garbage collector would: release every object reference still held.
        for value in list(self.vars.values()):
            _drop_objects(value)
        # Let foreign completions dispatched to this loop run before it closes.
        await asyncio.sleep(0.01)

    # --- calls -------------------------------------------------------------------------------
    def _library(self, spec):
        return self.libraries[spec.get("fixture", self.default_fixture)]

    def _args(self, spec):
        return [self._value(a) for a in spec.get("args", [])]

    def _lookup(self, ref: str):
        """A saved value; "name.2" is element 2 of a saved sequence."""
        name, *path = ref.split(".")
        value = self.vars[name]
        for part in path:
            value = value[int(part)] if isinstance(value, list) else value[part]
        return value

    def _value(self, value):
        if isinstance(value, dict) and set(value) == {"$ref"}:
            return self._lookup(value["$ref"])
        if isinstance(value, dict):
            if set(value) == {"$bytes"}:
                return bytes.fromhex(value["$bytes"])
            return {k: self._value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._value(v) for v in value]
        return value

    async def _call(self, spec, on_wake=None, on_answer=None):
        """Performs one call as the spec says, on the loop it names; returns the value."""
        lib = self._library(spec)
        args = self._args(spec)
        receiver = self._lookup(spec["receiver"]) if "receiver" in spec else None
        name = spec["function"]
        where = spec.get("on", "loop")
        if where == "loop":
            if lib.is_async(name):
                return await lib.call_async(name, args, receiver, on_wake=on_wake,
                                            on_answer=on_answer)
            return lib.call_sync(name, args, receiver)
        if where == "executor":  # a thread with no event loop
            if lib.is_async(name):
                raise ValueError("an async export cannot be awaited on a thread with no loop")
            return await self.loop.run_in_executor(None, lib.call_sync, name, args, receiver)
        if where == "second_loop":  # a thread running its own event loop
            result = self.loop.create_future()

            def thread_main():
                async def second():
                    if lib.is_async(name):
                        return await lib.call_async(name, args, receiver)
                    return lib.call_sync(name, args, receiver)
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
            outcome = {"value": to_json(value)}
            if "save" in spec:
                self.vars[spec["save"]] = value
            else:
                _drop_objects(value)  # nothing refers to it any more: what a GC would do
        except asyncio.TimeoutError as exc:
            raise StepAbort({"timeout": True, "exception": exception_name(exc),
                             "elapsed_ms": round((time.monotonic() - start) * 1000, 3)})
        except FixtureError as exc:
            outcome = {"error": {"type": exc.type_name, "value": to_json(exc.value)},
                       "exception": exception_name(exc)}
        except UnexpectedError as exc:
            outcome = {"unexpected": str(exc), "exception": exception_name(exc)}
        except asyncio.CancelledError as exc:
            if asyncio.current_task().cancelling():
                raise
            outcome = {"cancelled": True, "exception": exception_name(exc)}
        except (ValueError, TypeError, LookupError) as exc:  # could not do it: abort the rest
            raise StepAbort({"failure": f"{exception_name(exc)}: {exc}",
                             "exception": exception_name(exc)})
        outcome["elapsed_ms"] = round((time.monotonic() - start) * 1000, 3)
        return outcome

    # --- steps -------------------------------------------------------------------------------
    async def step_call(self, step):
        return await self._outcome_of(self._call(step), step)

    async def step_spawn(self, step):
        spec = step["call"]
        self.tasks[step["task"]] = self.loop.create_task(self._call(spec))
        self.tasks[step["task"]].spec = spec
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
            outcome = await self._outcome_of(self._call(spec), spec, deadline=False)
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
            raise StepAbort({"timeout": True, "exception": exception_name(exc), "order": order})
        return {"results": results, "order": order,
                "elapsed_ms": round((time.monotonic() - start) * 1000, 3)}

    async def step_cancel(self, step):
        if "task" in step:
            task = self.tasks[step["task"]]
        else:
            woke = asyncio.Event()
            task = self.loop.create_task(self._call(step["call"], on_wake=woke.set))
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
        outcome = await self._outcome_of(task, {})
        outcome["finished_before_cancel"] = was_done
        outcome["cancel_latency_ms"] = round((time.monotonic() - start) * 1000, 3)
        return outcome

    async def step_cancel_sweep(self, step):
        """Starts `call` `count` times, one after the other, and cancels each awaiting task
        somewhere around the moment the producer answers: every third run from inside the
        binding's on_answer hook (the continuation's code has reached the loop, the task has
        not resumed: the tightest race with completion), the others after an offset that
        sweeps evenly from around_ms - spread_ms to around_ms + spread_ms (scaled). Reports
        the distinct outcomes and where the cancels landed."""
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
            run["task"] = task = self.loop.create_task(self._call(spec, on_answer=on_answer))
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
            outcome = await self._outcome_of(task, {}, deadline=False)
            outcome.pop("elapsed_ms", None)
            key = json.dumps(outcome, sort_keys=True)
            distinct.setdefault(key, dict(outcome, times=0))["times"] += 1
        return {"value": {"runs": count, "landed": landed},
                "distinct": list(distinct.values()),
                "elapsed_ms": round((time.monotonic() - start) * 1000, 3)}

    async def step_implement(self, step):
        fixture = step.get("fixture", self.default_fixture)
        decl = self.libraries[fixture].types[step["interface"]]
        self.vars[step["save"]] = ForeignObject(self, step["interface"], decl, step["methods"])
        return {"value": None}

    async def step_drop(self, step):
        _drop_objects(self.vars.pop(step["value"]))
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


def _drop_objects(value):
    if isinstance(value, ObjectRef):
        value.drop()
    elif isinstance(value, (list, tuple)):
        for item in value:
            _drop_objects(item)
    elif isinstance(value, dict):
        for item in value.values():
            _drop_objects(item)


def _settle(future, value, exc):
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(value)
