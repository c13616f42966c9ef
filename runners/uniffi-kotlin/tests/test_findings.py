"""findings.json of uniffi-kotlin is held by runners/uniffi-python/check_matrix.py; its
`symptoms_any` (a race in the binding decides which symptoms show) accepts exactly one of the
alternatives, and a pass only where the producer cannot see an alternative. Also the rules every
backend shares: a sanitizer report, a run that did not run, the per-seed table."""
import json

import pytest

from conftest import ADAPTER

import check_matrix

EXPECTED = json.loads((ADAPTER / "findings.json").read_text())
MONITOR = {"futures": {"violations": []}}


def run(status, symptoms, producer="c", monitor=MONITOR, scenario="foreign_dropped_at_once"):
    return {"backend": "uniffi-kotlin" if producer == "c" else f"uniffi-kotlin@{producer}",
            "producer": producer, "scenario": scenario, "seed": 1, "status": status,
            "symptoms": symptoms, "monitor": monitor if producer == "c" else {"futures": None}}


@pytest.mark.parametrize("result", [
    run("failed", ["thread"]),
    run("failed", ["foreign-complete-missing"]),
    run("failed", ["thread"], producer="rust"),
    run("passed", [], producer="rust"),  # F7 against a producer without a monitor
    run("unsupported", [], scenario="async_primary_constructors"),
])
def test_an_outcome_of_the_race_is_accepted(result):
    assert check_matrix.differences({"results": [result]}, EXPECTED) == []


@pytest.mark.parametrize("result", [
    run("passed", []),  # the C producer's monitor sees F7 when F6 does not show
    run("failed", ["outcome"]),
    run("failed", ["foreign-complete-missing"], producer="rust"),
    run("failed", ["timeout"], scenario="say_after"),
    run("passed", [], scenario="async_primary_constructors"),
])
def test_anything_else_is_a_difference(result):
    assert check_matrix.differences({"results": [result]}, EXPECTED) != []


def test_every_listed_finding_names_its_symptoms():
    for scenario, known in EXPECTED["failing"].items():
        assert known.get("symptoms") or known.get("symptoms_any"), scenario


def test_a_sanitizer_report_is_a_difference_even_where_a_failure_is_expected():
    result = run("failed", ["thread", "runner-crashed", "sanitizer"])
    problems = check_matrix.differences({"results": [result]}, EXPECTED)
    assert len(problems) == 1 and "sanitizer report" in problems[0]


def test_a_run_that_did_not_run_is_a_difference():
    # e.g. a fixture variant the backend declares it cannot run (backends.json, cannot_run)
    assert check_matrix.differences({"results": [run("not run", [], scenario="say")]}, EXPECTED)


def test_per_seed_counts_every_run_once_by_kind():
    ruby = {"backend": "uniffi-ruby", "failing": {
        "wake_while_cancel": {"finding": "R9", "racy": True, "symptoms_any": [["timing"]]},
        "poll_handoff": {"finding": "R8", "symptoms_by_producer": {"c": ["timeout"],
                                                                   "rust": ["precondition"]}}},
        "unsettled": {"ten_thousand_concurrent": "R6"}, "unsupported": {},
        "monitor_symptoms": []}

    def r(scenario, status, symptoms, seed=1, producer="c"):
        return {"backend": "uniffi-ruby" if producer == "c" else "uniffi-ruby@rust",
                "producer": producer, "scenario": scenario, "seed": seed, "status": status,
                "symptoms": symptoms, "monitor": {}}
    results = {"results": [
        r("say", "passed", []), r("wake_while_cancel", "passed", []),
        r("poll_handoff", "failed", ["timeout"]),
        r("ten_thousand_concurrent", "failed", ["runner"]),
        r("poll_handoff", "failed", ["precondition"], producer="rust"),
        r("poll_handoff", "failed", ["timeout"], producer="rust"),
        r("ten_thousand_concurrent", "failed", ["runner-crashed", "sanitizer"], seed=2)]}
    rows = {(row["lane"], row["seed"]): row for row in check_matrix.per_seed(results, ruby)}
    assert [rows[("uniffi-ruby", 1)][k] for k in check_matrix.KINDS] == [1, 1, 1, 0, 1, 0]
    assert [rows[("uniffi-ruby@rust", 1)][k] for k in check_matrix.KINDS] == [0, 1, 0, 0, 0, 1]
    assert [rows[("uniffi-ruby", 2)][k] for k in check_matrix.KINDS] == [0, 0, 0, 0, 0, 1]


def test_a_tracking_producer_judges_only_what_its_report_names():
    # The Rust producer reports {"monitor": false, "judges": [...]}: F7's
    # foreign-complete-missing is not among them, so a pass (F7 won the race) is accepted there,
    # and a symptom it does judge still counts.
    tracking = {"adversarial": {"monitor": False, "judges": ["leaked-future", "leaked-object"]}}
    passed = run("passed", [], producer="rust")
    passed["monitor"] = tracking
    assert check_matrix.differences({"results": [passed]}, EXPECTED) == []
    assert check_matrix.monitor_verdicts(passed) == {"leaked-future", "leaked-object"}
    assert check_matrix.monitor_verdicts(run("passed", [])) is check_matrix.ALL
