#!/usr/bin/env python3
"""Self-check: the project's own producer code passes asyncabi-check with zero findings.

Checks runtime/src and, when they exist, fixtures/futures and fixtures/adversarial (written
by other parts of the project). Exit status is the checker's: 0 means clean.
usage: selfcheck.py CHECKER SOURCE_DIR [BUILD_DIR]
With BUILD_DIR holding compile_commands.json, each file that has an entry is parsed with its
own flags (-p); the others get the include directories below.
"""
import pathlib
import subprocess
import sys


def main():
    checker, src = sys.argv[1], pathlib.Path(sys.argv[2])
    dirs = [src / "runtime" / "src"]
    dirs += [d for d in (src / "fixtures" / "futures", src / "fixtures" / "adversarial")
             if d.is_dir() and any(d.rglob("*.c"))]
    extra = []
    for d in dirs[1:]:
        extra += ["-I", str(d)]
    inc = src / "fixtures" / "monitor"
    if inc.is_dir():
        extra += ["-I", str(inc)]
        if (inc / "include").is_dir():
            extra += ["-I", str(inc / "include")]
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
