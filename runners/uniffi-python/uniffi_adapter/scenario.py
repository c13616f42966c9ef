"""Performs one conformance scenario's steps with UniFFI's generated Python bindings.

The adapter reports what happened and never judges (docs/runner-protocol.md). An outcome is one
of {"value"} {"error": {"type", "value"}} {"unexpected"} {"cancelled"} {"timeout"} {"failure"}
plus "exception" (the native exception's qualified name) and "elapsed_ms". A `failure` is either
the adapter unable to express a step with the generated API, or an exception the generated code
raised that is none of the API's documented outcomes (typed error, InternalError, cancellation):
both fail the scenario.
"""
import asyncio
import contextlib
import enum
import gc
import hashlib
import json
import threading
import time

from .bindings import Generated


class StepAbort(Exception):
    """The step cannot finish (timeout, adapter failure): later steps are skipped."""


LONG_STRING = 4096


def exception_name(exc) -> str:
    cls = type(exc)
    module = cls.__module__.split("__uniffi_adapter_")[0]  # the generated module's own name
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def to_json(value):
    """Generated-API values to the protocol's JSON: objects become {"$object": class name},
    records dicts of their fields, strings longer than 4096 characters
    {"$string": {"length", "sha256"}}."""
    if isinstance(value, str) and len(value) > LONG_STRING:
        return {"$string": {"length": len(value),
                            "sha256": hashlib.sha256(value.encode()).hexdigest()}}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "_uniffi_clone_handle"):
        return {"$object": object_type_name(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": bytes(value).hex()}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, enum.Enum):
        return {"variant": value.name}
    if isinstance(value, ForeignObject):
        return {"$foreign": True}
    if hasattr(value, "__dict__"):  # a generated record
        return {k: to_json(v) for k, v in vars(value).items()}
    return repr(value)


def object_type_name(value) -> str:
    """The interface a producer object implements: its class, or for a trait either side may
    implement (`[Trait, WithForeign]`) the trait its generated `<Name>Impl` class extends."""
    cls = type(value)
    name = cls.__name__
    if name.endswith("Impl") and len(cls.__mro__) > 1 and cls.__mro__[1].__name__ == name[:-4]:
        return name[:-4]
    return name


def _resolve(template, named, this=None):
    if isinstance(template, dict) and "$arg" in template:
        value = named[template["$arg"]]
        return value + template["plus"] if "plus" in template else value
    if isinstance(template, dict) and "$self" in template:
        return this
    if isinstance(template, dict) and "$format" in template:
        return template["$format"].format(**named)
    return template


class ForeignObject:
    """A Python implementation of a callback interface, handed to the generated code as any
    user's object would be. Its methods follow declared behaviours:
    {"delay_ms": n | {"$arg": name}, "result": "value" | "error" | "exception" | "never" | "call",
     "value": v | {"$arg": name} | {"$format": "..."}, "error": {...}, "message": str}."""

    def __init__(self, run: "ScenarioRun", gen: Generated, decl: dict, behaviours: dict):
        self.stats = {}
        for method in decl["methods"]:
            name = method["name"]
            spec = behaviours.get(name, {"result": "exception", "message": "not implemented"})
            self.stats[name] = {"started": 0, "completed": 0, "failed": 0, "cancelled": 0,
                                "threads": []}
            make = self._async_method if method.get("async") else self._sync_method
            setattr(self, name, make(run, gen, method, spec))

    def _async_method(self, run, gen, method, spec):
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
                    value = await run.call(call) + spec.get("plus", 0)
                else:
                    value = _produce(gen, spec, method, named)
            except asyncio.CancelledError:
                stats["cancelled"] += 1
                raise
            except BaseException:
                stats["failed"] += 1
                raise
            stats["completed"] += 1
            return value
        return impl

    def _sync_method(self, run, gen, method, spec):
        stats = self.stats[method["name"]]

        def impl(*args):
            named = dict(zip((a["name"] for a in method.get("args", [])), args))
            stats["started"] += 1
            try:
                value = _produce(gen, spec, method, named)
            except BaseException:
                stats["failed"] += 1
                raise
            stats["completed"] += 1
            return value
        return impl


def _produce(gen, spec, method, named):
    result = spec.get("result", "value")
    if result == "value":
        return gen.to_binding(_resolve(spec.get("value"), named), None)
    if result == "error":
        raise gen.make_error(method.get("throws"), _resolve(spec["error"], named))
    if result == "exception":
        raise RuntimeError(spec.get("message", "unexpected exception from the foreign side"))
    raise ValueError(f"unknown behaviour result {result!r}")


class ScenarioRun:
    """One scenario on a fresh event loop. `generated` maps fixture names to Generated modules;
    `interfaces` maps them to their interface.json (for the declared methods of a callback
    interface the scenario implements)."""

    def __init__(self, scenario: dict, generated: dict, interfaces: dict, time_scale: float):
        self.scenario = scenario
        self.generated = generated
        self.interfaces = interfaces
        self.time_scale = time_scale
        self.default_fixture = scenario["fixtures"][0]
        self.vars = {}
        self.tasks = {}
        self.outcomes = []
        self.step_timeout = scenario.get("step_timeout_ms", 3000) / 1000.0 * max(time_scale, 1 / 3)
        self.main_thread = threading.current_thread()
        self.loop = None

    def run(self) -> list:
        asyncio.run(self._main())
        self.vars.clear()
        self.tasks.clear()
        gc.collect()  # objects the scenario still held are freed now, before the monitor's end
        return self.outcomes

    async def _main(self):
        self.loop = asyncio.get_running_loop()
        for gen in self.generated.values():
            gen.set_event_loop(self.loop)
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
            except Exception as exc:
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
        self.vars.clear()  # like a garbage collector: the generated objects free their handles
        gc.collect()
        await asyncio.sleep(0.01)  # foreign completions dispatched to this loop run now

    # --- calls -------------------------------------------------------------------------------
    def _gen(self, spec) -> Generated:
        return self.generated[spec.get("fixture", self.default_fixture)]

    def _lookup(self, ref: str):
        name, *path = ref.split(".")
        value = self.vars[name]
        for part in path:
            value = value[int(part)] if isinstance(value, list) else value[part]
        return value

    def _value(self, value):
        if isinstance(value, dict) and set(value) == {"$ref"}:
            return self._lookup(value["$ref"])
        if isinstance(value, dict):
            return {k: self._value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._value(v) for v in value]
        return value

    async def call(self, spec, on_wake=None, on_answer=None):
        """One call through the generated API, on the loop the spec names; returns its value.
        on_wake() runs for every WAKE, on_answer() for every poll result, before the awaiting
        task resumes (observations of the generated code: Generated.observe_answers)."""
        gen = self._gen(spec)
        receiver = self._lookup(spec["receiver"]) if "receiver" in spec else None
        fn = gen.callable(spec["function"], receiver)
        args = gen.arguments(fn, [self._value(a) for a in spec.get("args", [])])
        is_async = gen.is_async(fn)
        where = spec.get("on", "loop")
        if where == "loop":
            if not is_async:
                return fn(*args)
            if on_wake is None and on_answer is None:
                return await fn(*args)
            with contextlib.ExitStack() as observers:
                if on_wake is not None:
                    observers.enter_context(gen.observe_wakes(on_wake))
                if on_answer is not None:
                    observers.enter_context(gen.observe_answers(lambda code: on_answer()))
                return await fn(*args)
        if where == "executor":  # a thread with no event loop
            if is_async:
                raise ValueError("an async export cannot be awaited on a thread with no loop")
            return await self.loop.run_in_executor(None, lambda: fn(*args))
        if where == "second_loop":  # a thread running its own event loop
            result = self.loop.create_future()

            def thread_main():
                async def second():
                    return await fn(*args) if is_async else fn(*args)
                try:
                    value = asyncio.run(second())
                    self.loop.call_soon_threadsafe(_settle, result, value, None)
                except BaseException as exc:
                    self.loop.call_soon_threadsafe(_settle, result, None, exc)
            threading.Thread(target=thread_main, name="second-loop", daemon=True).start()
            return await result
        raise ValueError(f"unknown 'on': {where!r}")

    async def _outcome_of(self, awaitable, spec, deadline=True):
        start = time.monotonic()
        gen = self._gen(spec) if spec else None
        try:
            value = await (asyncio.wait_for(awaitable, self.step_timeout) if deadline
                           else awaitable)
            outcome = {"value": to_json(value)}
            if "save" in spec:
                self.vars[spec["save"]] = value
            del value  # the last reference: what a garbage collector would do
        except asyncio.TimeoutError as exc:
            raise StepAbort({"timeout": True, "exception": exception_name(exc),
                             "elapsed_ms": round((time.monotonic() - start) * 1000, 3)})
        except asyncio.CancelledError as exc:
            if asyncio.current_task().cancelling():
                raise
            outcome = {"cancelled": True, "exception": exception_name(exc)}
        except LookupError as exc:  # the adapter cannot express the step
            raise StepAbort({"failure": f"{exception_name(exc)}: {exc}",
                             "exception": exception_name(exc)})
        except Exception as exc:
            outcome = self._exception_outcome(exc, gen)
            if "failure" in outcome:
                raise StepAbort(outcome)
        outcome["elapsed_ms"] = round((time.monotonic() - start) * 1000, 3)
        return outcome

    def _exception_outcome(self, exc, gen):
        for candidate in ([gen] if gen else []) + list(self.generated.values()):
            if isinstance(exc, candidate.module.InternalError):
                return {"unexpected": str(exc), "exception": exception_name(exc)}
            if candidate.is_typed_error(exc):
                return {"error": candidate.describe_error(exc),
                        "exception": exception_name(exc)}
        return {"failure": f"the generated binding raised {exception_name(exc)}: {exc}",
                "exception": exception_name(exc)}

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
        """Every call concurrently; a call with "count": N runs N times and is reported once,
        as its distinct outcomes with how many times each occurred."""
        order = []
        start = time.monotonic()

        async def one(spec):
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
            raise StepAbort({"timeout": True, "exception": exception_name(exc), "order": order})
        return {"results": results, "order": order,
                "elapsed_ms": round((time.monotonic() - start) * 1000, 3)}

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
        outcome["cancel_latency_ms"] = round((time.monotonic() - start) * 1000, 3)
        return outcome

    async def step_cancel_sweep(self, step):
        """Starts `call` `count` times, one after the other, and cancels each awaiting task
        around the moment the producer answers: every third run at the instant the generated
        code hands a poll result to the awaiting task (before it resumes: the tightest race
        with completion), the others after an offset swept evenly from around_ms - spread_ms
        to around_ms + spread_ms (scaled). Reports the distinct outcomes and where the cancels
        landed (docs/runner-protocol.md)."""
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
                "distinct": list(distinct.values()),
                "elapsed_ms": round((time.monotonic() - start) * 1000, 3)}

    async def step_collect_garbage(self, step):
        """A full collection while tasks are parked (two passes: the second takes what the
        first one's finalizers released), then one turn of the loop for the callbacks they
        scheduled."""
        collected = gc.collect()
        collected += gc.collect()
        await asyncio.sleep(0)
        return {"value": None, "collected": collected}

    async def step_implement(self, step):
        fixture = step.get("fixture", self.default_fixture)
        gen = self.generated[fixture]
        decl = self.interfaces[fixture]["types"][step["interface"]]
        cls = ForeignObject
        base = getattr(gen.module, step["interface"], None)
        if isinstance(base, type) and not getattr(base, "_is_protocol", False):
            # A trait either side may implement: the generated code accepts subclasses of its
            # base class only, as a user's implementation would be.
            cls = type(f"{step['interface']}ForeignImpl", (ForeignObject, base), {})
        self.vars[step["save"]] = cls(self, gen, decl, step["methods"])
        return {"value": None}

    async def step_drop(self, step):
        del self.vars[step["value"]]  # the generated object frees its handle when unreferenced
        gc.collect()
        return {"value": None}

    async def step_sleep(self, step):
        await asyncio.sleep(step["ms"] * self.time_scale / 1000.0)
        return {"value": None}

    async def step_check_foreign(self, step):
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
