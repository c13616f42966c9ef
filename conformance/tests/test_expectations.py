"""A backend's expectations (asyncabi_conformance/expectations.py): a run held to findings.json
in both directions (a new failure and a finding that went away are both differences), racy
findings, findings visible with one producer only, monitor symptoms and producers without a
monitor, producer limits, the per-seed table, the CLI; and every backend's findings.json
against conformance/schema/findings.schema.json."""
import json
import subprocess
import sys

import jsonschema
import pytest

from conftest import CONFORMANCE

from asyncabi_conformance import expectations

SOURCE = CONFORMANCE.parent
SCHEMA = CONFORMANCE / "schema" / "findings.schema.json"
FINDINGS = sorted(SOURCE.glob("runners/*/findings.json"))

EXPECTED = {"backend": "b", "failing": {"f1": {"finding": "F1", "symptoms": ["foreign-complete-missing"]},
                                         "f2": {"finding": "F2", "symptoms": ["outcome"]}},
            "unsupported": {"u": "why"}, "monitor_symptoms": ["foreign-complete-missing"]}


def record(scenario, status, symptoms=(), monitor=True, backend="b"):
    return {"backend": backend, "scenario": scenario, "seed": 1, "status": status,
            "symptoms": list(symptoms), "mutant": None,
            "monitor": {"futures": {"violations": []} if monitor else None}}


def test_accepts_exactly_the_known_findings():
    results = {"results": [record("ok", "passed"), record("u", "unsupported"),
                           record("f1", "failed", ["foreign-complete-missing"]),
                           record("f2", "failed", ["outcome", "timing"])]}
    assert expectations.differences(results, EXPECTED) == []


@pytest.mark.parametrize("results, needle", [
    ([record("ok", "failed", ["timeout"])], "ok (seed 1): failed ['timeout'], expected to pass"),
    ([record("f1", "passed")], "f1 (seed 1): passed [], expected to fail"),
    ([record("f2", "failed", ["timeout"])], "expected to fail with ['outcome']"),
    ([record("u", "passed")], "u (seed 1): passed, expected unsupported"),
    ([record("ok", "not run")], "expected to pass"),
    ([record("ok", "passed", backend="other")], "no runs of b"),
    ([record("f1", "failed", ["foreign-complete-missing", "sanitizer"])], "a sanitizer report"),
])
def test_reports_every_difference(results, needle):
    problems = expectations.differences({"results": results}, EXPECTED)
    assert any(needle in p for p in problems), problems


def test_mutant_runs_are_not_held():
    mutant = dict(record("ok", "failed", ["outcome"]), mutant="m1")
    assert expectations.differences({"results": [mutant, record("ok", "passed")]}, EXPECTED) == []


def test_a_finding_visible_with_one_producer_must_pass_with_the_others():
    expected = dict(EXPECTED, failing={"f2": {"finding": "F2", "symptoms": ["outcome"],
                                              "visible_with": ["c"]}})
    c_run = dict(record("f2", "failed", ["outcome"]), producer="c")
    rust_ok = dict(record("f2", "passed", backend="b@rust"), producer="rust")
    assert expectations.differences({"results": [c_run, rust_ok]}, expected) == []
    rust_bad = dict(record("f2", "failed", ["outcome"], backend="b@rust"), producer="rust")
    problems = expectations.differences({"results": [c_run, rust_bad]}, expected)
    assert any("producer rust" in p and "visible only with ['c']" in p for p in problems)


def test_a_monitor_finding_is_not_expected_from_a_producer_without_a_monitor():
    ok = {"results": [record("f1", "passed", monitor=False)]}
    assert expectations.differences(ok, EXPECTED) == []
    still_failing = {"results": [record("f1", "failed", ["timeout"], monitor=False)]}
    assert expectations.differences(still_failing, EXPECTED)


def test_a_producer_limit_is_no_verdict_on_the_backend():
    limited = dict(record("ok", "unsupported", backend="b@rust"), producer="rust")
    assert expectations.differences({"results": [limited]}, EXPECTED) == []
    missing_cap = dict(limited, missing_capabilities=["threads"])
    assert expectations.differences({"results": [missing_cap]}, EXPECTED)


def test_a_racy_finding_may_pass_but_never_fail_otherwise():
    expected = {"backend": "uniffi-java", "failing": {
        "a": {"finding": "J1", "symptoms": ["leaked-buffer"]},
        "r": {"finding": "J3", "symptoms": ["outcome"], "racy": True}},
        "unsupported": {"u": "why"}, "monitor_symptoms": ["leaked-buffer"]}
    report = {"futures": {}}

    def run(scenario, status, symptoms=()):
        return {"backend": "uniffi-java", "scenario": scenario, "seed": 1, "producer": "c",
                "status": status, "symptoms": list(symptoms), "monitor": report}
    good = [run("a", "failed", ["leaked-buffer"]), run("r", "passed"), run("u", "unsupported"),
            run("x", "passed")]
    assert expectations.differences({"results": good}, expected) == []
    assert expectations.differences({"results": [run("a", "passed")]}, expected)  # fixed: news
    assert expectations.differences({"results": [run("x", "failed", ["outcome"])]}, expected)
    assert expectations.differences({"results": [run("r", "failed", ["timing"])]}, expected)
    assert expectations.differences({"results": [run("u", "passed")]}, expected)
    assert expectations.differences({"results": []}, expected)


RUBY = {"backend": "uniffi-ruby", "failing": {
    "wake_while_cancel": {"finding": "R9", "racy": True, "symptoms_any": [["timing"]]},
    "poll_handoff": {"finding": "R8", "symptoms_by_producer": {"c": ["timeout"],
                                                               "rust": ["precondition"]}}},
    "unsettled": {"ten_thousand_concurrent": "R6"}, "unsupported": {},
    "monitor_symptoms": []}


