#!/usr/bin/env python3
"""The conformance scenarios against the Rust producers, with the reference Python runner.

Until the harness picks a producer itself, this lays out a build-like folder whose
fixtures/<name>/ holds the fixture's derived interface.json and a link to the Rust library of the
same file name, and runs conformance/conform.py on it. Scenarios the Rust producer cannot meet
(producers/rust/checks.json, "limits") are left out and named; every other scenario must pass.

usage: conform_rust.py SOURCE_DIR BUILD_DIR WORK_DIR [conform.py args...]
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys

FIXTURES = ("futures", "adversarial")


def main(argv):
    if len(argv) < 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    source, build, work = (pathlib.Path(a).resolve() for a in argv[1:4])
    rust = build / "producers" / "rust"
    if work.exists():
        shutil.rmtree(work)
    for name in FIXTURES:
        interface = build / "fixtures" / name / "interface.json"
        if not interface.exists():
            print(f"conform_rust: {interface} is not built", file=sys.stderr)
            return 1
        library = rust / f"lib{json.loads(interface.read_text())['library']}.so"
        if not library.exists():
            print(f"conform_rust: {library} is not built", file=sys.stderr)
            return 1
        folder = work / "fixtures" / name
        folder.mkdir(parents=True)
        shutil.copy(interface, folder / "interface.json")
        os.symlink(library, folder / library.name)
    limits = json.loads((source / "producers" / "rust" / "checks.json").read_text())["limits"]["rust"]
    scenarios = sorted(p.stem for p in (source / "conformance" / "scenarios").glob("*.json"))
    for left_out in sorted(limits):
        if left_out not in scenarios:
            print(f"conform_rust: checks.json limits name {left_out}, which is no scenario",
                  file=sys.stderr)
            return 1
        print(f"conform_rust: {left_out}: unsupported by the Rust producer ({limits[left_out][:90]}...)")
    selected = [arg for s in scenarios if s not in limits for arg in ("--scenario", s)]
    command = [sys.executable, str(source / "conformance" / "conform.py"), "--build-dir", str(work),
               "--backend", "python", *selected, *argv[4:]]
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
