import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ADAPTER = HERE.parent
SOURCE = ADAPTER.parents[1]
sys.path.insert(0, str(SOURCE / "conformance"))


@pytest.fixture(scope="session")
def build_dir():
    return pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", SOURCE / "build")).resolve()


@pytest.fixture(scope="session")
def runner_built(build_dir):
    """The generated bindings and the compiled runner of the build; missing ones fail (never
    skip)."""
    for tool in ("ASYNCABI_MVN", "ASYNCABI_JAVA"):
        assert not os.environ.get(tool, "").endswith("NOTFOUND"), \
            f"{tool[9:].lower()} was not found when CMake configured (./asyncabi setup installs it)"
    out = build_dir / "runners" / "uniffi-kotlin"
    for fixture in ("futures", "adversarial"):
        assert (out / "bindings" / fixture / "bindings.json").exists(), \
            f"{out / 'bindings' / fixture} not generated (build the target uniffi_kotlin_runner)"
    assert (out / "runner.args").exists(), \
        f"{out / 'runner.args'} missing: Maven did not build the runner (target uniffi_kotlin_runner)"
    return out
