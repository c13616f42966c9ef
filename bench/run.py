#!/usr/bin/env python3
"""Runs the benchmarks under bench/: each bench/<name>/run.py prints its own table."""
import argparse
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
# Benchmarks that were folded into another (older notes still name them).
RETIRED = {"python_await": "binding_await", "kotlin_await": "binding_await"}


def resolve(name, available):
    """A benchmark's folder name, or a unique prefix of one before an underscore
    (`bench runtime` is bench/runtime_lifecycle); unknown names come back unchanged."""
    if name in available:
        return name
    if RETIRED.get(name) in available:
        print(f"bench: {name} is now part of {RETIRED[name]}", file=sys.stderr)
        return RETIRED[name]
    matches = [a for a in available if a.startswith(name + "_")]
    return matches[0] if len(matches) == 1 else name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", required=True, help="the CMake build tree")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    args, rest = parser.parse_known_args()
    available = sorted(p.parent.name for p in HERE.glob("*/run.py"))
    names = [resolve(n, available) for n in args.names or available]
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"bench: unknown benchmark {', '.join(unknown)}; have: {', '.join(available)}",
              file=sys.stderr)
        return 2
    status = 0
    for name in names:
        print(f"== bench/{name}", flush=True)
        result = subprocess.run([sys.executable, str(HERE / name / "run.py"),
                                 "--build-dir", args.build_dir, *rest])
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
