"""The judge: one judge per step kind (the table matches the schema and the reference runner),
and every fact a runner reports is read: a cancel that landed after completion, a foreign call
on the wrong thread, an outcome that is not exactly one thing, a missing elapsed time."""
import inspect
import sys

import pytest

from asyncabi_conformance import judge, locate, scenarios
from asyncabi_conformance.records import Failure
from conftest import CONFORMANCE

sys.path.insert(0, str(CONFORMANCE.parent / "runners" / "python"))
from asyncabi_py.scenario import ScenarioRun  # noqa: E402


def schema_step_kinds() -> set:
    schema = scenarios.schema()
    kinds = set()
    for ref in schema["$defs"]["step"]["oneOf"]:
        definition = schema["$defs"][ref["$ref"].split("/")[-1]]
        kinds.add(definition["properties"]["do"]["const"])
    return kinds


def runner_step_kinds() -> set:
    return {name[len("step_"):] for name, _ in inspect.getmembers(ScenarioRun, inspect.isfunction)
            if name.startswith("step_")}


def test_every_step_kind_has_one_judge_and_the_runner_performs_it():
    table = set(judge.STEP_JUDGES)
    assert table == schema_step_kinds(), "judge.STEP_JUDGES differs from the schema's step kinds"
    assert table == runner_step_kinds(), "judge.STEP_JUDGES differs from the reference runner"


def test_a_step_kind_without_a_judge_fails_instead_of_passing(monkeypatch):
    monkeypatch.delitem(judge.STEP_JUDGES, "sleep")
    failures = run([{"do": "sleep", "ms": 1}], [{"step": 0, "do": "sleep", "value": None}])
    assert [f.kind for f in failures] == ["harness"]


def run(steps, outcomes, monitor=None, scale=1.0, slowdown=1.0, **kw):
    return judge.judge({"steps": steps}, {"steps": outcomes, "monitor": monitor}, scale, slowdown,
                       **kw)


CANCEL = {"do": "cancel", "call": {"function": "sleep", "args": [1000]}, "after_ms": 20}


def test_a_cancel_that_landed_after_completion_is_a_failed_precondition():
    failures = run([CANCEL], [{"step": 0, "do": "cancel", "value": None,
                               "finished_before_cancel": True, "cancel_latency_ms": 0.1}])
    assert [f.kind for f in failures] == ["precondition"]
    assert "already finished" in failures[0].message


def test_a_cancel_without_finished_before_cancel_is_a_runner_failure():
    failures = run([CANCEL], [{"step": 0, "do": "cancel", "cancelled": True,
                               "cancel_latency_ms": 0.1}])
    assert [f.kind for f in failures] == ["runner"]
    assert "finished_before_cancel" in failures[0].message


def test_a_proper_cancel_passes_and_its_latency_is_judged():
    ok = {"step": 0, "do": "cancel", "cancelled": True, "finished_before_cancel": False,
          "cancel_latency_ms": 5.0}
    assert run([CANCEL], [ok]) == []
    slow = dict(CANCEL, cancel_latency_ms={"max": 100})
    assert [f.kind for f in run([slow], [dict(ok, cancel_latency_ms=400.0)])] == ["timing"]


CHECK = {"do": "check_foreign", "object": "echoer", "method": "echo_u8",
         "expect": {"started": 2, "completed": 2}}


def check_outcome(threads):
    return {"step": 0, "do": "check_foreign", "value": {"started": 2, "completed": 2,
                                                         "failed": 0, "cancelled": 0},
            "threads": threads}


def test_a_foreign_call_on_another_thread_than_the_loop_fails():
    assert run([CHECK], [check_outcome(["main", "main"])]) == []
    failures = run([CHECK], [check_outcome(["main", "other"])])
    assert [f.kind for f in failures] == ["thread"]
    assert "1 of 2 calls" in failures[0].message


def test_the_any_thread_model_accepts_another_thread_but_not_wrong_counters():
    assert run([CHECK], [check_outcome(["other", "other"])], foreign_async_thread="any") == []
    wrong = check_outcome(["other", "other"])
    wrong["value"]["completed"] = 1
    assert [f.kind for f in run([CHECK], [wrong], foreign_async_thread="any")] == ["outcome"]


@pytest.mark.parametrize("model", ["event-loop", "any"])
@pytest.mark.parametrize("threads", [None, "main", ["main", "somewhere"]])
def test_missing_or_garbled_thread_facts_are_runner_failures(threads, model):
    outcome = check_outcome(threads)
    if threads is None:
        del outcome["threads"]
    assert [f.kind for f in run([CHECK], [outcome], foreign_async_thread=model)] == ["runner"]


@pytest.mark.parametrize("entry, error", [
    ({"model": "anywhere", "why": "x"}, "is not one of"),
    ({"model": "any"}, "needs a why"),
    ({"model": "any", "why": "  "}, "needs a why"),
    ("any", "is not one of"),
])
def test_a_thread_model_must_be_known_and_explained(entry, error):
    with pytest.raises(ValueError, match=error):
        locate.foreign_async_thread({"name": "b", "foreign_async_thread": entry})


def test_every_registered_backend_declares_a_valid_thread_model():
    for name, spec in locate.backends().items():
        assert locate.foreign_async_thread(spec) in locate.FOREIGN_ASYNC_THREADS, name
    assert locate.foreign_async_thread({"name": "b"}) == "event-loop"


