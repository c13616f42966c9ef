"""findings.json of uniffi-kotlin as asyncabi_conformance.expectations holds a run to it: its
`symptoms_any` (F7, a race in the binding) accepts one of its alternatives or a pass (racy),
F6's `thread` is no longer expected (the backend declares the 'any' thread model), and a
sanitizer report or a run that did not run is a difference even here. (The checker's own tests, the per-seed
table among them: conformance/tests/test_expectations.py.)"""
import json

import pytest

from conftest import ADAPTER

from asyncabi_conformance import expectations

EXPECTED = json.loads((ADAPTER / "findings.json").read_text())
MONITOR = {"futures": {"violations": []}}


def run(status, symptoms, producer="c", monitor=MONITOR, scenario="foreign_dropped_at_once"):
    return {"backend": "uniffi-kotlin" if producer == "c" else f"uniffi-kotlin@{producer}",
            "producer": producer, "scenario": scenario, "seed": 1, "status": status,
            "symptoms": symptoms, "monitor": monitor if producer == "c" else {"futures": None}}


@pytest.mark.parametrize("result", [
    run("failed", ["foreign-complete-missing"]),  # F7 lost, seen by the C monitor
    run("failed", ["outcome"], producer="rust"),  # F7 lost, the call never started
    run("passed", []),  # F7 won: the coroutine started before the drop (racy)
    run("passed", [], producer="rust"),
    run("unsupported", [], scenario="async_primary_constructors"),
])
def test_an_outcome_of_the_race_is_accepted(result):
    assert expectations.differences({"results": [result]}, EXPECTED) == []


@pytest.mark.parametrize("result", [
    run("failed", ["thread"]),  # F6 is judged under the declared 'any' model: never a failure
    run("failed", ["timeout"]),
    run("failed", ["foreign-complete-missing"], producer="rust"),  # not a Rust-producer verdict
    run("failed", ["timeout"], scenario="say_after"),
    run("passed", [], scenario="async_primary_constructors"),
])
def test_anything_else_is_a_difference(result):
    assert expectations.differences({"results": [result]}, EXPECTED) != []


def test_every_listed_finding_names_its_symptoms():
    for scenario, known in EXPECTED["failing"].items():
        assert known.get("symptoms") or known.get("symptoms_any"), scenario


def test_a_sanitizer_report_is_a_difference_even_where_a_failure_is_expected():
    result = run("failed", ["foreign-complete-missing", "runner-crashed", "sanitizer"])
    problems = expectations.differences({"results": [result]}, EXPECTED)
    assert len(problems) == 1 and "sanitizer report" in problems[0]


def test_a_run_that_did_not_run_is_a_difference():
    # e.g. a fixture variant the backend declares it cannot run (backends.json, cannot_run)
    assert expectations.differences({"results": [run("not run", [], scenario="say")]}, EXPECTED)


def test_a_tracking_producer_judges_only_what_its_report_names():
    # The Rust producer reports {"monitor": false, "judges": [...]}: F7's
    # foreign-complete-missing is not among them, so a pass (F7 won the race) is accepted there,
    # and a symptom it does judge still counts.
    tracking = {"adversarial": {"monitor": False, "judges": ["leaked-future", "leaked-object"]}}
    passed = run("passed", [], producer="rust")
    passed["monitor"] = tracking
    assert expectations.differences({"results": [passed]}, EXPECTED) == []
    assert expectations.monitor_verdicts(passed) == {"leaked-future", "leaked-object"}
    assert expectations.monitor_verdicts(run("passed", [])) is expectations.ALL
