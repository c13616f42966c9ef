"""Judges a runner's result against its scenario: one place, the same reading for every backend.

A failure is {"kind", "step", "message"} plus "code" for monitor violations. Kinds:
  violation   the fixture's protocol monitor caught a misuse of the ABI (code: its code)
  outcome     the step produced something other than what the scenario expects
  timing      the step took longer or shorter than the scenario allows
  timeout     the runner gave up awaiting the step (it never finished)
  runner      the runner could not perform the step, hung, crashed or broke the protocol
"""
import math

# Absolute slack added to every upper time bound (scheduling noise on a loaded machine).
TIMING_SLACK_MS = 100.0


def symptoms(failures) -> set:
    """Short stable names of what went wrong: violation codes, 'timeout', 'outcome', ..."""
    return {f.get("code") or f["kind"] for f in failures}


def judge(scenario: dict, result: dict, time_scale: float) -> list:
    failures = []
    outcomes = {o.get("step"): o for o in result.get("steps", [])}
    for index, step in enumerate(scenario["steps"]):
        outcome = outcomes.get(index)
        where = f"step {index} ({step['do']}{_what(step)})"
        if outcome is None:
            failures.append(_fail("runner", index, f"{where}: no outcome reported"))
            continue
        if "skipped" in outcome:
            continue  # the cause is the step that aborted
        failures += _judge_step(step, outcome, index, where, time_scale)
    for fixture, report in (result.get("monitor") or {}).items():
        if report is None:
            continue
        for v in report.get("violations", []):
            failures.append({"kind": "violation", "code": v.get("code", "?"), "step": None,
                             "fixture": fixture, "handle": v.get("handle"),
                             "message": f"{fixture} monitor: {v.get('code')}: {v.get('message', '')}",
                             "sequence": v.get("sequence", [])})
    return failures


def _what(step):
    if "function" in step:
        return " " + step["function"]
    if isinstance(step.get("call"), dict):
        return " " + step["call"].get("function", "")
    if "task" in step:
        return " " + step["task"]
    return ""


def _fail(kind, step, message, **extra):
    return dict(kind=kind, step=step, message=message, **extra)


def _judge_step(step, outcome, index, where, scale):
    failures = []
    if outcome.get("timeout"):
        extra = f" ({outcome['message']})" if outcome.get("message") else ""
        return [_fail("timeout", index, f"{where}: did not finish before the step deadline{extra}")]
    if "failure" in outcome:
        return [_fail("runner", index, f"{where}: the runner failed: {outcome['failure']}")]
    do = step["do"]
    if do in ("call", "await"):
        failures += _judge_expect(step.get("expect"), outcome, index, where)
        failures += _judge_elapsed(step.get("elapsed_ms"), outcome.get("elapsed_ms"), index,
                                   where, scale)
    elif do == "cancel":
        failures += _judge_expect(step.get("expect", {"cancelled": True}), outcome, index, where)
        failures += _judge_elapsed(step.get("cancel_latency_ms"),
                                   outcome.get("cancel_latency_ms"), index, where + " cancel",
                                   scale)
    elif do == "gather":
        results = {r.get("label"): r for r in outcome.get("results", [])}
        for call in step["calls"]:
            label = call.get("label", call["function"])
            sub = results.get(label)
            sub_where = f"{where} [{label}]"
            if sub is None:
                failures.append(_fail("runner", index, f"{sub_where}: no result"))
                continue
            if sub.get("timeout"):
                failures.append(_fail("timeout", index, f"{sub_where}: did not finish"))
                continue
            if "distinct" in sub:  # a call made `count` times: judge each distinct outcome
                times = sum(d.get("times", 0) for d in sub["distinct"])
                if times != call.get("count", 1):
                    failures.append(_fail("runner", index, f"{sub_where}: {times} outcomes "
                                          f"for {call.get('count')} calls"))
                for d in sub["distinct"]:
                    failures += _judge_expect(call.get("expect"), d, index,
                                              f"{sub_where} ({d.get('times')} of them)")
                failures += _judge_elapsed(call.get("elapsed_ms"), sub.get("elapsed_ms"), index,
                                           sub_where, scale)
                continue
            failures += _judge_expect(call.get("expect"), sub, index, sub_where)
            failures += _judge_elapsed(call.get("elapsed_ms"), sub.get("elapsed_ms"), index,
                                       sub_where, scale)
        if "order" in step and outcome.get("order") != step["order"]:
            failures.append(_fail("outcome", index, f"{where}: completion order "
                                  f"{outcome.get('order')}, expected {step['order']}"))
        failures += _judge_elapsed(step.get("elapsed_ms"), outcome.get("elapsed_ms"), index,
                                   where, scale)
    elif do == "cancel_sweep":
        failures += _judge_sweep(step, outcome, index, where)
    elif do == "check_foreign":
        got = outcome.get("value") or {}
        wrong = {k: got.get(k) for k, v in step["expect"].items() if got.get(k) != v}
        if wrong:
            failures.append(_fail("outcome", index, f"{where}: foreign counters {got}, "
                                  f"expected {step['expect']}"))
    return failures


