"""Proof that a sanitizer run of a generated-bindings backend ran under the sanitizer.

Used by the sanitizer ctests of every generated-bindings backend, runners/uniffi-python,
-ruby, -kotlin and -java (their tests/test_matrix.py with ASYNCABI_FIXTURE_VARIANT=asan or
tsan). A run with no report proves nothing
if the runtime was never loaded, or if the language's own runtime (a JVM's signal handlers,
Ruby's threads) keeps a finding from stopping the process. So, in the backend's own runtime and
with the environment the harness gives that backend's runner (locate.sanitizer_env plus the
backend's options in conformance/backends.json):

  runtime_mapped   the runner, started as the harness starts it, has the sanitizer runtime
                   mapped once it said hello (/proc/PID/maps);
  finding_aborts   a double free inside the fixture library, through its monitor's control
                   exports, aborts a process of that runtime with ASan's report.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

from . import locate
from .locate import SOURCE

REPORT_EXPORT = "asyncabi_monitor_report_json"
FREE_EXPORT = "asyncabi_monitor_free_string"

# One double free per runtime: report_json() allocates a string, free_string() frees it twice.
PYTHON = f"""import ctypes, sys
l = ctypes.CDLL(sys.argv[1])
l.{REPORT_EXPORT}.restype = ctypes.c_void_p
l.{FREE_EXPORT}.argtypes = [ctypes.c_void_p]
p = l.{REPORT_EXPORT}()
l.{FREE_EXPORT}(p)
l.{FREE_EXPORT}(p)
print('survived')
"""
RUBY = f"""require 'ffi'
module L
  extend FFI::Library
  ffi_lib ARGV[0]
  attach_function :report, :{REPORT_EXPORT}, [], :pointer
  attach_function :free_string, :{FREE_EXPORT}, [:pointer], :void
end
p = L.report
L.free_string(p)
L.free_string(p)
puts 'survived'
"""
JAVA_JNA = f"""import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
public class DoubleFree {{
    public static void main(String[] args) {{
        NativeLibrary l = NativeLibrary.getInstance(args[0]);
        Pointer p = (Pointer) l.getFunction("{REPORT_EXPORT}").invoke(Pointer.class, new Object[0]);
        l.getFunction("{FREE_EXPORT}").invokeVoid(new Object[] {{p}});
        l.getFunction("{FREE_EXPORT}").invokeVoid(new Object[] {{p}});
        System.out.println("survived");
    }}
}}
"""
JAVA_FFM = f"""import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
public class DoubleFree {{
    public static void main(String[] args) throws Throwable {{
        Linker linker = Linker.nativeLinker();
        SymbolLookup l = SymbolLookup.libraryLookup(Path.of(args[0]), Arena.global());
        MethodHandle report = linker.downcallHandle(l.find("{REPORT_EXPORT}").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS));
        MethodHandle free = linker.downcallHandle(l.find("{FREE_EXPORT}").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        MemorySegment p = (MemorySegment) report.invokeExact();
        free.invokeExact(p);
        free.invokeExact(p);
        System.out.println("survived");
    }}
}}
"""


def runner_env(build: pathlib.Path, backend: str, variant: str) -> dict:
    """The environment the harness gives `backend`'s runner for `variant` (plugin.py)."""
    spec = locate.backends()[backend]
    options = locate.variant_spec(spec, variant).get("options") or {}
    return locate.sanitizer_env(build, variant, {k: list(v) for k, v in options.items()})


def runtime_name(variant: str) -> str:
    return {"asan": "libasan.so", "tsan": "libtsan.so"}[variant]


def runtime_mapped(build: pathlib.Path, backend: str, variant: str) -> str:
    """'' if the backend's runner, started as the harness starts it, has the sanitizer's
    runtime mapped after its hello; else what went wrong (one line)."""
    spec = locate.backends()[backend]
    command = locate.expand_command(spec["command"], build)
    env = dict(os.environ, **runner_env(build, backend, variant))
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=str(SOURCE))
    try:
        line = proc.stdout.readline()  # the hello (docs/runner-protocol.md)
        if not line:
            return f"{backend}: the runner exited before its hello: " + \
                proc.stderr.read().decode(errors="replace")[-500:]
        json.loads(line)
        maps = pathlib.Path(f"/proc/{proc.pid}/maps").read_text()
        if runtime_name(variant) not in maps:
            return (f"{backend}: {runtime_name(variant)} is not mapped in the runner "
                    f"(pid {proc.pid})")
        return ""
    finally:
        try:
            proc.stdin.write(b'{"stop": {}}\n')
            proc.stdin.flush()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()


def _double_free_command(build: pathlib.Path, backend: str, workdir: pathlib.Path) -> list:
    if backend == "uniffi-python":
        return [sys.executable, "-c", PYTHON]
    if backend == "uniffi-ruby":
        return ["ruby", "-e", RUBY]
    if backend == "uniffi-kotlin":  # the JVM and the JNA that the Kotlin runner uses
        args = (build / "runners" / "uniffi-kotlin" / "runner.args").read_text().split("\n")
        jna = [p for p in args[1].split(":") if "/jna-" in p]
        (workdir / "DoubleFree.java").write_text(JAVA_JNA)
        return ["java", "-cp", ":".join(jna), str(workdir / "DoubleFree.java")]
    if backend == "uniffi-java":  # the JDK 22+ that runner.sh starts
        runner = (build / "runners" / "uniffi-java" / "runner.sh").read_text()
        java = runner.split('exec "', 1)[1].split('"', 1)[0]
        (workdir / "DoubleFree.java").write_text(JAVA_FFM)
        return [java, "--enable-native-access=ALL-UNNAMED", str(workdir / "DoubleFree.java")]
    raise ValueError(f"no double-free program for {backend}")


def finding_aborts(build: pathlib.Path, backend: str) -> str:
    """'' if a double free in the ASan build of a fixture aborts a process of the backend's
    runtime, started with the backend's ASan environment, with ASan's report; else why not."""
    library = locate.fixture_paths(build, "adversarial", "asan")["library"]
    env = dict(os.environ, **runner_env(build, backend, "asan"))
    with tempfile.TemporaryDirectory(prefix="asyncabi-asan-live-") as tmp:
        command = _double_free_command(build, backend, pathlib.Path(tmp)) + [library]
        start = time.monotonic()
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)
    took = time.monotonic() - start
    if proc.returncode == 0 or "survived" in proc.stdout:
        return (f"{backend}: a double free in {library} did not stop the process (exit "
                f"{proc.returncode}, {took:.1f} s): {proc.stderr[-400:]}")
    if "ERROR: AddressSanitizer: attempting double-free" not in proc.stderr:
        return (f"{backend}: the process died (exit {proc.returncode}) without ASan's "
                f"double-free report: {proc.stderr[-400:]}")
    return ""
