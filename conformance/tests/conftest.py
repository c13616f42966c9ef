import os
import pathlib
import sys

import pytest

CONFORMANCE = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CONFORMANCE))
FAKE = CONFORMANCE / "tests" / "fake"


@pytest.fixture(scope="session")
def build_dir():
    return pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", CONFORMANCE.parent / "build"))


@pytest.fixture
def fake_env(tmp_path):
    """Environment that points the harness at the fake runner, scenarios and fixture."""
    build = tmp_path / "build"
    (build / "fixtures").mkdir(parents=True)
    (build / "fixtures" / "libfake.so").write_bytes(b"")
    env = dict(os.environ, ASYNCABI_CONFORM_BACKENDS=str(FAKE / "backends.json"),
               ASYNCABI_CONFORM_SCENARIOS=str(FAKE / "scenarios"),
               ASYNCABI_FIXTURES_SOURCE=str(FAKE / "fixtures"),
               ASYNCABI_PRODUCERS="c")  # the fake fixtures have no Rust producer
    return env, build