def _judge_sweep(step, outcome, index, where):
    """Every run ended cancelled or as `expect` says; the runs add up; and at least one cancel
    landed at the producer's answer (a sweep that never reached the boundary proved nothing)."""
    failures = []
    value = outcome.get("value") or {}
    distinct = outcome.get("distinct") or []
    runs = sum(d.get("times", 0) for d in distinct)
    if value.get("runs") != step["count"] or runs != step["count"]:
        failures.append(_fail("runner", index, f"{where}: {runs} outcomes reported for "
                              f"{step['count']} runs"))
    for d in distinct:
        if d.get("cancelled"):
            continue
        sub = f"{where} ({d.get('times')} run(s) that were not cancelled)"
        if "value" not in d:
            failures.append(_fail("outcome", index, f"{sub}: got {_describe(d)}, expected "
                                  f"cancellation or a value"))
        else:
            failures += _judge_expect(step.get("expect"), d, index, sub)
    if not (value.get("landed") or {}).get("at_answer"):
        failures.append(_fail("outcome", index, f"{where}: no cancel landed at the producer's "
                              f"answer ({value.get('landed')}): the sweep never reached the "
                              f"completion boundary"))
    return failures


def _judge_expect(expect, outcome, index, where):
    got = _describe(outcome)
    if expect is None or "any" in expect:
        return []
    if "value" in expect:
        if "value" not in outcome or not values_equal(expect["value"], outcome["value"]):
            return [_fail("outcome", index, f"{where}: got {got}, expected value "
                          f"{_short(expect['value'])}")]
    elif "at_least" in expect:
        value = outcome.get("value")
        if not isinstance(value, (int, float)) or isinstance(value, bool) \
                or value < expect["at_least"]:
            return [_fail("outcome", index, f"{where}: got {got}, expected a value of at least "
                          f"{expect['at_least']}")]
    elif "error" in expect:
        err = outcome.get("error")
        want = expect["error"]
        if err is None or not values_equal(want["value"], err.get("value")) or \
                ("type" in want and want["type"] != err.get("type")):
            return [_fail("outcome", index, f"{where}: got {got}, expected error "
                          f"{_short(want)}")]
    elif "unexpected" in expect:
        message = outcome.get("unexpected")
        want = expect["unexpected"]
        if message is None or (isinstance(want, str) and want not in message):
            return [_fail("outcome", index, f"{where}: got {got}, expected an unexpected "
                          f"error{' containing ' + repr(want) if isinstance(want, str) else ''}")]
    elif "cancelled" in expect:
        if not outcome.get("cancelled"):
            return [_fail("outcome", index, f"{where}: got {got}, expected cancellation")]
    return []


def _judge_elapsed(bounds, elapsed, index, where, scale):
    if not bounds or elapsed is None:
        return []
    low = bounds.get("min")
    high = bounds.get("max")
    if bounds.get("unscaled"):
        scale = 1.0
    if low is not None and elapsed < low * scale * 0.9:
        return [_fail("timing", index, f"{where}: took {elapsed:.1f} ms, expected at least "
                      f"{low * scale:.1f} ms")]
    if high is not None and elapsed > high * scale + TIMING_SLACK_MS:
        return [_fail("timing", index, f"{where}: took {elapsed:.1f} ms, expected at most "
                      f"{high * scale:.1f} ms (+{TIMING_SLACK_MS:.0f} ms slack)")]
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
    for key in ("value", "error", "unexpected", "cancelled"):
        if key in outcome:
            text = f"{key} {_short(outcome[key])}"
            if outcome.get("exception"):
                text += f" ({outcome['exception']})"
            return text
    return _short(outcome)


def _short(value, limit=160) -> str:
    import json
    text = json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "..."
