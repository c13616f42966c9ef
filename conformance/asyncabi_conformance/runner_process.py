"""A runner process: started once per session, restarted after a hang or a crash.

The harness owns the clock: every request has a deadline; a runner that misses it is killed
(its whole process group) and started again for the next scenario. Nothing the runner says is
trusted to be well-formed: a line that is not a JSON object, a missing hello, or an answer to
another request id is a RunnerProtocolError naming the offending line. Everything the runner
writes to stderr is kept, and each run gets the slice written while it ran.
"""
import json
import os
import queue
import signal
import subprocess
import threading
import time

from . import symptoms

PROTOCOL_VERSION = 1


class RunnerError(Exception):
    """The runner could not produce a result; `symptom` is a short stable code (symptoms.py)."""
    symptom = symptoms.RUNNER_ERROR


class RunnerHung(RunnerError):
    symptom = symptoms.RUNNER_HUNG


class RunnerCrashed(RunnerError):
    symptom = symptoms.RUNNER_CRASHED


class RunnerProtocolError(RunnerError):
    symptom = symptoms.PROTOCOL_ERROR


class RunnerStartFailed(RunnerError):
    """The runner's command could not be started at all (missing, not executable)."""
    symptom = symptoms.RUNNER_START_FAILED


class RunnerProcess:
    def __init__(self, name, command, env=None, cwd=None, hello_timeout=20.0):
        self.name = name
        self.command = list(command)
        self.env = dict(os.environ, **(env or {}))
        self.cwd = cwd
        self.hello_timeout = hello_timeout
        self.hello = None
        self.starts = 0
        self.restarts = []  # why each restart happened
        self._proc = None
        self._lines = None
        self._stderr = []
        self._stderr_lock = threading.Lock()
        self._next_id = 0
        self._explained = False

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self):
        try:
            self._proc = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=self.env, cwd=self.cwd, start_new_session=True)
        except OSError as exc:
            self._proc = None
            self.restarts.append(f"could not start: {exc.strerror or exc}")
            raise RunnerStartFailed(f"{self.name}: could not start {' '.join(self.command)}: "
                                    f"{exc.strerror or exc}") from None
        self.starts += 1
        self._explained = False  # set once the reason for this process's end is recorded
        self._lines = queue.Queue()
        proc, lines = self._proc, self._lines
        threading.Thread(target=_pump_lines, args=(proc.stdout, lines), daemon=True).start()
        threading.Thread(target=self._pump_stderr, args=(proc.stderr,), daemon=True).start()
        message = self._read(time.monotonic() + self.hello_timeout, "hello")
        hello = message.get("hello")
        if not isinstance(hello, dict) or not isinstance(hello.get("name"), str) \
                or not isinstance(hello.get("capabilities"), list):
            self.kill()
            self._note("protocol error")
            raise RunnerProtocolError(f"{self.name}: the first line must be a hello with name "
                                      f"and capabilities, got {json.dumps(message)[:200]}")
        if hello.get("protocol", PROTOCOL_VERSION) != PROTOCOL_VERSION:
            self.kill()
            self._note("protocol error")
            raise RunnerProtocolError(f"{self.name}: speaks protocol {hello.get('protocol')}, "
                                      f"the harness speaks {PROTOCOL_VERSION}")
        self.hello = hello
        return hello

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def ensure_started(self):
        if not self.alive():
            if self._proc is not None and not self._explained:
                self.restarts.append(f"exited with status {self._proc.returncode}")
            self.start()
        return self.hello

    def kill(self):
        if self._proc is None:
            return
        if self._proc.poll() is None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self._proc.stdin, self._proc.stdout, self._proc.stderr):
            try:
                stream.close()
            except OSError:
                pass

    def close(self):
        if self.alive():
            try:
                self._proc.stdin.write(b'{"stop": {}}\n')
                self._proc.stdin.flush()
                self._proc.wait(timeout=3)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    # --- requests ----------------------------------------------------------------------------
    def run(self, request: dict, timeout: float) -> dict:
        """Sends one run request and returns the runner's result object.

        Raises RunnerHung (after killing the runner), RunnerCrashed or RunnerProtocolError;
        the next call starts a fresh runner."""
        self.ensure_started()
        self._next_id += 1
        request = dict(request, id=self._next_id)
        try:
            self._proc.stdin.write((json.dumps({"run": request}) + "\n").encode())
            self._proc.stdin.flush()
        except OSError as exc:
            raise self._crashed(f"could not send the request: {exc}")
        message = self._read(time.monotonic() + timeout, "result")
        if "error" in message and isinstance(message["error"], dict):
            raise RunnerError(f"{self.name} reported an error: {message['error'].get('message')}")
        result = message.get("result")
        if not isinstance(result, dict) or not isinstance(result.get("steps"), list):
            self.kill()
            self._note("protocol error")
            raise RunnerProtocolError(f"{self.name}: expected a result with steps, got "
                                      f"{json.dumps(message)[:300]}")
        if result.get("id") != request["id"]:
            self.kill()
            self._note("protocol error")
            raise RunnerProtocolError(f"{self.name}: answered request {result.get('id')!r}, "
                                      f"expected {request['id']}")
        return result

    def _read(self, deadline, what) -> dict:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                self._note(f"hung waiting for the {what}")
                raise RunnerHung(f"{self.name}: no {what} within the timeout; killed")
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise self._crashed(f"exited before sending the {what}")
            text = line.decode("utf-8", "replace").strip()
            if not text:
                continue
            try:
                message = json.loads(text)
            except ValueError as exc:
                self.kill()
                self._note("bad JSON on stdout")
                raise RunnerProtocolError(f"{self.name}: stdout line is not JSON ({exc}): "
                                          f"{text[:200]!r}")
            if not isinstance(message, dict):
                self.kill()
                self._note("protocol error")
                raise RunnerProtocolError(f"{self.name}: stdout line is not a JSON object: "
                                          f"{text[:200]!r}")
            return message

    def _crashed(self, what):
        try:
            code = self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self._proc.returncode
        reason = f"signal {-code}" if code is not None and code < 0 else f"status {code}"
        self._note(f"crashed ({reason})")
        return RunnerCrashed(f"{self.name}: {what} ({reason})")

    def _note(self, reason):
        if not self._explained:
            self.restarts.append(reason)
            self._explained = True

    # --- stderr ------------------------------------------------------------------------------
    def _pump_stderr(self, stream):
        for line in iter(stream.readline, b""):
            with self._stderr_lock:
                self._stderr.append(line.decode("utf-8", "replace"))
        stream.close()

    def stderr_mark(self) -> int:
        with self._stderr_lock:
            return len(self._stderr)

    def stderr_since(self, mark: int, settle: float = 0.0) -> str:
        if settle:
            time.sleep(settle)  # the pump thread may still hold the last lines
        with self._stderr_lock:
            return "".join(self._stderr[mark:])

    def stderr_all(self) -> str:
        with self._stderr_lock:
            return "".join(self._stderr)


def _pump_lines(stream, lines):
    for line in iter(stream.readline, b""):
        lines.put(line)
    lines.put(None)
    stream.close()
