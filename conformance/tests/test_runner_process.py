"""The runner process wrapper: timeouts kill and restart, bad output is named, stderr is kept."""
import sys
import time

import pytest

from asyncabi_conformance.runner_process import (RunnerCrashed, RunnerHung, RunnerProcess,
                                                 RunnerProtocolError)
from conftest import FAKE

COMMAND = [sys.executable, str(FAKE / "fake_runner.py")]


def request(sid):
    return {"scenario": {"id": sid, "steps": [{"do": "call"}]}, "seed": 1}


@pytest.fixture
def runner():
    r = RunnerProcess("fake", COMMAND)
    yield r
    r.close()


def test_hello_and_run(runner):
    assert runner.ensure_started()["name"] == "fake"
    result = runner.run(request("ok_1"), timeout=5)
    assert result["steps"][0]["value"] is None


def test_hung_runner_is_killed_within_the_timeout_and_restarted(runner):
    runner.ensure_started()
    first_pid = runner._proc.pid
    start = time.monotonic()
    with pytest.raises(RunnerHung):
        runner.run(request("hang_1"), timeout=0.5)
    assert time.monotonic() - start < 3
    assert not runner.alive()
    assert runner.run(request("ok_2"), timeout=5)["steps"]
    assert runner._proc.pid != first_pid and runner.starts == 2
    assert "hung" in runner.restarts[0]


def test_crash_is_reported_with_its_exit_status_and_stderr_kept(runner):
    runner.ensure_started()
    mark = runner.stderr_mark()
    with pytest.raises(RunnerCrashed, match="status 3"):
        runner.run(request("crash_1"), timeout=5)
    assert "crashing now" in runner.stderr_since(mark, settle=0.1)
    assert runner.run(request("ok_3"), timeout=5)["steps"]


def test_bad_json_is_reported_with_the_offending_line(runner):
    with pytest.raises(RunnerProtocolError, match="this is not json"):
        runner.run(request("badjson_1"), timeout=5)
    assert runner.run(request("ok_4"), timeout=5)["steps"]


def test_a_runner_that_never_says_hello_is_a_hang():
    r = RunnerProcess("mute", COMMAND + ["--no-hello"], hello_timeout=0.5)
    with pytest.raises(RunnerHung, match="hello"):
        r.ensure_started()
    r.close()


def test_a_non_runner_is_a_protocol_error():
    r = RunnerProcess("echo", [sys.executable, "-c", "print('hello world')"])
    with pytest.raises(RunnerProtocolError, match="not JSON"):
        r.ensure_started()
    r.close()
