"""An adapter from the conformance runner protocol onto UniFFI's generated Python bindings.

The protocol loop and step semantics are shared with the reference runner: asyncabi_runner, in
runners/common-python (put on the import path here)."""
import pathlib as _pathlib
import sys as _sys

__version__ = "0.1.0"

_COMMON = str(_pathlib.Path(__file__).resolve().parents[2] / "common-python")
if _COMMON not in _sys.path:
    _sys.path.append(_COMMON)
