"""The harness end to end with the fake runner: results survive hangs and crashes, every
report is written, a backend without a capability skips instead of failing, and nothing that
did not run ever reads as passed (missing runner, runner dying at start, SIGINT / SIGTERM
mid-run, mutants that never ran, reports that cannot be written)."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from conftest import CONFORMANCE
from asyncabi_conformance import records, report


def conform(env, build, *args, timeout=120):
    return subprocess.run([sys.executable, str(CONFORMANCE / "conform.py"), "--build-dir",
                           str(build), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def reports(tmp_path):
    return ["--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"),
            "--junit", str(tmp_path / "j.xml")]


def test_results_survive_a_hung_a_crashed_and_a_babbling_runner(fake_env, tmp_path):
    env, build = fake_env
    proc = conform(env, build, "--backend", "fake", *reports(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    status = {r["scenario"]: r["status"] for r in data["results"]}
    assert status == {"ok_a": "passed", "hang_b": "failed", "crash_c": "failed",
                      "badjson_d": "failed", "ok_e": "passed", "violation_f": "failed",
                      "wait_g": "passed"}
    symptoms = {r["scenario"]: r["symptoms"] for r in data["results"]}
    assert symptoms["hang_b"] == ["runner-hung"]
    assert symptoms["crash_c"] == ["runner-crashed"]
    assert symptoms["badjson_d"] == ["protocol-error"]
    assert symptoms["violation_f"] == ["free-twice"]
    crash = next(r for r in data["results"] if r["scenario"] == "crash_c")
    assert "crashing now" in crash["stderr"]
    assert "--scenario crash_c --seed 1" in crash["reproduce"]
    assert len(data["backends"]["fake"]["restarts"]) == 3
    assert "conform: fake: 3/7 scenarios passed, 4 failed, 0 not run" in proc.stdout
    junit = (tmp_path / "j.xml").read_text()
    assert "hang_b[fake-seed1]" in junit and "asyncabi-conformance" in junit
    assert 'failures="4"' in junit
    page = (tmp_path / "r.html").read_text()
    assert "hang_b" in page and "Every run of every real backend passed" not in page


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


@pytest.mark.parametrize("backend, symptom, why", [
    ("missing", "runner-start-failed", "No such file or directory"),
    ("dies_at_start", "runner-crashed", "exited before sending the hello"),
])
def test_a_runner_that_cannot_start_fails_every_run_and_nothing_reads_passed(
        fake_env, tmp_path, backend, symptom, why):
    env, build = fake_env
    proc = conform(env, build, "--backend", backend, "--scenario", "ok_*", *reports(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert [r["status"] for r in data["results"]] == ["failed", "failed"]
    assert all(r["symptoms"] == [symptom] for r in data["results"])
    assert all(why in r["failures"][0]["message"] for r in data["results"])
    assert data["summary"][backend] == {"passed": 0, "failed": 2, "unsupported": 0,
                                        "not_run": 0}
    assert f"conform: {backend}: 0/2 scenarios passed, 2 failed" in proc.stdout
    assert f"conform: {backend}: level none" in proc.stdout
    page = (tmp_path / "r.html").read_text()
    assert "Every run of every real backend passed" not in page
    assert 'failures="2"' in (tmp_path / "j.xml").read_text()
    assert "conform: FAIL" in proc.stdout


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_run_writes_reports_marked_interrupted(fake_env, tmp_path, sig):
    """A real conform process is stopped while the runner is inside wait_g: the reports are
    written, marked interrupted, the runs that did not run are 'not run', the mutants that did
    not run are 'not run' (not survivors), and the exit status is 128 + the signal."""
    env, build = fake_env
    marks = tmp_path / "marks"
    marks.mkdir()
    env = dict(env, FAKE_RUNNER_MARKS=str(marks))
    proc = subprocess.Popen(
        [sys.executable, str(CONFORMANCE / "conform.py"), "--build-dir", str(build),
         "--backend", "fake_m", "--scenario", "ok_a", "--scenario", "wait_g",
         "--scenario", "ok_e", "--mutants", "all", *reports(tmp_path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (marks / "wait_g").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the runner never reached wait_g"
            time.sleep(0.05)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        (marks / "release").touch()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + sig, out + err
    name = signal.Signals(sig).name
    assert f"conform: INTERRUPTED by {name}" in out
    assert "Traceback" not in err
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["interrupted"] == name
    status = {(r["backend"], r["scenario"]): r["status"] for r in data["results"]}
    assert status[("fake_m", "ok_a")] == status[("fake_m", "ok_e")] == "passed"
    assert status[("fake_m", "wait_g")] == "not run"
    assert all(s == "not run" for (b, _), s in status.items() if "~" in b)
    assert data["not_run"] == len(status) - 2
    verdicts = {m["mutant"]: m["verdict"] for m in data["mutation"]["mutants"]}
    assert verdicts == {"breaks_ok": "not run", "harmless": "not run"}
    assert "SURVIVED" not in out and "NOT RUN" in out
    assert "conform: fake_m: 2/3 scenarios passed, 0 failed, 1 not run" in out
    page = (tmp_path / "r.html").read_text()
    assert "id='interrupted'" in page and "Every run of every real backend passed" not in page
    junit = (tmp_path / "j.xml").read_text()
    assert "not run: interrupted by " + name in junit


def test_fake_mutant_verdicts_killed_survived_and_the_score(fake_env, tmp_path):
    env, build = fake_env
    proc = conform(env, build, "--backend", "fake_m", "--scenario", "ok_*", "--mutants", "all",
                   *reports(tmp_path))
    data = json.loads((tmp_path / "r.json").read_text())
    verdicts = {m["mutant"]: m["verdict"] for m in data["mutation"]["mutants"]}
    assert verdicts == {"breaks_ok": "killed", "harmless": "survived"}
    assert "mutation score: 1/2 mutants killed (50%)" in proc.stdout
    assert proc.returncode == 1  # a survivor fails the run


def test_unknown_mutant_is_a_one_line_usage_error(fake_env, tmp_path):
    env, build = fake_env
    proc = conform(env, build, "--backend", "fake_m", "--mutants", "breaks_ok,nosuch",
                   "--html", str(tmp_path / "never.html"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and "no mutant nosuch" in lines[0] and "breaks_ok" in lines[0]
    assert not (tmp_path / "never.html").exists()


@pytest.mark.parametrize("args, message", [
    (["--seed", "abc"], "seeds are whole numbers"),
    (["--seeds", "0"], "must be at least 1"),
    (["--time-scale", "0"], "must be at least 0.001"),
    (["--repeat", "x"], "is not a number"),
    (["--shard", "0/2"], "1 <= K <= N"),
    (["--shard", "3/2"], "1 <= K <= N"),
    (["--shard", "1/0"], "1 <= K <= N"),
    (["--shard", "half"], "a shard is K/N"),
    (["--slowdown", "0.5"], "must be at least 1"),
])
def test_bad_options_are_usage_errors_not_tracebacks(fake_env, args, message):
    env, build = fake_env
    proc = conform(env, build, "--backend", "fake", *args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_unknown_backend_fails_clearly_and_claims_no_reports(fake_env, tmp_path):
    env, build = fake_env
    page = tmp_path / "never.html"
    proc = conform(env, build, "--backend", "nosuch", "--html", str(page))
    assert proc.returncode == 2
    assert "unknown backend" in proc.stdout + proc.stderr
    assert not page.exists()


@pytest.mark.parametrize("kind", ["--json", "--html", "--junit"])
def test_an_unwritable_report_path_is_one_line_and_exit_2(fake_env, tmp_path, kind):
    env, build = fake_env
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    proc = conform(env, build, "--backend", "fake", "--scenario", "ok_a",
                   kind, str(blocker / "sub" / "report"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    out = (proc.stdout + proc.stderr).strip().splitlines()
    assert len(out) == 1 and "cannot write the" in out[0] and "not a directory" in out[0]


def test_the_plugin_alone_also_refuses_an_unwritable_path(fake_env, tmp_path):
    env, build = fake_env
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "asyncabi_conformance.plugin", "-p",
         "no:cacheprovider", str(CONFORMANCE / "tests" / "fake" / "scenarios"),
         "--build-dir", str(build), "--backend", "fake", "--scenario", "ok_a",
         "--conform-json", str(blocker / "r.json")],
        env=dict(env, PYTHONPATH=str(CONFORMANCE)), capture_output=True, text=True, timeout=60,
        cwd=tmp_path)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "cannot write the JSON report" in proc.stderr and "Traceback" not in proc.stderr


def test_reproduce_writes_beside_the_report_not_over_it(fake_env, tmp_path):
    env, build = fake_env
    proc = conform(env, build, "--backend", "fake", "--scenario", "violation_f",
                   *reports(tmp_path))
    data = json.loads((tmp_path / "r.json").read_text())
    command = data["results"][0]["reproduce"]
    assert f"--out {tmp_path / 'reproduce' / 'violation_f-fake-seed1'}" in command
    args = command.split()[2:]  # ./asyncabi conform ...
    again = conform(env, build, *args)
    assert again.returncode == 1, again.stdout + again.stderr
    assert (tmp_path / "reproduce" / "violation_f-fake-seed1" / "results.json").exists()
    assert json.loads((tmp_path / "r.json").read_text()) == data  # untouched
    assert proc.returncode == 1


def test_a_session_stopped_early_lists_the_rest_as_not_run(fake_env, tmp_path):
    env, build = fake_env
    proc = conform(env, build, "--backend", "fake", "-x", *reports(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    status = [r["status"] for r in data["results"]]
    assert status[0] == "failed" and set(status[1:]) == {"not run"}  # badjson_d comes first
    assert "conform: INCOMPLETE: 6 of 7 planned runs not run" in proc.stdout
    assert "level none" in proc.stdout


def test_a_report_that_cannot_be_written_at_the_end_is_one_line_not_a_traceback(tmp_path):
    from asyncabi_conformance import records, report
    data = records.ResultsFile(generated="", wall_time_s=0, time_scale=1, slowdown=1, seeds=[1],
                               repeat=1, fixture_variant="plain", backends={}, scenarios={},
                               results=[])
    taken = tmp_path / "taken"
    taken.mkdir()  # a directory where the file should go
    problems = report.write_all(data, {"json": str(tmp_path / "ok.json"), "html": str(taken),
                                       "junit": None})
    assert len(problems) == 1 and "could not write the HTML report" in problems[0]
    assert (tmp_path / "ok.json").exists()


def test_a_variant_the_backend_cannot_run_is_not_run_with_its_reason(fake_env, tmp_path):
    """backends.json "fixture_variants": {"asan": {"cannot_run": why}}: the runner is never
    started (here it does not even exist), every run is not run with the backend's reason, and
    the session fails."""
    env, build = fake_env
    proc = conform(env, build, "--backend", "fake_no_asan", "--fixture-variant", "asan",
                   "--mutants", "none", *reports(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["results"] and all(r["status"] == "not run" for r in data["results"])
    assert all("cannot run under the asan fixture variant: stand-in reason" in r["reason"]
               for r in data["results"])
    assert "INCOMPLETE" in proc.stdout and "stand-in reason" in proc.stdout
    assert "no-such-runner" not in proc.stdout + proc.stderr  # never started


def test_backend_sanitizer_options_go_between_the_defaults_and_the_callers(build_dir,
                                                                          monkeypatch):
    from asyncabi_conformance import locate
    monkeypatch.setenv("ASAN_OPTIONS", "verbosity=0")
    env = locate.sanitizer_env(build_dir.resolve(), "asan", {"ASAN_OPTIONS": ["handle_segv=0"]})
    assert env["ASAN_OPTIONS"].endswith(":handle_segv=0:verbosity=0")
    assert env["ASAN_OPTIONS"].startswith("detect_leaks=0")
    with pytest.raises(ValueError):
        locate.sanitizer_env(build_dir.resolve(), "asan", {"LD_PRELOAD": ["x"]})


def test_a_declared_thread_model_is_recorded_and_shown(fake_env, tmp_path):
    env, build = fake_env
    out = tmp_path / "r.json"
    conform(env, build, "--backend", "fake", "--scenario", "ok_a", "--json", str(out))
    data = json.loads(out.read_text())
    assert data["backends"]["fake"]["foreign_async_thread"] == "event-loop"
    assert "thread-models" not in report.render_html(records.ResultsFile.from_json(data))
    data["backends"]["fake"]["foreign_async_thread"] = "any"
    page = report.render_html(records.ResultsFile.from_json(data))
    assert "id='thread-models'" in page and "fake: async foreign methods may run on" in page


def test_an_unknown_thread_model_is_a_one_line_usage_error(fake_env, tmp_path):
    env, build = fake_env
    table = json.loads((pathlib.Path(env["ASYNCABI_CONFORM_BACKENDS"])).read_text())
    table["fake"]["foreign_async_thread"] = {"model": "any"}
    fake = pathlib.Path(env["ASYNCABI_CONFORM_BACKENDS"]).parent
    for spec in table.values():  # the mutants registries are found beside the table
        if isinstance(spec, dict) and str(spec.get("mutants", "")).startswith("."):
            spec["mutants"] = str(fake / spec["mutants"])
    (tmp_path / "backends.json").write_text(json.dumps(table))
    env = dict(env, ASYNCABI_CONFORM_BACKENDS=str(tmp_path / "backends.json"))
    proc = conform(env, build, "--backend", "fake", "--scenario", "ok_a")
    assert proc.returncode == 2 and "needs a why" in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr + proc.stdout
