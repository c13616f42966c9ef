"""The uniffi-ruby runner on its own: the hello, bad input, and one run through a worker on the
generated bindings of the C futures fixture (values, typed errors, cancellation by Thread#raise,
the monitor's report)."""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

ADAPTER = pathlib.Path(__file__).resolve().parents[1]
SOURCE = ADAPTER.parents[1]
BUILD = pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", SOURCE / "build")).resolve()
BINDINGS = BUILD / "runners" / "uniffi-ruby" / "bindings"
RUNNER = ADAPTER / "runner.rb"


@pytest.fixture(scope="module")
def ruby():
    path = shutil.which("ruby")
    assert path, "ruby is not installed (./asyncabi setup installs ruby and ruby-ffi)"
    assert (BINDINGS / "futures" / "bindings.json").exists(), \
        "no generated bindings (build the target uniffi_ruby_bindings)"
    return path


def converse(ruby, lines):
    proc = subprocess.run([ruby, str(RUNNER), "--bindings", str(BINDINGS)],
                          input="".join(json.dumps(line) + "\n" if not isinstance(line, str)
                                        else line for line in lines),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


def futures_request(steps, run_id=1):
    return {"run": {"id": run_id, "seed": 1, "time_scale": 0.3,
                    "scenario": {"id": "adapter_test", "fixtures": ["futures"], "steps": steps},
                    "fixtures": {"futures": {
                        "library": str(BUILD / "fixtures" / "futures" /
                                       "libasyncabi_fixture_futures.so"),
                        "interface": str(BUILD / "fixtures" / "futures" / "interface.json")}}}}


def test_hello_declares_the_protocol_and_capabilities(ruby):
    answers, _ = converse(ruby, [{"stop": {}}])
    hello = answers[0]["hello"]
    assert hello["name"] == "uniffi-ruby" and hello["protocol"] == 1
    assert set(hello["capabilities"]) == {"cancellation", "foreign_async", "threads",
                                          "async_primary_constructor"}
    assert "0.32.2" in hello["implementation"]


def test_bad_lines_are_answered_with_errors(ruby):
    answers, _ = converse(ruby, ["not json\n", {"frobnicate": {}}, {"stop": {}}])
    assert answers[1] == {"error": {"id": None, "message": answers[1]["error"]["message"]}}
    assert answers[1]["error"]["message"].startswith("bad JSON")
    assert "unknown request" in answers[2]["error"]["message"]


def test_a_fixture_without_bindings_is_an_error_answer(ruby):
    request = futures_request([])
    request["run"]["fixtures"]["nonesuch"] = {"library": "/nonexistent.so", "interface": "/x"}
    answers, _ = converse(ruby, [request, {"stop": {}}])
    assert answers[1]["error"]["id"] == 1 and "nonesuch" in answers[1]["error"]["message"]


def test_missing_bindings_is_one_line_and_exit_2(ruby, tmp_path):
    proc = subprocess.run([ruby, str(RUNNER), "--bindings", str(tmp_path / "none")],
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_run_reports_values_errors_cancellation_and_the_monitor(ruby):
    steps = [
        {"do": "call", "function": "say_after", "args": [10, "Ruby"]},
        {"do": "call", "function": "fallible_me", "args": [True]},
        {"do": "cancel", "call": {"function": "sleep", "args": [2000]}, "after_ms": 20},
        {"do": "call", "function": "no_such_function"},
        {"do": "call", "function": "void"},
    ]
    answers, stderr = converse(ruby, [futures_request(steps), {"stop": {}}])
    result = answers[1]["result"]
    out = result["steps"]
    assert out[0]["value"] == "Hello, Ruby!"
    assert out[1]["error"]["type"] == "MyError" and out[1]["error"]["value"]["variant"] == "Foo"
    assert out[2]["cancelled"] is True and out[2]["finished_before_cancel"] is False
    assert "failure" in out[3] and "no_such_function" in out[3]["failure"]
    assert out[4]["skipped"] == "step 3 failed in the runner"
    monitor = result["monitor"]["futures"]
    assert monitor["violations"] == [], monitor["violations"]
    assert monitor["counters"]["live_futures"] == 0
