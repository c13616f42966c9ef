"""findings.json of uniffi-kotlin is held by runners/uniffi-python/check_matrix.py; its
`symptoms_any` (a race in the binding decides which symptoms show) accepts exactly one of the
alternatives, and a pass only where the producer cannot see an alternative."""
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
