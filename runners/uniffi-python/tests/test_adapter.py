"""The uniffi-python adapter: its hello, a conversation over UniFFI's generated bindings and the C
futures fixture (values, typed errors, objects, cancellation), an error answer (never a result)
when bindings are missing, and generate.py's one-line error for a UDL the generator rejects.
(The check of a run against findings.json is tested with the conformance suite:
conformance/tests/test_expectations.py.)"""
import json
import os
import subprocess
import sys

from conftest import ADAPTER

from asyncabi_conformance import locate


def converse(bindings, lines, timeout=60):
    proc = subprocess.run([sys.executable, str(ADAPTER / "runner.py"), "--bindings",
                           str(bindings)], input="\n".join(lines) + "\n", capture_output=True,
                          text=True, timeout=timeout)
    return [json.loads(line) for line in proc.stdout.splitlines()], proc


def run_line(fixtures, steps, rid=1, caps=()):
    scenario = {"id": "adapter_test", "title": "t", "fixtures": ["futures"],
                "capabilities": list(caps), "steps": steps}
    return json.dumps({"run": {"id": rid, "seed": 1, "time_scale": 1.0, "scenario": scenario,
                               "fixtures": fixtures}})


def test_hello_names_the_generator_and_declares_what_it_supports(bindings):
    messages, proc = converse(bindings, ['{"stop": {}}'])
    assert proc.returncode == 0, proc.stderr
    hello = messages[0]["hello"]
    assert hello["name"] == "uniffi-python" and hello["protocol"] == 1
    assert "UniFFI 0.32.2 generated Python" in hello["implementation"]
    assert set(hello["capabilities"]) == {"cancellation", "foreign_async", "threads"}


def test_a_conversation_over_the_generated_bindings(bindings, build_dir):
    fixtures = {"futures": locate.fixture_paths(build_dir, "futures")}
    steps = [
        {"do": "call", "function": "always_ready", "args": []},
        {"do": "call", "function": "say_after", "args": [20, "Alice"]},
        {"do": "call", "function": "fallible_me", "args": [True]},
        {"do": "call", "function": "new_megaphone", "args": [], "save": "m"},
        {"do": "call", "function": "Megaphone.say_after", "receiver": "m", "args": [5, "bob"]},
        {"do": "call", "function": "new_my_record", "args": ["x", 7]},
        {"do": "call", "function": "use_shared_resource",
         "args": [{"release_after_ms": 0, "timeout_ms": 100}]},
        {"do": "cancel", "call": {"function": "sleep", "args": [5000]}, "after_ms": 20},
        {"do": "call", "function": "no_such_export", "args": []},
        {"do": "call", "function": "always_ready", "args": []},
    ]
    messages, proc = converse(bindings, [run_line(fixtures, steps), '{"stop": {}}'])
    assert proc.returncode == 0, proc.stderr
    result = messages[1]["result"]
    out = result["steps"]
    assert out[0]["value"] is True
    assert out[1]["value"] == "Hello, Alice!" and out[1]["elapsed_ms"] >= 18
    assert out[2]["error"] == {"type": "MyError", "value": {"variant": "Foo"}}
    assert out[2]["exception"] == "futures.MyError.Foo"
    assert out[3]["value"] == {"$object": "Megaphone"}
    assert out[4]["value"] == "HELLO, BOB!"
    assert out[5]["value"] == {"a": "x", "b": 7}
    assert out[6]["value"] is None
    assert out[7]["cancelled"] is True and out[7]["cancel_latency_ms"] < 1000
    assert "failure" in out[8] and "no_such_export" in out[8]["failure"]
    assert "skipped" in out[9]  # after a failure the rest is skipped, never reported as passed
    report = result["monitor"]["futures"]
    assert report["violations"] == [], report


def test_missing_bindings_get_an_error_answer_not_a_result(tmp_path, build_dir):
    empty = tmp_path / "bindings"
    empty.mkdir()
    fixtures = {"futures": locate.fixture_paths(build_dir, "futures")}
    messages, proc = converse(empty, [run_line(fixtures, [
        {"do": "call", "function": "always_ready", "args": []}]), '{"stop": {}}'])
    assert "error" in messages[1] and "result" not in messages[1]
    assert "no generated bindings for fixture 'futures'" in messages[1]["error"]["message"]


def test_generate_reports_a_udl_the_generator_rejects_in_one_line(tmp_path):
    bindgen = os.environ.get("ASYNCABI_UNIFFI_BINDGEN")
    assert bindgen and os.path.exists(bindgen), "ASYNCABI_UNIFFI_BINDGEN is not set (ctest sets it)"
    crate = tmp_path / "crate"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text('[package]\nname = "bad"\nversion = "0.0.0"\n')
    (crate / "src" / "bad.udl").write_text(
        "namespace bad {};\ninterface Thing {\n  [Async] constructor();\n};\n")
    proc = subprocess.run([sys.executable, str(ADAPTER / "generate.py"), "--bindgen", bindgen,
                           "--bindgen-crate", str(crate), "--fixture", "bad",
                           "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Async primary constructors not supported" in proc.stderr
    assert not (tmp_path / "o" / "bad" / "bindings.json").exists()