def ruby_run(scenario, status, symptoms, seed=1, producer="c"):
    return {"backend": "uniffi-ruby" if producer == "c" else "uniffi-ruby@rust",
            "producer": producer, "scenario": scenario, "seed": seed, "status": status,
            "symptoms": symptoms, "monitor": {}}


RUBY_RESULTS = {"results": [
    ruby_run("say", "passed", []), ruby_run("wake_while_cancel", "passed", []),
    ruby_run("poll_handoff", "failed", ["timeout"]),
    ruby_run("ten_thousand_concurrent", "failed", ["runner"]),
    ruby_run("poll_handoff", "failed", ["precondition"], producer="rust"),
    ruby_run("poll_handoff", "failed", ["timeout"], producer="rust"),
    ruby_run("ten_thousand_concurrent", "failed", ["runner-crashed", "sanitizer"], seed=2)]}


def test_per_seed_counts_every_run_once_by_kind():
    rows = {(row["lane"], row["seed"]): row
            for row in expectations.per_seed(RUBY_RESULTS, RUBY)}
    assert [rows[("uniffi-ruby", 1)][k] for k in expectations.KINDS] == [1, 1, 1, 0, 1, 0]
    assert [rows[("uniffi-ruby@rust", 1)][k] for k in expectations.KINDS] == [0, 1, 0, 0, 0, 1]
    assert [rows[("uniffi-ruby", 2)][k] for k in expectations.KINDS] == [0, 0, 0, 0, 0, 1]


def cli(*args):
    return subprocess.run([sys.executable, str(CONFORMANCE / "check_expectations.py"), *args],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_the_cli_prints_the_differences_and_the_per_seed_table(tmp_path):
    (tmp_path / "results.json").write_text(json.dumps(RUBY_RESULTS))
    (tmp_path / "findings.json").write_text(json.dumps(RUBY))
    proc = cli("--results", str(tmp_path / "results.json"),
               "--expected", str(tmp_path / "findings.json"), "--per-seed")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert sum(line.startswith("expectations: poll_handoff (seed 1, producer rust)")
               for line in lines) == 1, lines
    assert "| `uniffi-ruby` | 1 | 1 | 1 | 1 | 0 | 1 | 0 |" in lines, lines
    assert lines[-1] == "expectations: uniffi-ruby: 7 runs, 2 difference(s) from findings.json"


def test_the_cli_passes_a_run_without_differences(tmp_path):
    good = {"results": RUBY_RESULTS["results"][:4]}
    (tmp_path / "results.json").write_text(json.dumps(good))
    (tmp_path / "findings.json").write_text(json.dumps(RUBY))
    proc = subprocess.run([sys.executable, "-m", "asyncabi_conformance.expectations",
                           "--results", str(tmp_path / "results.json"),
                           "--expected", str(tmp_path / "findings.json")],
                          capture_output=True, text=True, timeout=60, cwd=str(CONFORMANCE),
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "expectations: uniffi-ruby: 4 runs, 0 difference(s) from findings.json\n"


@pytest.mark.parametrize("which", ["results", "expected"])
def test_the_cli_rejects_an_unreadable_file_in_one_line(tmp_path, which):
    files = {"results": tmp_path / "results.json", "expected": tmp_path / "findings.json"}
    files["results"].write_text(json.dumps(RUBY_RESULTS))
    files["expected"].write_text(json.dumps(RUBY))
    files[which].write_text("{not json")
    proc = cli("--results", str(files["results"]), "--expected", str(files["expected"]))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"expectations: cannot read {files[which]}: ")
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_the_cli_needs_the_findings_file(tmp_path):
    proc = cli("--results", str(tmp_path / "results.json"))
    assert proc.returncode == 2 and "--expected" in proc.stderr


def test_the_findings_schema_is_a_valid_schema():
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validators.validator_for(schema).check_schema(schema)


def test_every_backend_has_a_findings_file():
    assert {p.parent.name for p in FINDINGS} >= {"uniffi-python", "uniffi-kotlin",
                                                  "uniffi-ruby", "uniffi-java"}


@pytest.mark.parametrize("path", FINDINGS, ids=lambda p: p.parent.name)
def test_every_findings_file_matches_the_schema_and_names_what_exists(path):
    findings = json.loads(path.read_text())
    jsonschema.validate(findings, json.loads(SCHEMA.read_text()))
    assert findings["backend"] == path.parent.name
    assert findings["backend"] in json.loads((CONFORMANCE / "backends.json").read_text())
    scenarios = {p.stem for p in (CONFORMANCE / "scenarios").glob("*.json")}
    for section in ("failing", "unsupported", "unsettled"):
        unknown = set(findings.get(section, {})) - scenarios
        assert not unknown, f"{path}: {section} names no scenario: {sorted(unknown)}"


@pytest.mark.parametrize("broken, message", [
    ({"failing": {"s": {"finding": "F1"}}}, "is not valid under any of the given schemas"),
    ({"failing": {"s": {"finding": "F1", "symptoms": ["outcome"], "racy": "yes"}}},
     "is not of type 'boolean'"),
    ({"failing": {"s": {"finding": "F1", "symptom": ["outcome"]}}}, "Additional properties"),
    ({"unsupported": {"s": ""}}, "should be non-empty"),
    ({"failing": {"s": {"finding": "F1", "symptoms": []}}}, "should be non-empty"),
])
def test_the_schema_rejects_broken_findings(broken, message):
    findings = dict({"backend": "b", "failing": {}, "unsupported": {}}, **broken)
    with pytest.raises(jsonschema.ValidationError) as error:
        jsonschema.validate(findings, json.loads(SCHEMA.read_text()))
    assert message in str(error.value), str(error.value)

