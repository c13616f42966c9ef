import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ADAPTER = HERE.parent
SOURCE = ADAPTER.parents[1]
sys.path.insert(0, str(ADAPTER))
sys.path.insert(0, str(SOURCE / "conformance"))


@pytest.fixture(scope="session")
def build_dir():
    return pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", SOURCE / "build")).resolve()


@pytest.fixture(scope="session")
def bindings(build_dir):
    """The generated bindings of the build; missing ones fail (never skip)."""
    path = build_dir / "runners" / "uniffi-python" / "bindings"
    for fixture in ("futures", "adversarial"):
        assert (path / fixture / "bindings.json").exists(), \
            f"{path / fixture} not generated (build the target uniffi_python_bindings)"
    return path
