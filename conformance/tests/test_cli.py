"""The ./asyncabi script as a user meets it: a test filter that matches nothing fails, `check`
builds only the checker, the first build shows its progress, and conform's usage errors are
one line. cmake is replaced by a recording stand-in (the real build is not redone here)."""
import os
import stat
import subprocess

import pytest

from conftest import CONFORMANCE

SCRIPT = CONFORMANCE.parent / "asyncabi"


@pytest.fixture
def fake_cmake(tmp_path):
    """A cmake on PATH that logs its arguments and prints ninja-like progress."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "cmake.log"
    cmake = bin_dir / "cmake"
    cmake.write_text(f"""#!/bin/sh
echo "$@" >> {log}
case "$1" in
  --build) echo "[1/2] Building C object x.o"; echo "[2/2] Linking x" ;;
  -S) mkdir -p "$4" && : > "$4/build.ninja"; echo "-- Configuring done" ;;
esac
""")
    cmake.chmod(cmake.stat().st_mode | stat.S_IEXEC)
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    return env, log


def asyncabi(env, *args, build):
    return subprocess.run([str(SCRIPT), *args], env=dict(env, ASYNCABI_BUILD_DIR=str(build)),
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_a_test_filter_that_matches_nothing_fails(fake_cmake, build_dir):
    env, _ = fake_cmake
    proc = asyncabi(env, "test", "-L", "nosuchlabel", build=build_dir.resolve())
    assert proc.returncode != 0
    assert "no test matches: -L nosuchlabel" in proc.stderr


def test_check_builds_only_the_checker_and_shows_first_build_progress(fake_cmake, tmp_path):
    env, log = fake_cmake
    build = tmp_path / "fresh-build"
    (build / "checker").mkdir(parents=True)
    checker = build / "checker" / "asyncabi-check"
    checker.write_text("#!/bin/sh\necho checker ran \"$@\"\n")
    checker.chmod(0o755)
    proc = asyncabi(env, "check", "--version", build=build)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "checker ran --version\n"  # stdout is the checker's alone
    calls = log.read_text().splitlines()
    assert calls[0].startswith("-S ") and "-G Ninja" in calls[0]
    assert calls[1].startswith("--build ") and calls[1].endswith("--target asyncabi-check")
    assert "configuring" in proc.stderr and "[1/2] Building C object x.o" in proc.stderr


def test_conform_unknown_mutant_is_one_line_exit_2(fake_cmake, build_dir):
    env, _ = fake_cmake
    proc = asyncabi(env, "conform", "--mutants", "no_such_mutant", build=build_dir.resolve())
    assert proc.returncode == 2
    lines = [line for line in (proc.stdout + proc.stderr).splitlines()
             if line.strip() and not line.startswith("[")]  # the stand-in build's progress
    assert len(lines) == 1 and "no mutant no_such_mutant" in lines[0], lines
