"""Judges a runner's result against its scenario: one place, the same reading for every backend.

Every step kind has exactly one judge, in STEP_JUDGES (a test keeps it equal to the scenario
schema's step kinds and to the reference runner's step methods). A judge reads every fact the
runner reports for its step, not only the value: an outcome that is not exactly one of
value / error / unexpected / cancelled is a runner failure, a cancellation whose call had
already finished when the cancel landed is a failed precondition (the scenario did not test
what it is about), a foreign async method that ran on another thread than the scenario's event
loop is a thread failure, unless the backend declares that its foreign async methods may run
on any thread (backends.json, "foreign_async_thread"; locate.FOREIGN_ASYNC_THREADS). Failures are records.Failure; their kinds, and every symptom a run can
carry besides the violation codes, are the table of symptoms.py.

Time bounds: `elapsed_ms` bounds of a scenario are at time scale 1 and are multiplied by the
run's time scale; the slack added to every upper bound, and `unscaled` bounds (CPU work, not
sleeps) as a whole, are multiplied by the run's slowdown (the sanitizer variant's factor times
--slowdown). Lower bounds are never relaxed: load only makes things slower.
"""
import json
import math

from . import names
from .locate import DEFAULT_FOREIGN_ASYNC_THREAD
from .records import Failure
# RUNTIME_MISUSE: the failure code of a runtime misuse the monitor did not turn into a violation.
from .symptoms import (FIXTURE, HARNESS, OUTCOME, PRECONDITION, RUNNER, RUNTIME_MISUSE, THREAD,
                       TIMEOUT, TIMING, VIOLATION)

# Absolute slack added to every upper time bound (scheduling noise), times the slowdown. 20
# seeds on the shared 2-core machine at load 5 used up to 51 ms of it at time scale 0.3; an
# upper bound exists to catch a wake that is lost until the step deadline (seconds), so a
# generous slack costs no power.
TIMING_SLACK_MS = 250.0

# The outcome of an awaited call is exactly one of these (docs/runner-protocol.md).
OUTCOME_KEYS = ("value", "error", "unexpected", "cancelled")
# check_foreign: where each started call of an async foreign method ran.
THREAD_FACTS = ("main", "other")


def symptoms(failures) -> set:
    """Short stable names of what went wrong: violation codes and symptoms.SYMPTOMS."""
    return {f.symptom for f in failures}


class Step:
    """What one judge gets: the scenario's step, the runner's outcome, where to say it failed,
    and the run's time scale and slowdown."""

    def __init__(self, step, outcome, index, scale, slowdown,
                 foreign_async_thread=DEFAULT_FOREIGN_ASYNC_THREAD):
        self.step = step
        self.foreign_async_thread = foreign_async_thread
        self.outcome = outcome
        self.index = index
        self.scale = scale
        self.slowdown = slowdown
        self.where = f"step {index} ({step['do']}{_what(step)})"

    def fail(self, kind, message, **extra):
        return Failure(kind=kind, step=self.index, message=message, **extra)

    def elapsed(self, bounds, elapsed, where=None):
        return _judge_elapsed(bounds, elapsed, self, where or self.where)

    def expect(self, expect, outcome, where=None):
        return _judge_expect(expect, outcome, self, where or self.where)


def judge(scenario: dict, result: dict, time_scale: float, slowdown: float = 1.0,
          seed=None, foreign_async_thread=DEFAULT_FOREIGN_ASYNC_THREAD) -> list:
    failures = []
    outcomes = {}
    for o in result.get("steps", []):
        if isinstance(o, dict):
            outcomes.setdefault(o.get("step"), o)
    for index, step in enumerate(scenario["steps"]):
        outcome = outcomes.get(index)
        where = f"step {index} ({step['do']}{_what(step)})"
        if outcome is None:
            failures.append(Failure(RUNNER, f"{where}: no outcome reported", step=index))
            continue
        if outcome.get("do", step["do"]) != step["do"]:
            failures.append(Failure(RUNNER, f"{where}: the runner reported a "
                                    f"{outcome.get('do')!r} step", step=index))
            continue
        if "skipped" in outcome:
            if not any(f.step is not None and f.step < index for f in failures):
                failures.append(Failure(RUNNER, f"{where}: skipped ({outcome['skipped']}) "
                                        "although no earlier step failed", step=index))
            continue  # otherwise the cause is the step that aborted
        failures += judge_step(Step(step, outcome, index, time_scale, slowdown,
                                    foreign_async_thread))
    failures += _judge_fixture_mode(scenario, result.get("monitor") or {})
    failures += judge_monitor(scenario, result.get("monitor"), time_scale, seed)
    return failures


