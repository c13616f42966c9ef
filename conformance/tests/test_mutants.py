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
