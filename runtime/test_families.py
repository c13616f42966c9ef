"""runtime/families.py is in step with the C headers (gen_families.py --check) and with the
built library: every family, event and misuse name at the index the C enums give it."""
import ctypes
import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from families import (FAMILIES, MISUSE_DETECTED_BY, MISUSES, MONITOR_OPS,  # noqa: E402
                      OP_MEANINGS, OPS, TRACE_OPS)


def test_generated_list_is_current():
    result = subprocess.run([sys.executable, str(HERE / "gen_families.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_names_match_the_library():
    build = pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", "build"))
    path = build / "runtime" / "libasyncabi.so"
    if not path.exists():
        pytest.fail(f"{path} is not built")
    lib = ctypes.CDLL(str(path))
    for fn in (lib.aa_type_name, lib.aa_op_name, lib.aa_misuse_name, lib.aa_misuse_detected_by):
        fn.restype = ctypes.c_char_p
        fn.argtypes = [ctypes.c_int]
    assert [lib.aa_type_name(i).decode() for i in range(len(FAMILIES))] == FAMILIES
    assert lib.aa_type_name(len(FAMILIES)) == b"?"
    assert [lib.aa_op_name(i).decode() for i in range(len(OPS))] == OPS
    assert lib.aa_op_name(len(OPS)) == b"?"
    assert [lib.aa_misuse_name(i + 1).decode() for i in range(len(MISUSES))] == MISUSES
    assert lib.aa_misuse_name(0) == b"?" and lib.aa_misuse_name(len(MISUSES) + 1) == b"?"
    assert [lib.aa_misuse_detected_by(i + 1).decode() for i in range(len(MISUSES))] == \
        [MISUSE_DETECTED_BY[m] for m in MISUSES]


def test_trace_ops_are_the_runtimes_then_the_monitors():
    # fx_trace_op numbers AA_MONITOR_OPS after AA_OPS; a violation's line uses its code, so no
    # trace op may be a misuse code too
    assert TRACE_OPS == OPS + MONITOR_OPS and MONITOR_OPS
    assert len(set(TRACE_OPS)) == len(TRACE_OPS)
    assert not set(TRACE_OPS) & set(MISUSES)
    assert list(OP_MEANINGS) == TRACE_OPS and all(OP_MEANINGS.values())