# Leak counters of the monitor report and the violation that must accompany each: codes of
# AA_MISUSES (observe.h, through names; a code the table does not have fails at import, and
# conformance/tests/test_names.py checks each is one the monitor detects).
LIVE_COUNTERS = {counter: names.misuse(code) for counter, code in {
    "live_futures": "leaked-future", "live_buffers": "leaked-buffer",
    "live_objects": "leaked-object", "live_foreign_calls": "foreign-complete-missing"}.items()}


def judge_monitor(scenario, monitor, time_scale, seed=None) -> list:
    """Each fixture's monitor report: its violations, and its facts. The report must exist, be
    about this scenario, seed and time scale (the runner configured the fixture as asked), show
    no producer fault (internal_errors, or a violation whose code is not in AA_MISUSES), and its
    leak counters and runtime-misuse list must agree with its violations."""
    failures = []
    if not isinstance(monitor, dict):
        monitor = {}
    for fixture in scenario.get("fixtures", []):
        report = monitor.get(fixture)
        if not isinstance(report, dict):
            failures.append(Failure(RUNNER, f"no monitor report for fixture {fixture} "
                                            f"(got {_short(report)})"))
            continue
        where = f"{fixture} monitor"
        facts = {"scenario": scenario.get("id"), "seed": seed, "time_scale": time_scale}
        for key, want in facts.items():
            got = report.get(key)
            if want is None or got is None and key != "scenario":
                continue  # seed and time_scale: a monitor that does not report them
            if key == "time_scale" and isinstance(got, (int, float)) and \
                    math.isclose(got, want, rel_tol=1e-9):
                continue
            if got != want:
                failures.append(Failure(RUNNER, f"{where}: report for {key} {got!r}, the "
                                                f"run asked for {want!r}"))
        codes = {v.get("code") for v in report.get("violations", [])}
        counters = report.get("counters") or {}
        if counters.get("internal_errors"):
            failures.append(Failure(FIXTURE, f"{where}: {counters['internal_errors']} "
                                             "internal error(s) of the producer: the run "
                                             "proves nothing"))
        for counter, code in LIVE_COUNTERS.items():
            if counters.get(counter) and code not in codes:
                failures.append(Failure(VIOLATION, f"{where}: {counter} is "
                                        f"{counters[counter]} at the end of the scenario",
                                        code=code, fixture=fixture))
        if report.get("runtime_misuse") and not codes:
            failures.append(Failure(VIOLATION, f"{where}: the runtime saw misuse "
                                    f"{_short(report['runtime_misuse'])} but the monitor "
                                    "reported no violation", code=RUNTIME_MISUSE,
                                    fixture=fixture))
        for v in report.get("violations", []):
            code = v.get("code")
            if code not in names.MISUSES:  # a fault of the producer: no symptom outside the table
                failures.append(Failure(
                    FIXTURE, f"{where}: a violation with code {_short(code)}, which is not in "
                             f"AA_MISUSES (observe.h): {v.get('message', '')}",
                    fixture=fixture, handle=v.get("handle"), sequence=v.get("sequence", [])))
                continue
            failures.append(Failure(
                VIOLATION, f"{fixture} monitor: {code}: {v.get('message', '')}",
                code=code, fixture=fixture, handle=v.get("handle"),
                sequence=v.get("sequence", [])))
    for fixture in sorted(set(monitor) - set(scenario.get("fixtures", []))):
        failures.append(Failure(RUNNER, f"a monitor report for {fixture}, which the "
                                        "scenario does not use"))
    return failures


