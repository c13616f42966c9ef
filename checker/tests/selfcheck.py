#!/usr/bin/env python3
"""Self-check: the project's own producer code passes asyncabi-check with zero findings.

Checks every C producer of the project: the runtime, the fixtures and their monitor, the
bundled example, and the Python runner's test producer. A folder that is missing is an error
(the self-check must not shrink silently). Exit status is the checker's: 0 means clean.
usage: selfcheck.py CHECKER SOURCE_DIR [BUILD_DIR]
With BUILD_DIR holding compile_commands.json, each file that has an entry is parsed with its
own flags (-p); the others get the include directories below.
"""
import pathlib
import subprocess
import sys


def main():
    checker, src = sys.argv[1], pathlib.Path(sys.argv[2])
    dirs = [src / rel for rel in ("runtime/src", "fixtures/monitor/src", "fixtures/futures",
                                  "fixtures/adversarial", "examples/hello",
                                  "runners/python/tests/producer")]
    missing = [str(d) for d in dirs if not d.is_dir() or not any(d.rglob("*.c"))]
    if missing:
        print(f"selfcheck: no C sources in {', '.join(missing)}", file=sys.stderr)
        return 2
    extra = []
    for d in dirs[1:]:
        extra += ["-I", str(d)]
    extra += ["-I", str(src / "fixtures" / "monitor" / "include")]
    if len(sys.argv) > 3 and (pathlib.Path(sys.argv[3]) / "compile_commands.json").exists():
        extra += ["-p", sys.argv[3]]
    cmd = [checker, "--jobs", "2", *extra, *map(str, dirs)]
    print("selfcheck:", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd)
    print(f"selfcheck: checked {', '.join(str(d.relative_to(src)) for d in dirs)}: "
          f"exit {proc.returncode}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
