"""The harness end to end with the fake runner: results survive hangs and crashes, every
report is written, a backend without a capability skips instead of failing."""
import json
import subprocess
import sys

import pytest

from conftest import CONFORMANCE


def conform(env, build, *args):
    return subprocess.run([sys.executable, str(CONFORMANCE / "conform.py"), "--build-dir",
                           str(build), *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_results_survive_a_hung_a_crashed_and_a_babbling_runner(fake_env, tmp_path):
    env, build = fake_env
    out = tmp_path / "r.json"
    proc = conform(env, build, "--backend", "fake", "--json", str(out), "--html",
                   str(tmp_path / "r.html"), "--junit", str(tmp_path / "j.xml"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = json.loads(out.read_text())
    status = {r["scenario"]: r["status"] for r in data["results"]}
    assert status == {"ok_a": "passed", "hang_b": "failed", "crash_c": "failed",
                      "badjson_d": "failed", "ok_e": "passed", "violation_f": "failed"}
    symptoms = {r["scenario"]: r["symptoms"] for r in data["results"]}
    assert symptoms["hang_b"] == ["runner-hung"]
    assert symptoms["crash_c"] == ["runner-crashed"]
    assert symptoms["badjson_d"] == ["protocol-error"]
    assert symptoms["violation_f"] == ["free-twice"]
    crash = next(r for r in data["results"] if r["scenario"] == "crash_c")
    assert "crashing now" in crash["stderr"]
    assert "--scenario crash_c --seed 1" in crash["reproduce"]
    assert len(data["backends"]["fake"]["restarts"]) == 3
    assert "conform: fake: 2/6 scenarios passed, 4 failed" in proc.stdout
    junit = (tmp_path / "j.xml").read_text()
    assert "hang_b[fake-seed1]" in junit and "asyncabi-conformance" in junit
    assert "hang_b" in (tmp_path / "r.html").read_text()


def test_missing_capability_is_reported_as_unsupported(fake_env, tmp_path):
    env, build = fake_env
    out = tmp_path / "r.json"
    proc = conform(env, build, "--backend", "fake_nocaps", "--scenario", "ok_*",
                   "--json", str(out), "--seed", "4", "--seed", "5")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(out.read_text())
    status = sorted((r["scenario"], r["seed"], r["status"]) for r in data["results"])
    assert status == [("ok_a", 4, "passed"), ("ok_a", 5, "passed"),
                      ("ok_e", 4, "unsupported"), ("ok_e", 5, "unsupported")]
    assert "1 unsupported" in proc.stdout


@pytest.mark.parametrize("args, message", [
    (["--seed", "abc"], "seeds are whole numbers"),
    (["--seeds", "0"], "must be at least 1"),
    (["--time-scale", "0"], "must be at least 0.001"),
    (["--repeat", "x"], "is not a number"),
])
def test_bad_options_are_usage_errors_not_tracebacks(fake_env, args, message):
    env, build = fake_env
    proc = conform(env, build, "--backend", "fake", *args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr + proc.stdout


def test_unknown_backend_fails_clearly_and_claims_no_reports(fake_env, tmp_path):
    env, build = fake_env
    page = tmp_path / "never.html"
    proc = conform(env, build, "--backend", "nosuch", "--html", str(page))
    assert proc.returncode != 0
    assert "unknown backend" in proc.stdout + proc.stderr
    assert "conform: reports: none written" in proc.stdout and not page.exists()