def _judge_fixture_mode(scenario, monitor) -> list:
    """A scenario that asks for a fixture mode tested nothing unless every fixture's monitor
    says the mode was on, and (poll_handoff) that it handed at least one continuation off."""
    mode = scenario.get("fixture_mode")
    if not mode:
        return []
    failures = []
    for fixture in scenario["fixtures"]:
        report = monitor.get(fixture)
        if not isinstance(report, dict) or report.get("mode") != mode:
            failures.append(Failure(PRECONDITION, f"{fixture}: the scenario needs fixture mode "
                                    f"{mode!r}, but the monitor reports "
                                    f"{(report or {}).get('mode')!r}: the runner did not select "
                                    "it with asyncabi_fixture_set_mode"))
        elif mode == "poll_handoff" and not (report.get("counters") or {}).get("handoffs"):
            failures.append(Failure(PRECONDITION, f"{fixture}: poll_handoff mode handed no "
                                    "continuation to a producer thread"))
    return failures


def judge_step(s: Step) -> list:
    """The outcome-independent part (timeouts, runner failures), then the kind's own judge."""
    outcome = s.outcome
    if outcome.get("timeout"):
        extra = f" ({outcome['message']})" if outcome.get("message") else ""
        return [s.fail(TIMEOUT, f"{s.where}: did not finish before the step deadline{extra}")]
    if "failure" in outcome:
        return [s.fail(RUNNER, f"{s.where}: the runner failed: {outcome['failure']}")]
    judge_of = STEP_JUDGES.get(s.step["do"])
    if judge_of is None:  # the schema allows a kind the harness cannot judge: never a pass
        return [s.fail(HARNESS, f"{s.where}: the harness has no judge for "
                                f"{s.step['do']!r} steps")]
    return judge_of(s)


# --- one judge per step kind -------------------------------------------------------------------

def judge_call(s: Step) -> list:
    """call / await: the outcome, then the elapsed time."""
    return (_one_outcome(s, s.outcome) or s.expect(s.step.get("expect"), s.outcome)) \
        + s.elapsed(s.step.get("elapsed_ms"), s.outcome.get("elapsed_ms"))


def judge_cancel(s: Step) -> list:
    """cancel: the call must still have been running when the cancel landed (otherwise the
    scenario tested nothing), then the task's outcome and the cancel's latency."""
    outcome = s.outcome
    shape = _one_outcome(s, outcome)
    if shape:
        return shape
    finished = outcome.get("finished_before_cancel")
    if not isinstance(finished, bool):
        return [s.fail(RUNNER, f"{s.where}: the runner did not report "
                               "finished_before_cancel (true or false)")]
    if finished:
        return [s.fail(PRECONDITION, f"{s.where}: the call had already finished "
                       f"({_describe(outcome)}) when the cancel landed: the scenario did not "
                       "exercise cancellation")]
    return s.expect(s.step.get("expect", {"cancelled": True}), outcome) + s.elapsed(
        s.step.get("cancel_latency_ms"), outcome.get("cancel_latency_ms"),
        s.where + " cancel")


def judge_gather(s: Step) -> list:
    failures = []
    step, outcome = s.step, s.outcome
    results = outcome.get("results")
    if not isinstance(results, list):
        return [s.fail(RUNNER, f"{s.where}: no results reported")]
    by_label = {r.get("label"): r for r in results if isinstance(r, dict)}
    for call in step["calls"]:
        label = call.get("label", call["function"])
        sub = by_label.get(label)
        where = f"{s.where} [{label}]"
        if sub is None:
            failures.append(s.fail(RUNNER, f"{where}: no result"))
            continue
        if sub.get("timeout"):
            failures.append(s.fail(TIMEOUT, f"{where}: did not finish"))
            continue
        if "distinct" in sub:  # a call made `count` times: judge each distinct outcome
            times = sum(d.get("times", 0) for d in sub["distinct"])
            if times != call.get("count", 1):
                failures.append(s.fail(RUNNER, f"{where}: {times} outcomes for "
                                               f"{call.get('count', 1)} calls"))
            for d in sub["distinct"]:
                sub_where = f"{where} ({d.get('times')} of them)"
                failures += _one_outcome(s, d, sub_where) or s.expect(call.get("expect"), d,
                                                                      sub_where)
        else:
            failures += _one_outcome(s, sub, where) or s.expect(call.get("expect"), sub, where)
        failures += s.elapsed(call.get("elapsed_ms"), sub.get("elapsed_ms"), where)
    labels = [c.get("label", c["function"]) for c in step["calls"]]
    order = outcome.get("order")
    if not isinstance(order, list) or sorted(order) != sorted(set(labels)):
        failures.append(s.fail(RUNNER, f"{s.where}: completion order {order} does not name "
                                       f"each label once ({sorted(set(labels))})"))
    elif "order" in step and order != step["order"]:
        failures.append(s.fail(OUTCOME, f"{s.where}: completion order {order}, expected "
                                        f"{step['order']}"))
    return failures + s.elapsed(step.get("elapsed_ms"), outcome.get("elapsed_ms"))


