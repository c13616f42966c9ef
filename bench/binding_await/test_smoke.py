"""Smoke test of bench/binding_await (ctest bench.binding_await.smoke, label bench): tiny
sizes, every backend the build configured must produce a row of numbers; a backend that fails
is an error row and a failing exit. No timing verdict: numbers are checked for presence only."""
import json
import math
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
RUN = HERE / "run.py"
BUILD = pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", HERE.parents[1] / "build"))
# The backends this build tree has (CMake passes them; all five by default).
EXPECTED = os.environ.get("ASYNCABI_BENCH_BACKENDS",
                          "reference,uniffi-python,uniffi-kotlin,uniffi-ruby,uniffi-java").split(",")
NUMBERS = ("floor_s", "always_ready_s", "woken_s", "concurrent_floor_s", "concurrent_s")
TINY = ["--rounds", "1", "--awaits", "200", "--concurrent", "100", "--timeout", "120"]


def bench(tmp_path, *extra, env=None):
    out = tmp_path / "rows.json"
    proc = subprocess.run([sys.executable, str(RUN), "--build-dir", str(BUILD), *TINY,
                           "--json", str(out), *extra], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=600, env=env)
    return proc, (json.loads(out.read_text()) if out.exists() else None)


def test_every_backend_gives_every_number(tmp_path):
    proc, table = bench(tmp_path, "--backends", ",".join(EXPECTED))
    print(proc.stdout, proc.stderr)
    assert table is not None, proc.stderr
    rows = {r["backend"]: r for r in table["rows"]}
    assert list(rows) == EXPECTED
    for name, row in rows.items():
        assert not row.get("error"), f"{name}: {row['error']}"
        for key in NUMBERS:
            value = row.get(key)
            assert isinstance(value, (int, float)) and math.isfinite(value) and value > 0, \
                f"{name}: {key} = {value!r}"
        assert row["failures"] == {}, f"{name}: {row['failures']}"
        assert row["concurrent"] == 100 and row["rounds"] == 1
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert any(line.startswith("machine:") and "load average" in line for line in lines)
    for name in EXPECTED:
        assert any(line.split()[:1] == [name] and "ERROR" not in line for line in lines), name


def test_a_backend_that_fails_is_an_error_row(tmp_path):
    """A runner that exits non-zero, or prints no JSON, is reported with its reason; one that
    crashes after its result keeps its numbers with the crash beside them; the other rows stay,
    and the exit status says so."""
    crash = tmp_path / "crash_after_result.py"  # a result, then a crash
    crash.write_text("import json, os\n"
                     "print(json.dumps({'backend': 'uniffi-kotlin', 'floor_s': 1e-6,"
                     " 'always_ready_s': 2e-6, 'woken_s': 3e-6, 'concurrent_floor_s': 0.1,"
                     " 'concurrent_s': 0.2,"
                     " 'concurrent': 100, 'rounds': 1, 'failures': {}}), flush=True)\n"
                     "os.abort()\n")
    backends = tmp_path / "backends.json"
    backends.write_text(json.dumps({
        "uniffi-ruby": {"command": ["{python}", "-c",
                                    "import sys; sys.exit('bench: no such thing')"]},
        "uniffi-java": {"command": ["{python}", "-c", "print('not json')"]},
        "uniffi-kotlin": {"command": ["{python}", str(crash)]},
    }))
    env = dict(os.environ, ASYNCABI_CONFORM_BACKENDS=str(backends))
    proc, table = bench(tmp_path, "--backends",
                        "reference,uniffi-ruby,uniffi-java,uniffi-kotlin", env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rows = {r["backend"]: r for r in table["rows"]}
    assert "no such thing" in rows["uniffi-ruby"]["error"]
    assert "no JSON line" in rows["uniffi-java"]["error"]
    assert rows["uniffi-kotlin"]["always_ready_s"] == 2e-6
    assert rows["uniffi-kotlin"]["process_failure"].startswith("exit -6")
    assert "process: exit -6" in proc.stdout
    assert not rows["reference"].get("error")
    assert any(line.split()[:5] == ["uniffi-ruby", "ERROR:", "exit", "1:", "bench:"]
               for line in proc.stdout.splitlines()), proc.stdout


def test_bad_input(tmp_path):
    proc, _ = bench(tmp_path, "--backends", "nope")
    assert proc.returncode == 2 and "backends are" in proc.stderr
