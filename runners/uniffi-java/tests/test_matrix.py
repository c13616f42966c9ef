"""uniffi-java against one producer ($ASYNCABI_UNIFFI_PRODUCER), every scenario, seed 1, no
mutants, one JVM for the session, held to findings.json: the run must differ from the known
findings in nothing."""
import json
import os
import subprocess
import sys

from conftest import ADAPTER, SOURCE

import check_matrix


def test_the_matrix_matches_the_known_findings(build_dir, bindings):
    producer = os.environ.get("ASYNCABI_UNIFFI_PRODUCER", "c")
    out = build_dir / "conformance" / f"uniffi-java-{producer}"
    proc = subprocess.run(
        [sys.executable, str(SOURCE / "conformance" / "conform.py"), "--build-dir",
         str(build_dir), "--backend", "uniffi-java", "--producer", producer,
         "--mutants", "none", "--seed", "1", "--out", str(out)],
        capture_output=True, text=True, timeout=280, stdin=subprocess.DEVNULL)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 1: the known findings fail
    results = json.loads((out / "results.json").read_text())
    expected = json.loads((ADAPTER / "findings.json").read_text())
    problems = check_matrix.differences(results, expected)
    assert not problems, "\n".join(problems) + "\n\n" + proc.stdout[-3000:]
