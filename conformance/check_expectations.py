#!/usr/bin/env python3
"""Holds a conformance run to a backend's known findings (its findings.json): the CLI of
asyncabi_conformance/expectations.py, which says what is held and how.

    python3 conformance/check_expectations.py --results BUILD/conformance/results.json \
        --expected runners/<backend>/findings.json [--per-seed]
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from asyncabi_conformance import expectations  # noqa: E402

if __name__ == "__main__":
    sys.exit(expectations.main())