def judge_check_foreign(s: Step) -> list:
    """The foreign method's counters, and where each of its calls ran: an async foreign method
    runs on the scenario's event loop (the caller's loop, or the one set with
    uniffi_set_event_loop for a call from a thread without one), reported as 'main', unless
    the backend declares the "any" thread model; the threads must be reported either way."""
    failures = []
    got = s.outcome.get("value")
    if not isinstance(got, dict):
        return [s.fail(RUNNER, f"{s.where}: no counters reported")]
    want = s.step["expect"]
    if any(got.get(k) != v for k, v in want.items()):
        failures.append(s.fail(OUTCOME, f"{s.where}: foreign counters {got}, expected {want}"))
    threads = s.outcome.get("threads")
    if not isinstance(threads, list) or any(t not in THREAD_FACTS for t in threads):
        failures.append(s.fail(RUNNER, f"{s.where}: the runner reported threads {threads!r}, "
                                       f"expected a list of {' / '.join(THREAD_FACTS)}"))
    elif "other" in threads and s.foreign_async_thread == DEFAULT_FOREIGN_ASYNC_THREAD:
        failures.append(s.fail(THREAD, f"{s.where}: {threads.count('other')} of "
                               f"{len(threads)} calls of {s.step['method']} ran on another "
                               "thread than the scenario's event loop"))
    return failures


def judge_cancel_sweep(s: Step) -> list:
    """cancel_sweep: every run ended cancelled or as `expect` says, the runs add up, and at
    least one cancel landed at the producer's answer (a sweep that never reached the
    completion boundary tested nothing: a failed precondition)."""
    failures = []
    step, outcome = s.step, s.outcome
    value = outcome.get("value")
    distinct = outcome.get("distinct")
    if not isinstance(value, dict) or not isinstance(distinct, list):
        return [s.fail(RUNNER, f"{s.where}: the runner reported no sweep summary "
                               f"({_short(outcome)})")]
    runs = sum(d.get("times", 0) for d in distinct if isinstance(d, dict))
    if value.get("runs") != step["count"] or runs != step["count"]:
        failures.append(s.fail(RUNNER, f"{s.where}: {runs} outcomes reported for "
                                       f"{step['count']} runs"))
    for d in distinct:
        where = f"{s.where} ({d.get('times')} run(s))"
        shape = _one_outcome(s, d, where)
        if shape:
            failures += shape
        elif d.get("cancelled") is not True:
            failures += s.expect(step.get("expect") or {"any": True}, d,
                                 where + " that finished before the cancel")
    landed = value.get("landed")
    if not isinstance(landed, dict) or not landed.get("at_answer"):
        failures.append(s.fail(PRECONDITION, f"{s.where}: no cancel landed at the producer's "
                               f"answer ({_short(landed)}): the sweep never reached the "
                               "completion boundary"))
    return failures


def judge_done(s: Step) -> list:
    """implement / spawn / drop / sleep / collect_garbage: the runner did it (no timeout, no
    failure)."""
    return []


STEP_JUDGES = {
    "call": judge_call,
    "await": judge_call,
    "spawn": judge_done,
    "gather": judge_gather,
    "cancel": judge_cancel,
    "implement": judge_done,
    "drop": judge_done,
    "sleep": judge_done,
    "check_foreign": judge_check_foreign,
    "cancel_sweep": judge_cancel_sweep,
    "collect_garbage": judge_done,
}


