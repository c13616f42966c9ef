#!/usr/bin/env python3
"""The Python backend's conformance runner: `runner.py [--mutant NAME]` speaks
docs/runner-protocol.md on stdin/stdout."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from asyncabi_py.runner import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
