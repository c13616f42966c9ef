#!/usr/bin/env python3
"""The uniffi-python backend's conformance runner: UniFFI's generated Python bindings behind
the runner protocol (docs/runner-protocol.md). `runner.py --bindings DIR`."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from uniffi_adapter.runner import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
