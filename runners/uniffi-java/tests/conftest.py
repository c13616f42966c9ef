import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ADAPTER = HERE.parent
SOURCE = ADAPTER.parents[1]
sys.path.insert(0, str(ADAPTER))
sys.path.insert(0, str(SOURCE / "conformance"))  # asyncabi_conformance.expectations


@pytest.fixture(scope="session")
def build_dir():
    return pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", SOURCE / "build")).resolve()


@pytest.fixture(scope="session")
def bindings(build_dir):
    """The generated, compiled bindings and the runner of the build; missing ones fail."""
    base = build_dir / "runners" / "uniffi-java"
    for fixture in ("futures", "adversarial"):
        assert (base / "bindings" / fixture / "bindings.json").exists(), \
            f"{base / 'bindings' / fixture} not built (build the target uniffi_java_bindings)"
    assert (base / "runner.sh").exists() and (base / "adapter.stamp").exists()
    return base / "bindings"
