"""The suite tests itself: every mutant of the Python backend fails with its expected symptom,
and the real backend passes (mutation score 100%)."""
import json
import subprocess
import sys

import pytest

from conftest import CONFORMANCE


@pytest.fixture(scope="module")
def results(build_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("mutants") / "results.json"
    proc = subprocess.run([sys.executable, str(CONFORMANCE / "conform.py"), "--build-dir",
                           str(build_dir), "--backend", "python", "--mutants", "all",
                           "--json", str(out), "--html", str(out.with_suffix(".html")),
                           "--junit", str(out.with_suffix(".xml"))],
                          capture_output=True, text=True, timeout=280)
    print(proc.stdout[-6000:])
    assert out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text()), proc


sys.path.insert(0, str(CONFORMANCE / "mutants"))
import python_mutants  # noqa: E402


def test_real_backend_passes_every_scenario(results):
    data, _ = results
    failed = [r["id"] for r in data["results"] if not r["mutant"] and r["status"] != "passed"]
    assert not failed


@pytest.mark.parametrize("mutant", sorted(python_mutants.MUTANTS))
def test_mutant_is_caught_with_the_expected_symptom(results, mutant):
    data, _ = results
    row = next(m for m in data["mutation"]["mutants"] if m["mutant"] == mutant)
    assert row["killed"], f"{mutant} survived: {row['bug']}"
    assert row["as_expected"], (f"{mutant} killed by {row['killed_by']} with {row['symptoms']}, "
                                f"expected one of {row['expected']}")


def test_mutation_score_is_printed(results):
    data, proc = results
    assert data["mutation"]["score"] == 1.0
    n = len(python_mutants.MUTANTS)
    assert f"mutation score: {n}/{n} mutants killed (100%)" in proc.stdout
    assert len(python_mutants.MUTANTS) >= 10


# The gaps of issue 9: each bug class has a scenario that provokes it, and that scenario alone
# kills its mutant with a named symptom (a monitor violation code), not with a step timeout.
# drops_wake_during_poll is the one exception allowed a timeout beside its name: a lost wake
# means the call can never finish, so the step's deadline necessarily expires too.
GAPS = {
    "reuses_stale_status": ({"fallible_me"}, "status-not-reset"),
    "foreign_task_weakly_held": ({"gc_foreign_task_parked"}, "foreign-complete-missing"),
    "foreign_completion_holder_collected": ({"gc_foreign_task_parked", "gc_foreign_task_sleeping"},
                                            "foreign-complete-missing"),
    "frees_twice_on_cancel_race": ({"cancel_sweep_completion"}, "free-twice"),
    "leaks_one_cancel_in_fifty": ({"cancel_sweep_completion"}, "leaked-future"),
    "f32_completed_as_f64": ({"consumer_all_families"}, "wrong-family"),
    "drops_wake_during_poll": ({"poll_handoff"}, "continuation-unanswered"),
    # The C runtime reports a replayed completion and never frees its buffer twice, so the
    # producer no longer crashes first ("runner-crashed" stays in expect for the Rust producer).
    "completes_foreign_twice": ({"foreign_all_families"}, "foreign-complete-twice"),
}
TIMEOUT_UNAVOIDABLE = {"drops_wake_during_poll"}


@pytest.fixture(scope="module")
def gaps(build_dir, tmp_path_factory):
    """One conform run per scenario set, with only the mutants that set is for (a mutant is
    killed by the first scenario that fails against it, so another gap's scenario must not get
    there first): the records and mutation rows of all runs together."""
    groups = {}
    for mutant, (scenarios, _) in GAPS.items():
        groups.setdefault(tuple(sorted(scenarios)), []).append(mutant)
    merged = {"results": [], "mutation": {"mutants": []}}
    for scenarios, mutants in groups.items():
        out = tmp_path_factory.mktemp("gaps") / "results.json"
        cmd = [sys.executable, str(CONFORMANCE / "conform.py"), "--build-dir", str(build_dir),
               "--backend", "python", "--mutants", ",".join(mutants), "--seed", "1,2",
               "--json", str(out), "--html", str(out.with_suffix(".html")),
               "--junit", str(out.with_suffix(".xml"))]
        for scenario in scenarios:
            cmd += ["--scenario", scenario]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        print(proc.stdout[-2000:])
        assert out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
        data = json.loads(out.read_text())
        merged["results"] += data["results"]
        merged["mutation"]["mutants"] += data["mutation"]["mutants"]
    return merged


def test_gap_scenarios_pass_on_the_real_backend(gaps):
    records = [r for r in gaps["results"] if not r["mutant"]]
    assert {r["scenario"] for r in records} == {s for ids, _ in GAPS.values() for s in ids}
    assert [r["id"] for r in records if r["status"] != "passed"] == []


@pytest.mark.parametrize("mutant", sorted(GAPS))
def test_gap_scenario_kills_its_mutant_by_name(gaps, mutant):
    scenarios, symptom = GAPS[mutant]
    assert symptom in python_mutants.MUTANTS[mutant]["expect"]
    row = next(m for m in gaps["mutation"]["mutants"] if m["mutant"] == mutant)
    assert row["killed"], f"{mutant} survived {sorted(scenarios)}"
    assert row["killed_by"] in scenarios, row
    assert symptom in row["symptoms"], row
    if mutant not in TIMEOUT_UNAVOIDABLE:
        assert "timeout" not in row["symptoms"], row
