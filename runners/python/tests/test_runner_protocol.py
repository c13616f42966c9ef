"""The stdio runner speaks docs/runner-protocol.md: hello first, one answer per request, errors
as messages (never a dead process), stdout kept clean of stray prints."""
import json
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
RUNNER = HERE.parent / "runner.py"


def converse(lines, *args):
    proc = subprocess.run([sys.executable, str(RUNNER), *args], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=60)
    return [json.loads(line) for line in proc.stdout.splitlines()], proc


def run_request(producer_path, steps, rid=1):
    fixtures = {"pytest": {"library": producer_path,
                           "interface": str(HERE / "producer" / "interface.json")}}
    scenario = {"id": "protocol_test", "title": "t", "fixtures": ["pytest"],
                "capabilities": [], "steps": steps}
    return json.dumps({"run": {"id": rid, "seed": 1, "time_scale": 1.0, "scenario": scenario,
                               "fixtures": fixtures}})


def test_hello_declares_name_version_and_capabilities():
    messages, proc = converse(['{"stop": {}}'])
    assert proc.returncode == 0
    hello = messages[0]["hello"]
    assert hello["protocol"] == 1 and hello["name"] == "python-asyncio"
    assert set(hello["capabilities"]) == {"cancellation", "foreign_async", "threads",
                                         "async_primary_constructor"}


def test_run_reports_values_errors_and_timings(producer_path):
    steps = [{"do": "call", "function": "sleep_ms", "args": [20]},
             {"do": "call", "function": "fail_after", "args": [1]},
             {"do": "cancel", "call": {"function": "sleep_ms", "args": [5000]}, "after_ms": 10}]
    messages, _ = converse([run_request(producer_path, steps, rid=7), '{"stop": {}}'])
    result = messages[1]["result"]
    assert result["id"] == 7
    first, second, third = result["steps"]
    assert first["value"] == 20 and first["elapsed_ms"] >= 19
    assert second["error"] == {"type": "TestError",
                               "value": {"variant": "Boom", "message": "boom"}}
    assert second["exception"] == "asyncabi_py.binding.FixtureError"
    assert third["cancelled"] is True and third["exception"].endswith("CancelledError")
    assert result["monitor"] == {"pytest": None}  # the test producer has no monitor


def test_bad_lines_get_error_answers_and_the_runner_carries_on(producer_path):
    steps = [{"do": "call", "function": "no_such_function", "args": []},
             {"do": "call", "function": "sleep_ms", "args": [1]}]
    messages, proc = converse(["this is not json", '{"dance": {}}',
                               run_request(producer_path, steps, rid=3)])
    assert proc.returncode == 0
    assert "bad JSON" in messages[1]["error"]["message"]
    assert "unknown request" in messages[2]["error"]["message"]
    steps_out = messages[3]["result"]["steps"]
    assert "failure" in steps_out[0] and "no_such_function" in steps_out[0]["failure"]
    assert steps_out[1]["skipped"]


@pytest.mark.parametrize("mutant", ["never_frees"])
def test_a_mutant_names_itself_in_the_hello(mutant):
    messages, _ = converse(['{"stop": {}}'], "--mutant", mutant)
    assert messages[0]["hello"]["name"] == f"python-asyncio~{mutant}"
    assert messages[0]["hello"]["mutant"] == mutant
