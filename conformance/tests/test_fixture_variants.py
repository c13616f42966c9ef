"""--fixture-variant: the harness loads the sanitizer builds of the fixtures and preloads the
matching runtime into the runner, and a finding in a fixture really stops that runner.
(The scenarios themselves run against asan/tsan in the ctests conformance_python_asan/_tsan.)"""
import os
import subprocess
import sys

import pytest

from asyncabi_conformance import locate


def _need(build_dir, variant):
    lib = build_dir / "fixtures" / "adversarial" / f"libasyncabi_fixture_adversarial_{variant}.so"
    # Missing means the build lost the sanitizer variants: a failure, not a skip.
    assert lib.exists(), f"{lib} not built"
    return lib


@pytest.mark.parametrize("variant", ["asan", "tsan"])
def test_variant_selects_the_library_and_its_runtime(build_dir, variant):
    lib = _need(build_dir, variant)
    paths = locate.fixture_paths(build_dir.resolve(), "adversarial", variant)
    assert paths["library"] == str(lib.resolve())
    env = locate.sanitizer_env(build_dir.resolve(), variant)
    preload = env["LD_PRELOAD"].split()
    assert preload and all(os.path.isabs(p) and os.path.exists(p) for p in preload)
    assert any(f"lib{variant}.so" in p for p in preload)
    assert locate.sanitizer_env(build_dir.resolve(), "plain") == {}
    assert locate.fixture_paths(build_dir.resolve(), "adversarial")["library"].endswith(
        "libasyncabi_fixture_adversarial.so")


def test_an_asan_finding_in_a_fixture_aborts_the_runner_interpreter(build_dir):
    """The interpreter is not instrumented: the preloaded runtime must still catch a memory
    error inside the fixture (here a double free through the monitor's control exports)."""
    lib = _need(build_dir, "asan")
    code = ("import ctypes\n"
            f"l = ctypes.CDLL({str(lib)!r})\n"
            "l.asyncabi_monitor_report_json.restype = ctypes.c_void_p\n"
            "l.asyncabi_monitor_free_string.argtypes = [ctypes.c_void_p]\n"
            "p = l.asyncabi_monitor_report_json()\n"
            "l.asyncabi_monitor_free_string(p)\n"
            "l.asyncabi_monitor_free_string(p)\n"
            "print('survived')\n")
    env = dict(os.environ, **locate.sanitizer_env(build_dir.resolve(), "asan"))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode != 0 and "survived" not in proc.stdout
    assert "ERROR: AddressSanitizer: attempting double-free" in proc.stderr
    assert any(m in proc.stderr for m in locate.SANITIZER_REPORT_MARKERS)
