"""uniffi-ruby against one producer ($ASYNCABI_UNIFFI_PRODUCER), every scenario, seed 1 (or
$ASYNCABI_UNIFFI_SEED, and $ASYNCABI_FIXTURE_VARIANT for the sanitizer ctests), no
mutants, held to findings.json by asyncabi_conformance.backend_matrix: the run must differ
from the known findings in nothing (the `unsettled` scenarios are printed, not held)."""
import os
import pathlib
import shutil
import sys

ADAPTER = pathlib.Path(__file__).resolve().parents[1]
SOURCE = ADAPTER.parents[1]
sys.path.insert(0, str(SOURCE / "conformance"))

from asyncabi_conformance import backend_matrix  # noqa: E402


def test_the_matrix_matches_the_known_findings():
    build_dir = pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", SOURCE / "build")).resolve()
    assert shutil.which("ruby"), "ruby is not installed (./asyncabi setup installs ruby and ruby-ffi)"
    bindings = build_dir / "runners" / "uniffi-ruby" / "bindings"
    for fixture in ("futures", "adversarial"):
        assert (bindings / fixture / "bindings.json").exists(), \
            f"{bindings / fixture} not generated (build the target uniffi_ruby_bindings)"
    problems = backend_matrix.run_and_hold(build_dir, "uniffi-ruby", ADAPTER / "findings.json")
    assert not problems, "\n".join(problems)
