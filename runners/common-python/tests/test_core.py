"""The shared runner core on a backend of plain Python functions: it needs nothing from a binding
but the documented operations, and reports what happened (values, errors, order, timeouts,
cancellations, skips, the protocol's answers)."""
import asyncio
import io
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from asyncabi_runner import protocol, steps  # noqa: E402


class Failed(Exception):
    """The fake binding's declared error."""


async def answer_after(ms, value, on_answer=None):
    """Answers `value` after `ms`, like a producer's poll result reaching the loop."""
    future = asyncio.get_running_loop().create_future()
    if on_answer is not None:
        future.add_done_callback(lambda f: f.cancelled() or on_answer())
    asyncio.get_running_loop().call_later(ms / 1000.0, future.set_result, value)
    return await future


def fail(message):
    raise Failed(message)


EXPORTS = {"answer_after": answer_after, "add": lambda a, b: a + b, "fail": fail}


class Call(steps.BoundCall):
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def is_async(self):
        return asyncio.iscoroutinefunction(self.fn)

    def call_sync(self):
        return self.fn(*self.args)

    async def call_async(self, on_wake=None, on_answer=None):
        return await self.fn(*self.args, on_answer=on_answer)


class Fixture:
    def set_event_loop(self, loop):
        self.loop = loop


class Run(steps.ScenarioRun):
    def prepare_call(self, spec):
        return Call(EXPORTS[spec["function"]], self.argument_values(spec))

    def outcome_of_exception(self, exc, spec):
        if isinstance(exc, Failed):
            return {"error": {"type": "Failed", "value": str(exc)},
                    "exception": self.exception_name(exc)}
        return {"failure": str(exc), "exception": self.exception_name(exc)}

    def implement(self, fixture, interface, behaviours):
        decl = {"methods": [{"name": "twice", "async": True, "args": [{"name": "x"}]},
                            {"name": "refuse", "async": True, "throws": "Failed"}]}
        return steps.ForeignObject(self, decl, behaviours, lambda v: v, Failed)

    def object_type_name(self, value):
        return None


def perform(*step_list, time_scale=1.0, **scenario):
    return Run(dict(scenario, id="s", fixtures=["f"], steps=list(step_list)), {"f": Fixture()},
               time_scale).run()


def test_values_saved_refs_and_declared_errors():
    out = perform({"do": "call", "function": "add", "args": [1, 2], "save": "three"},
                  {"do": "call", "function": "add", "args": [{"$ref": "three"}, 4]},
                  {"do": "call", "function": "fail", "args": ["no"]})
    assert [o.get("value") for o in out[:2]] == [3, 7]
    assert out[2]["error"] == {"type": "Failed", "value": "no"}
    assert out[2]["exception"].endswith("test_core.Failed")
    assert all(o["elapsed_ms"] >= 0 for o in out)


def test_a_runner_failure_skips_the_rest():
    out = perform({"do": "call", "function": "nope"}, {"do": "sleep", "ms": 1})
    assert out[0]["exception"] == "KeyError"
    assert out[1]["skipped"] == "step 0 failed in the runner"


def test_a_step_past_its_deadline_times_out_and_the_rest_is_skipped():
    out = perform({"do": "call", "function": "answer_after", "args": [2000, 1]},
                  {"do": "sleep", "ms": 1}, step_timeout_ms=150)
    assert out[0]["timeout"] is True
    assert out[1]["skipped"] == "step 0 did not finish"


def test_gather_reports_the_completion_order():
    out = perform({"do": "gather", "calls": [
        {"function": "answer_after", "args": [60, "slow"], "label": "slow"},
        {"function": "answer_after", "args": [5, "fast"], "label": "fast"},
        {"function": "answer_after", "args": [5, 1], "label": "many", "count": 3}]})
    assert out[0]["order"] == ["fast", "many", "slow"]
    assert out[0]["results"][2]["distinct"][0]["times"] == 3


def test_cancel_reports_the_native_cancellation_and_its_latency():
    out = perform({"do": "cancel", "call": {"function": "answer_after", "args": [1000, 1]},
                   "after_ms": 10})
    assert out[0]["cancelled"] is True and out[0]["finished_before_cancel"] is False
    assert out[0]["exception"] == "asyncio.exceptions.CancelledError"
    assert out[0]["cancel_latency_ms"] >= 0


def test_the_cancel_sweep_lands_at_the_answer_and_adds_up():
    out = perform({"do": "cancel_sweep", "call": {"function": "answer_after", "args": [20, 1]},
                   "count": 9, "around_ms": 20, "spread_ms": 15})
    value = out[0]["value"]
    assert value["runs"] == 9 and sum(value["landed"].values()) == 9
    assert value["landed"]["at_answer"] == 3
    assert sum(d["times"] for d in out[0]["distinct"]) == 9


def test_a_foreign_object_follows_its_behaviour_and_counts_its_calls():
    run = Run({"id": "s", "fixtures": ["f"], "steps": []}, {"f": Fixture()}, 1.0)
    obj = run.implement("f", "I", {
        "twice": {"result": "call", "plus": 1,
                  "call": {"function": "add", "args": [{"$arg": "x"}, {"$arg": "x"}]}},
        "refuse": {"result": "error", "error": "no"}})

    async def use():
        value = await obj.twice(3)
        try:
            await obj.refuse()
        except Failed as exc:
            return value, exc.args
    assert asyncio.run(use()) == (7, ("Failed", "no"))
    assert obj.stats["twice"] == {"started": 1, "completed": 1, "failed": 0, "cancelled": 0,
                                  "threads": ["main"]}
    assert obj.stats["refuse"]["failed"] == 1 and obj.stats["refuse"]["completed"] == 0


def test_the_protocol_answers_in_order_and_survives_bad_requests():
    class Backend(protocol.Runner):
        name, version, capabilities = "fake", "0", ["cancellation"]

        def implementation(self):
            return "plain Python"

        def binding(self, fixture, paths):
            return Fixture()

        def controls(self, binding):
            return object()  # no control exports: no monitor

        def scenario_run(self, scenario, bindings, fixtures, time_scale):
            return Run(scenario, bindings, time_scale)

    scenario = {"id": "s", "fixtures": ["f"],
                "steps": [{"do": "call", "function": "add", "args": [2, 2]}]}
    requests = ["not json", json.dumps({"what": {}}),
                json.dumps({"run": {"id": 4, "scenario": scenario, "fixtures": {
                    "f": {"library": "/nowhere.so", "interface": "/nowhere.json"}}}}),
                json.dumps({"stop": {}}), json.dumps({"run": {"id": 5}})]
    out = io.StringIO()
    assert Backend(out=out).serve(io.StringIO("\n".join(requests) + "\n")) == 0
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert answers[0]["hello"]["protocol"] == 1 and answers[0]["hello"]["name"] == "fake"
    assert "bad JSON" in answers[1]["error"]["message"]
    assert "unknown request" in answers[2]["error"]["message"]
    result = answers[3]["result"]
    assert result["id"] == 4 and result["steps"][0]["value"] == 4
    assert result["monitor"] == {"f": None}
    assert len(answers) == 4  # nothing after stop
