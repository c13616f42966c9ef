"""Every name a verdict can carry comes from one table, and every list of expected names is
checked against it: the harness's own symptoms (asyncabi_conformance/symptoms.py) and the
violation codes (AA_MISUSES in observe.h, through names). The judge, the runner process and the
plugin use the table's constants, never literals; every mutant's `expect`, every backend's
findings.json, the Rust producer's checks.json and the docs name only what is in it."""
import ast
import importlib.util
import json
import re

import pytest

from conftest import CONFORMANCE, FAKE

from asyncabi_conformance import (expectations, judge, names, records, runner_process,
                                  symptoms)

SOURCE = CONFORMANCE.parent
PACKAGE = CONFORMANCE / "asyncabi_conformance"
FINDINGS = sorted(SOURCE.glob("runners/*/findings.json"))


def test_the_table_is_consistent():
    rows = list(symptoms.SYMPTOMS.values())
    assert [r.name for r in rows] == list(symptoms.SYMPTOMS)
    assert all(r.kind in symptoms.KINDS and r.fault in symptoms.FAULTS and r.meaning
               for r in rows)
    # every kind but violation is a symptom by itself, reported under its own kind
    for kind in symptoms.KINDS:
        if kind != symptoms.VIOLATION:
            assert symptoms.SYMPTOMS[kind].kind == kind
    assert symptoms.VIOLATION not in symptoms.SYMPTOMS  # its symptom is its code
    assert not set(symptoms.SYMPTOMS) & set(names.MISUSES)
    # the one trace op a run can fail with: a runtime misuse the monitor did not report
    assert set(symptoms.SYMPTOMS) & set(names.TRACE_OPS) == {symptoms.RUNTIME_MISUSE}
    assert symptoms.RUNTIME_MISUSE in names.MONITOR_OPS
    assert symptoms.SYMPTOMS[symptoms.RUNTIME_MISUSE].kind == symptoms.VIOLATION


def test_known_names_are_the_table_and_the_codes():
    assert symptoms.known("timeout") and symptoms.known("leaked-future")
    assert symptoms.symptom("runner-hung") == "runner-hung"
    with pytest.raises(KeyError, match="symptoms.py"):
        symptoms.symptom("leaked-future")  # a violation code, not a harness symptom
    assert symptoms.unknown(["timeout", "timeuot", "free-twice", "free-twise"]) == [
        "free-twise", "timeuot"]


def test_the_runner_process_names_table_symptoms():
    errors = [runner_process.RunnerError, runner_process.RunnerHung,
              runner_process.RunnerCrashed, runner_process.RunnerProtocolError,
              runner_process.RunnerStartFailed]
    assert all(symptoms.SYMPTOMS[e.symptom].kind == symptoms.RUNNER for e in errors)


def test_a_failure_of_an_unknown_kind_is_refused():
    assert records.Failure(symptoms.TIMING, "slow").symptom == "timing"
    with pytest.raises(ValueError, match="unknown failure kind 'timeuot'"):
        records.Failure("timeuot", "slow")


@pytest.mark.parametrize("violation", [{"code": "leaked-futur"}, {"message": "no code"}])
def test_a_monitor_code_outside_the_table_is_a_fault_of_the_producer(violation):
    report = {"scenario": "s", "violations": [dict(violation, handle=5)], "counters": {}}
    failures = judge.judge_monitor({"id": "s", "fixtures": ["futures"]}, {"futures": report}, 1.0)
    assert [(f.kind, f.symptom, f.handle) for f in failures] == [("fixture", "fixture", 5)]
    assert "not in AA_MISUSES" in failures[0].message
    good = {"scenario": "s", "violations": [{"code": "free-twice"}], "counters": {}}
    assert [f.symptom for f in judge.judge_monitor(
        {"id": "s", "fixtures": ["futures"]}, {"futures": good}, 1.0)] == ["free-twice"]


