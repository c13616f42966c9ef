"""The producer dimension (asyncabi_conformance/producers.py): every backend against each
selected producer as a lane of its own; a producer that is not built fails every run of its
lane (never skipped, never passed); the reports carry the producer."""
import json
import subprocess
import sys

from conftest import CONFORMANCE


def conform(env, build, *args):
    return subprocess.run([sys.executable, str(CONFORMANCE / "conform.py"), "--build-dir",
                           str(build), *args], env=env, capture_output=True, text=True,
                          timeout=120)


def run(env, build, tmp_path, *args):
    out = tmp_path / "r.json"
    proc = conform(env, build, "--backend", "fake", "--scenario", "ok_*", "--json", str(out),
                   "--html", str(tmp_path / "r.html"), "--junit", str(tmp_path / "j.xml"),
                   *args)
    data = json.loads(out.read_text()) if out.exists() else None
    return proc, data


def test_a_producer_that_is_not_built_fails_every_run_of_its_lane(fake_env, tmp_path):
    env, build = fake_env
    proc, data = run(env, build, tmp_path, "--producer", "c,rust")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lanes = {(r["backend"], r["producer"]): r for r in data["results"]}
    assert {k for k in lanes} == {("fake", "c"), ("fake@rust", "rust")}
    c_runs = [r for r in data["results"] if r["producer"] == "c"]
    rust_runs = [r for r in data["results"] if r["producer"] == "rust"]
    assert c_runs and all(r["status"] == "passed" for r in c_runs)
    assert rust_runs and all(r["status"] == "failed" and r["symptoms"] == ["producer-missing"]
                             for r in rust_runs)
    assert "rust producer of 'futures' is not built" in rust_runs[0]["failures"][0]["message"]
    assert "--producer rust" in rust_runs[0]["reproduce"]
    assert "--producer c" in c_runs[0]["reproduce"]
    assert data["backends"]["fake@rust"]["producer"] == "rust"
    assert "conform: fake@rust: 0/2 scenarios passed, 2 failed" in proc.stdout
    assert ("conform: fake: the producers disagree on 2 scenario(s): ok_a (c passed, rust "
            "failed producer-missing)") in proc.stdout
    assert "fake@rust" in (tmp_path / "r.html").read_text()
    assert "ok_a[fake@rust-seed1]" in (tmp_path / "j.xml").read_text()


def test_a_built_rust_producer_is_driven_like_the_c_one(fake_env, tmp_path):
    env, build = fake_env
    folder = build / "producers" / "rust"
    folder.mkdir(parents=True)
    library = json.loads((CONFORMANCE / "tests" / "fake" / "fixtures" / "futures" /
                          "interface.json").read_text())["library"]
    (folder / f"lib{library}.so").write_bytes(b"")
    proc, data = run(env, build, tmp_path, "--producer", "rust")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {r["backend"] for r in data["results"]} == {"fake@rust"}
    assert all(r["status"] == "passed" for r in data["results"])


def test_the_cli_defaults_to_both_producers(fake_env, tmp_path):
    env, build = fake_env
    env = dict(env)
    env.pop("ASYNCABI_PRODUCERS")
    proc, data = run(env, build, tmp_path)
    assert {r["producer"] for r in data["results"]} == {"c", "rust"}


def test_an_unknown_producer_is_a_one_line_usage_error(fake_env, tmp_path):
    env, build = fake_env
    proc, _ = run(env, build, tmp_path, "--producer", "go")
    assert proc.returncode == 2
    assert "unknown producer 'go'" in proc.stdout + proc.stderr


def test_a_scenario_the_producer_cannot_meet_is_unsupported_for_it_only(fake_env, tmp_path):
    env, build = fake_env
    checks = tmp_path / "producers" / "rust" / "checks.json"
    checks.parent.mkdir(parents=True)
    checks.write_text(json.dumps({"limits": {"rust": {"ok_a": "cannot observe it"}}}))
    folder = build / "producers" / "rust"
    folder.mkdir(parents=True)
    library = json.loads((CONFORMANCE / "tests" / "fake" / "fixtures" / "futures" /
                          "interface.json").read_text())["library"]
    (folder / f"lib{library}.so").write_bytes(b"")
    env = dict(env, ASYNCABI_PRODUCERS_SOURCE=str(tmp_path / "producers"))
    proc, data = run(env, build, tmp_path, "--producer", "c,rust")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    status = {(r["scenario"], r["producer"]): r for r in data["results"]}
    assert status[("ok_a", "rust")]["status"] == "unsupported"
    assert "the rust producer cannot meet it: cannot observe it" in status[("ok_a", "rust")]["reason"]
    assert status[("ok_a", "c")]["status"] == "passed"
    assert status[("ok_e", "rust")]["status"] == "passed"
