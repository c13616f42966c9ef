"""The uniffi-java runner on its own: the hello, one scenario over the protocol, an unusable
request. (The check of a run against findings.json is tested with the conformance suite:
conformance/tests/test_expectations.py.)"""
import json
import subprocess

from conftest import SOURCE


def _session(bindings, build_dir, lines):
    proc = subprocess.run([str(bindings.parent / "runner.sh")], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_hello_declares_what_the_generated_code_supports(bindings, build_dir):
    (hello,) = _session(bindings, build_dir, ['{"stop": {}}'])
    assert hello["hello"]["name"] == "uniffi-java"
    assert hello["hello"]["protocol"] == 1
    assert sorted(hello["hello"]["capabilities"]) == ["cancellation", "foreign_async", "threads"]


def test_one_scenario_and_an_unusable_request(bindings, build_dir):
    scenario = json.loads((SOURCE / "conformance" / "scenarios" / "fallible_me.json").read_text())
    fixture = build_dir / "fixtures" / "futures"
    run = {"run": {"id": 3, "seed": 1, "time_scale": 0.3, "scenario": scenario, "fixtures": {
        "futures": {"library": str(fixture / "libasyncabi_fixture_futures.so"),
                    "interface": str(fixture / "interface.json")}}}}
    hello, result, error = _session(bindings, build_dir, [json.dumps(run), "[1]"])
    steps = result["result"]["steps"]
    assert result["result"]["id"] == 3
    assert steps[0]["value"] == 42
    assert steps[1]["error"] == {"type": "MyError", "value": {"variant": "Foo"}}
    assert steps[1]["exception"] == "uniffi.futures.MyException$Foo"
    assert result["result"]["monitor"]["futures"]["scenario"] == "fallible_me"
    assert "error" in error

