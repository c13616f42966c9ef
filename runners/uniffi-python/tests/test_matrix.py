"""uniffi-python against one producer ($ASYNCABI_UNIFFI_PRODUCER), every scenario, seed 1 (or
$ASYNCABI_UNIFFI_SEED, and $ASYNCABI_FIXTURE_VARIANT for the sanitizer ctests), no
mutants, held to findings.json: the run must differ from the known findings in nothing."""
from conftest import ADAPTER

from asyncabi_conformance import backend_matrix


def test_the_matrix_matches_the_known_findings(build_dir, bindings):
    problems = backend_matrix.run_and_hold(build_dir, "uniffi-python", ADAPTER / "findings.json")
    assert not problems, "\n".join(problems)
