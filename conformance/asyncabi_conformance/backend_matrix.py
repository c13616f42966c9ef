"""The matrix ctest of a generated-bindings backend: one conformance run held to its findings.

Every generated backend (runners/uniffi-python, -kotlin, -ruby, -java) has ctests
conformance_<backend>_{c,rust,asan} (and uniffi-python's _tsan) whose tests/test_matrix.py call
run_and_hold(): every scenario, no mutants, against one producer, and the differences from the
backend's findings.json (asyncabi_conformance.expectations). The ctest chooses the lane through
the environment:

  ASYNCABI_UNIFFI_PRODUCER   c (default) or rust
  ASYNCABI_UNIFFI_SEED       the seed (default 1; the sanitizer ctests use another, so CI covers
                             two seeds per backend)
  ASYNCABI_FIXTURE_VARIANT   plain (default), asan or tsan; a sanitized run first proves the
                             sanitizer live in that runtime (asyncabi_conformance.sanitizer_live)
"""
import json
import os
import pathlib
import subprocess
import sys

from . import expectations, sanitizer_live
from .locate import SOURCE


def run_and_hold(build_dir: pathlib.Path, backend: str, findings: pathlib.Path,
                 timeout: float = 280) -> list:
    """Runs `backend`'s lane chosen by the environment and returns its differences from
    `findings` (empty: every run as findings.json says), each problem one line, the run's output
    tail last."""
    producer = os.environ.get("ASYNCABI_UNIFFI_PRODUCER", "c")
    seed = os.environ.get("ASYNCABI_UNIFFI_SEED", "1")
    variant = os.environ.get("ASYNCABI_FIXTURE_VARIANT", "plain")
    if variant != "plain":
        problems = [sanitizer_live.runtime_mapped(build_dir, backend, variant)]
        if variant == "asan":
            problems.append(sanitizer_live.finding_aborts(build_dir, backend))
        problems = [p for p in problems if p]
        if problems:
            return problems
    out = build_dir / "conformance" / (f"{backend}-{producer}"
                                       + ("" if variant == "plain" else f"-{variant}"))
    proc = subprocess.run(
        [sys.executable, str(SOURCE / "conformance" / "conform.py"), "--build-dir",
         str(build_dir), "--backend", backend, "--producer", producer, "--mutants", "none",
         "--seed", seed, "--fixture-variant", variant, "--out", str(out)],
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode not in (0, 1):  # 1: the known findings fail
        return [f"conform exited {proc.returncode}", proc.stdout[-3000:] + proc.stderr[-3000:]]
    results = json.loads((out / "results.json").read_text())
    if results["fixture_variant"] != variant or results["seeds"] != [int(seed)]:
        return [f"the run was {results['fixture_variant']} seeds {results['seeds']}, "
                f"not {variant} seed {seed}"]
    expected = json.loads(findings.read_text())
    for run in expectations.runs_of(results, expected):
        if run["scenario"] in expected.get("unsettled", {}):
            print(f"unsettled {run['scenario']}: {run['status']} {run.get('symptoms')} "
                  f"({expected['unsettled'][run['scenario']]})")
    problems = expectations.differences(results, expected)
    return problems + [proc.stdout[-3000:]] if problems else []