CALL = {"do": "call", "function": "sleep", "args": [100], "expect": {"any": True},
        "elapsed_ms": {"min": 100, "max": 250}}


@pytest.mark.parametrize("outcome", [
    {},  # nothing at all: "any" must not accept it
    {"value": 1, "cancelled": True},  # two outcomes
])
def test_an_outcome_must_be_exactly_one_thing(outcome):
    failures = run([CALL], [dict(outcome, step=0, do="call", elapsed_ms=120.0)])
    assert [f.kind for f in failures] == ["runner"]


def test_a_bounded_step_without_an_elapsed_time_fails():
    failures = run([CALL], [{"step": 0, "do": "call", "value": None}])
    assert [f.kind for f in failures] == ["runner"] and "elapsed" in failures[0].message


def test_a_skipped_step_needs_an_earlier_failure():
    steps = [CALL, CALL]
    ok = {"step": 0, "do": "call", "value": None, "elapsed_ms": 120.0}
    failures = run(steps, [ok, {"step": 1, "do": "call", "skipped": "why not"}])
    assert [f.kind for f in failures] == ["runner"]
    timeout = {"step": 0, "do": "call", "timeout": True, "elapsed_ms": 3000.0}
    failures = run(steps, [timeout, {"step": 1, "do": "call", "skipped": "step 0 timed out"}])
    assert [f.kind for f in failures] == ["timeout"]


def test_an_outcome_of_another_kind_of_step_fails():
    assert [f.kind for f in run([CALL], [{"step": 0, "do": "sleep", "value": None}])] == \
        ["runner"]


def test_upper_bounds_grow_with_the_slowdown_lower_bounds_never_shrink():
    late = {"step": 0, "do": "call", "value": None, "elapsed_ms": 600.0}
    assert [f.kind for f in run([CALL], [late])] == ["timing"]  # 250 + 250 slack
    assert run([CALL], [late], slowdown=3.0) == []  # 250 + 750 slack
    early = {"step": 0, "do": "call", "value": None, "elapsed_ms": 50.0}
    assert [f.kind for f in run([CALL], [early], slowdown=5.0)] == ["timing"]
    unscaled = dict(CALL, elapsed_ms={"max": 1000, "unscaled": True})
    slow = {"step": 0, "do": "call", "value": None, "elapsed_ms": 2000.0}
    assert [f.kind for f in run([unscaled], [slow], scale=0.3)] == ["timing"]
    assert run([unscaled], [slow], scale=0.3, slowdown=3.0) == []


def test_gather_reads_counts_and_order():
    step = {"do": "gather", "calls": [{"function": "f", "label": "a", "count": 3,
                                       "expect": {"value": 1}}], "order": ["a"]}
    outcome = {"step": 0, "do": "gather", "order": ["a"], "elapsed_ms": 1.0,
               "results": [{"label": "a", "count": 3, "elapsed_ms": 1.0,
                            "distinct": [{"value": 1, "times": 2}]}]}
    failures = run([step], [outcome])
    assert [f.kind for f in failures] == ["runner"] and "2 outcomes for 3" in failures[0].message
    outcome["results"][0]["distinct"][0]["times"] = 3
    assert run([step], [outcome]) == []
    assert [f.kind for f in run([step], [dict(outcome, order=[])])] == ["runner"]


SCENARIO = {"id": "s", "fixtures": ["futures"], "steps": [{"do": "sleep", "ms": 1}]}
SLEPT = [{"step": 0, "do": "sleep", "value": None}]


def report(**extra):
    return dict({"scenario": "s", "seed": 4, "time_scale": 0.3, "violations": [],
                 "counters": {"live_futures": 0, "internal_errors": 0}, "runtime_misuse": []},
                **extra)


def monitor_failures(monitor):
    return judge.judge(SCENARIO, {"steps": SLEPT, "monitor": monitor}, 0.3, seed=4)


def test_violations_become_failures_named_by_their_code():
    failures = monitor_failures({"futures": report(violations=[
        {"code": "free-twice", "handle": 7, "message": "m", "sequence": ["free"]}])})
    assert failures == [Failure(kind="violation", code="free-twice", fixture="futures", handle=7,
                                sequence=["free"], message="futures monitor: free-twice: m")]
    assert judge.symptoms(failures) == {"free-twice"}


@pytest.mark.parametrize("monitor, symptom", [
    ({}, "runner"),  # no report for a fixture the scenario uses
    ({"futures": None}, "runner"),
    ({"futures": report(scenario="other")}, "runner"),  # set_scenario not called
    ({"futures": report(seed=5)}, "runner"),  # configured with another seed
    ({"futures": report(time_scale=1.0)}, "runner"),
    ({"futures": report(counters={"internal_errors": 2})}, "fixture"),
    ({"futures": report(counters={"live_futures": 1})}, "leaked-future"),
    ({"futures": report(runtime_misuse=[{"what": "poll after free"}])}, "runtime-misuse"),
    ({"futures": report(), "adversarial": report()}, "runner"),  # a fixture it does not use
])
def test_every_fact_of_the_monitor_report_is_read(monitor, symptom):
    assert judge.symptoms(monitor_failures(monitor)) == {symptom}


def test_a_clean_monitor_report_passes():
    assert monitor_failures({"futures": report()}) == []