# --- helpers -----------------------------------------------------------------------------------

def _what(step):
    if "function" in step:
        return " " + step["function"]
    if isinstance(step.get("call"), dict):
        return " " + step["call"].get("function", "")
    if "task" in step:
        return " " + step["task"]
    return ""


def _one_outcome(s, outcome, where=None) -> list:
    present = [k for k in OUTCOME_KEYS if k in outcome]
    if len(present) != 1:
        return [s.fail(RUNNER, f"{where or s.where}: an outcome must be exactly one of "
                               f"{', '.join(OUTCOME_KEYS)}; got {_short(outcome)}")]
    return []


def _judge_expect(expect, outcome, s, where):
    got = _describe(outcome)
    if expect is None or "any" in expect:
        return []
    if "value" in expect:
        if "value" not in outcome or not values_equal(expect["value"], outcome["value"]):
            return [s.fail(OUTCOME, f"{where}: got {got}, expected value "
                                    f"{_short(expect['value'])}")]
    elif "at_least" in expect:
        value = outcome.get("value")
        if not isinstance(value, (int, float)) or isinstance(value, bool) \
                or value < expect["at_least"]:
            return [s.fail(OUTCOME, f"{where}: got {got}, expected a value of at least "
                                    f"{expect['at_least']}")]
    elif "error" in expect:
        err = outcome.get("error")
        want = expect["error"]
        if not isinstance(err, dict) or not values_equal(want["value"], err.get("value")) or \
                ("type" in want and want["type"] != err.get("type")):
            return [s.fail(OUTCOME, f"{where}: got {got}, expected error {_short(want)}")]
    elif "unexpected" in expect:
        message = outcome.get("unexpected")
        want = expect["unexpected"]
        if message is None or (isinstance(want, str) and want not in message):
            return [s.fail(OUTCOME, f"{where}: got {got}, expected an unexpected error"
                           f"{' containing ' + repr(want) if isinstance(want, str) else ''}")]
    elif "cancelled" in expect:
        if outcome.get("cancelled") is not True:
            return [s.fail(OUTCOME, f"{where}: got {got}, expected cancellation")]
    return []


def _judge_elapsed(bounds, elapsed, s, where):
    if not bounds:
        return []
    if not isinstance(elapsed, (int, float)) or isinstance(elapsed, bool):
        return [s.fail(RUNNER, f"{where}: the scenario bounds the elapsed time but the "
                               f"runner reported {elapsed!r}")]
    low = bounds.get("min")
    high = bounds.get("max")
    scale = 1.0 if bounds.get("unscaled") else s.scale
    if low is not None and elapsed < low * scale * 0.9:
        return [s.fail(TIMING, f"{where}: took {elapsed:.1f} ms, expected at least "
                               f"{low * scale:.1f} ms")]
    if high is not None:
        limit = high * scale * (s.slowdown if bounds.get("unscaled") else 1.0)
        slack = TIMING_SLACK_MS * s.slowdown
        if elapsed > limit + slack:
            return [s.fail(TIMING, f"{where}: took {elapsed:.1f} ms, expected at most "
                                   f"{limit:.1f} ms (+{slack:.0f} ms slack)")]
    return []


def values_equal(want, got) -> bool:
    if isinstance(want, float) or isinstance(got, float):
        if isinstance(want, (int, float)) and isinstance(got, (int, float)) \
                and not isinstance(want, bool) and not isinstance(got, bool):
            return math.isclose(want, got, rel_tol=1e-6, abs_tol=1e-6)
        return False
    if isinstance(want, dict) and isinstance(got, dict):
        return want.keys() == got.keys() and all(values_equal(want[k], got[k]) for k in want)
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and all(values_equal(a, b) for a, b in zip(want, got))
    return want == got and type(want) is type(got) or (
        isinstance(want, int) and isinstance(got, int) and want == got)


def _describe(outcome) -> str:
    for key in OUTCOME_KEYS:
        if key in outcome:
            text = f"{key} {_short(outcome[key])}"
            if outcome.get("exception"):
                text += f" ({outcome['exception']})"
            return text
    return _short(outcome)


def _short(value, limit=160) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "..."
