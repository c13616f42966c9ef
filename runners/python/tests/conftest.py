import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


@pytest.fixture(scope="session")
def producer_path():
    path = os.environ.get("ASYNCABI_PYTEST_PRODUCER")
    if not path:
        build = pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", HERE.parents[2] / "build"))
        path = build / "runners" / "python" / "libasyncabi_pytest_producer.so"
    # A missing producer means the build is broken: fail, so that no test silently vanishes.
    assert pathlib.Path(path).exists(), f"test producer not built: {path}"
    return str(path)


@pytest.fixture(scope="session")
def lib(producer_path):
    from asyncabi_py.binding import Library
    return Library(str(HERE / "producer" / "interface.json"), producer_path)
