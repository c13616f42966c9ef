"""SARIF output validates against the SARIF 2.1.0 JSON schema (OASIS, committed under sarif/)
and carries what GitHub code scanning uses: rules with help, locations, partialFingerprints."""
import json
import os
import pathlib
import subprocess

import jsonschema

HERE = pathlib.Path(__file__).resolve().parent
CHECKER = os.path.abspath(os.environ.get("ASYNCABI_CHECKER") or str(
    pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", "build")) / "checker" / "asyncabi-check"))
SCHEMA = json.loads((HERE / "sarif" / "sarif-schema-2.1.0.json").read_text())


def sarif(*args):
    proc = subprocess.run([CHECKER, "--format", "sarif", *map(str, args)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode in (0, 1, 2), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def validate(log):
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_findings_validate():
    files = sorted((HERE / "corpus").rglob("bad_*.c"))
    code, log = sarif("--jobs", "2", *files)
    assert code == 2  # the corpus includes unparseable files on purpose
    validate(log)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) >= 20
    for r in rules:
        assert r["help"]["text"] and r["help"]["markdown"].startswith("# " + r["id"])
        assert r["shortDescription"]["text"]
    assert len(run["results"]) > 50
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] and loc["region"]["startLine"] >= 1
        assert res["partialFingerprints"]["asyncabiFingerprint/v1"]


def test_clean_run_validates():
    code, log = sarif(HERE / "corpus" / "cancel-frees" / "good_1.c")
    assert code == 0
    validate(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_relative_uris_under_the_working_directory():
    proc = subprocess.run([CHECKER, "--format", "sarif",
                           "corpus/cancel-frees/bad_1.c"], capture_output=True, text=True,
                          cwd=HERE)
    log = json.loads(proc.stdout)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "corpus/cancel-frees/bad_1.c"