def literal_names(path):
    """(line, text) of each string literal given as a failure's kind or code, or as a class's
    `symptom`, in one module of the package: Failure("..."), *.fail("..."), code="...",
    symptom = "..."."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            args = node.args[:1] if called in ("Failure", "fail") else []
            args += [k.value for k in node.keywords if k.arg in ("kind", "code")]
            found += [(a.lineno, a.value) for a in args
                      if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and any(
                isinstance(t, ast.Name) and t.id == "symptom" for t in node.targets):
            found.append((node.lineno, node.value.value))
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_the_harness_spells_no_symptom_by_hand(path):
    if path.name == "symptoms.py":
        return  # the table itself
    assert literal_names(path) == [], f"{path.name}: use the constants of symptoms.py"


def test_a_symptom_spelt_by_hand_is_found(tmp_path):
    module = tmp_path / "judge_like.py"
    module.write_text('def f(s):\n    return [s.fail("timeout", "late"), '
                      'Failure(RUNNER, "x", code="runner-hung")]\n'
                      'class E:\n    symptom = "runner-crashed"\n')
    assert sorted(literal_names(module)) == [(2, "runner-hung"), (2, "timeout"),
                                             (4, "runner-crashed")]


# --- every list of expected names -------------------------------------------------------------

@pytest.mark.parametrize("path", FINDINGS, ids=lambda p: p.parent.name)
def test_every_findings_file_names_only_known_symptoms(path):
    assert expectations.unknown_symptoms(json.loads(path.read_text())) == []


def test_a_misspelt_name_in_findings_is_a_difference():
    findings = {"backend": "b", "unsupported": {}, "monitor_symptoms": ["leaked-futur"],
                "failing": {"s": {"finding": "F1", "symptoms": ["timeuot"]},
                            "r": {"finding": "F2", "symptoms_any": [["timing"], ["outcom"]]},
                            "p": {"finding": "F3", "symptoms_by_producer": {
                                "c": ["timeout"], "rust": ["precondtion"]}}}}
    problems = expectations.unknown_symptoms(findings)
    assert problems == [
        "b: monitor_symptoms: 'leaked-futur' is neither a harness symptom "
        "(asyncabi_conformance/symptoms.py) nor a violation code (AA_MISUSES, observe.h)",
        *[f"b: {where}: {symptoms.why_unknown(name)}" for where, name in (
            ("failing.s.symptoms", "timeuot"), ("failing.r.symptoms_any", "outcom"),
            ("failing.p.symptoms_by_producer.rust", "precondtion"))]]
    run = {"backend": "b", "scenario": "ok", "seed": 1, "status": "passed", "symptoms": []}
    assert expectations.differences({"results": [run]}, findings) == problems


def mutant_modules():
    """(backend, path, MUTANTS) of every mutants module a backends file registers (the real one
    and the harness's fake one). Test names and ids avoid the word "mutants": conformance_harness
    deselects those (-k "not mutants")."""
    out = []
    for backends, root in ((CONFORMANCE / "backends.json", SOURCE),
                           (FAKE / "backends.json", FAKE)):
        for name, spec in json.loads(backends.read_text()).items():
            if name.startswith("$") or not spec.get("mutants"):
                continue
            path = (FAKE if spec["mutants"].startswith(".") else root) / spec["mutants"]
            loader = importlib.util.spec_from_file_location(f"mutants_of_{name}", path)
            module = importlib.util.module_from_spec(loader)
            loader.loader.exec_module(module)
            out.append((name, f"{path.relative_to(SOURCE)}", module.MUTANTS))
    return out


MUTANT_MODULES = mutant_modules()


def test_the_python_backends_mutant_list_is_checked():
    assert ("python", "conformance/mutants/python_mutants.py") in [
        (backend, path) for backend, path, _ in MUTANT_MODULES]


@pytest.mark.parametrize("backend, path, table", MUTANT_MODULES,
                         ids=[m[0] for m in MUTANT_MODULES])
def test_every_mutant_expects_only_known_symptoms(backend, path, table):
    assert all(info.get("expect") for info in table.values())
    assert expectations.unknown_mutant_symptoms(table, path) == []


def test_a_misspelt_mutant_expectation_is_found():
    mutants = {"m": {"bug": "b", "expect": ["runner-crashd", "timeout"]}}
    assert expectations.unknown_mutant_symptoms(mutants, "x.py") == [
        f"x.py: mutant m: expect: {symptoms.why_unknown('runner-crashd')}"]


def test_the_rust_producers_checks_name_violation_codes():
    checks = json.loads((SOURCE / "producers" / "rust" / "checks.json").read_text())["checks"]
    assert set(checks) <= set(names.MISUSES), sorted(set(checks) - set(names.MISUSES))


# --- the docs ------------------------------------------------------------------------------------

def test_the_docs_list_of_symptoms_is_generated_from_the_table():
    assert symptoms.main(["--check"]) == 0


def test_a_stale_docs_list_is_found():
    text = (SOURCE / symptoms.DOC).read_text()
    assert symptoms.with_block(text, symptoms.doc_block()) == text
    assert symptoms.with_block(text, "| `timeout` | stale |") != text


def doc_names():
    """(file, name) of every name the docs use as a symptom or code by hand: in
    certify-a-backend.md's table of typical causes, every backticked name of the first column;
    in the findings' `| symptom |` rows (docs/findings.md), every backticked name that is
    followed by a colon or has a hyphen (the prose there also quotes identifiers and messages)."""
    found = []
    certify = (SOURCE / "docs" / "certify-a-backend.md").read_text()
    table = certify.split("Violation codes and what they usually mean")[1].split("\n\n")[1]
    for row in table.splitlines()[2:]:
        found += [("certify-a-backend.md", n) for n in re.findall(r"`([^`]*)`", row.split("|")[1])]
    for row in (SOURCE / "docs" / "findings.md").read_text().splitlines():
        if row.startswith("| symptom |"):
            found += [("findings.md", n) for n in
                      re.findall(r"`([a-z]+(?:-[a-z]+)+)`|`([a-z]+)`:", row) for n in n if n]
    return found


def test_the_docs_name_only_known_symptoms():
    found = doc_names()
    assert {("certify-a-backend.md", "precondition"), ("findings.md", "outcome"),
            ("findings.md", "leaked-future")} <= set(found)
    assert [(f, n) for f, n in found if not symptoms.known(n)] == []
