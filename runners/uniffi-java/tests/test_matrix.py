"""uniffi-java against one producer ($ASYNCABI_UNIFFI_PRODUCER), every scenario, seed 1 (or
$ASYNCABI_UNIFFI_SEED, and $ASYNCABI_FIXTURE_VARIANT for the sanitizer ctests), no
mutants, one JVM for the session, held to findings.json: the run must differ from the known
findings in nothing."""
import json
import os
import subprocess
import sys

from conftest import ADAPTER, SOURCE

from asyncabi_conformance import expectations, sanitizer_live


def test_the_matrix_matches_the_known_findings(build_dir, bindings):
    producer = os.environ.get("ASYNCABI_UNIFFI_PRODUCER", "c")
    # The sanitizer ctests (..._asan) set a fixture variant and their own seed (CI covers two
    # seeds per backend: 1 plain, 2 sanitized); they also prove the sanitizer was live.
    seed = os.environ.get("ASYNCABI_UNIFFI_SEED", "1")
    variant = os.environ.get("ASYNCABI_FIXTURE_VARIANT", "plain")
    if variant != "plain":
        for problem in (sanitizer_live.runtime_mapped(build_dir, "uniffi-java", variant),
                        sanitizer_live.finding_aborts(build_dir, "uniffi-java")
                        if variant == "asan" else ""):
            assert not problem, problem
    out = build_dir / "conformance" / (f"uniffi-java-{producer}"
                                       + ("" if variant == "plain" else f"-{variant}"))
    proc = subprocess.run(
        [sys.executable, str(SOURCE / "conformance" / "conform.py"), "--build-dir",
         str(build_dir), "--backend", "uniffi-java", "--producer", producer,
         "--mutants", "none", "--seed", seed, "--fixture-variant", variant,
         "--out", str(out)],
        capture_output=True, text=True, timeout=280, stdin=subprocess.DEVNULL)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 1: the known findings fail
    results = json.loads((out / "results.json").read_text())
    assert results["fixture_variant"] == variant and results["seeds"] == [int(seed)], \
        (results["fixture_variant"], results["seeds"])
    expected = json.loads((ADAPTER / "findings.json").read_text())
    problems = expectations.differences(results, expected)
    assert not problems, "\n".join(problems) + "\n\n" + proc.stdout[-3000:]
