#!/usr/bin/env python3
"""Generates UniFFI's Python bindings for one fixture with the project-built uniffi-bindgen.

    generate.py --bindgen BIN --udl fixtures/futures/futures.udl --fixture futures --out DIR

Runs `BIN generate UDL --language python --out-dir DIR/FIXTURE` (the generator reads the
uniffi.toml beside the UDL's crate) and writes DIR/FIXTURE/bindings.json: the generated module's
file and name, the library name it loads (`lib<cdylib_name>.so` from its own folder), the UDL
and the generator's version. The module is used as generated, never edited.
"""
import argparse
import json
import pathlib
import re
import shutil
import subprocess
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bindgen", required=True, help="the uniffi-bindgen executable")
    parser.add_argument("--udl", required=True, type=pathlib.Path)
    parser.add_argument("--fixture", required=True, help="the fixture's name (its folder)")
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--cwd", type=pathlib.Path, default=None,
                        help="where to run the generator (a Cargo package; default: the UDL's "
                             "folder)")
    args = parser.parse_args(argv)
    udl = args.udl.resolve()
    if not udl.exists():
        print(f"generate.py: {udl} does not exist", file=sys.stderr)
        return 2
    out = (args.out / args.fixture).resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [args.bindgen, "generate", str(udl), "--language", "python",
               "--out-dir", str(out)]
    proc = subprocess.run(command, cwd=str(args.cwd or udl.parent), capture_output=True,
                          text=True)
    if proc.returncode != 0:
        reason = next((line.strip() for line in proc.stderr.splitlines()
                       if line.strip() and not line.startswith(" ")), "no message")
        print(f"generate.py: uniffi-bindgen failed for {args.fixture} ({udl.name}): "
              f"{' | '.join(_error_lines(proc.stderr)) or reason}", file=sys.stderr)
        return 1
    modules = sorted(out.glob("*.py"))
    if len(modules) != 1:
        print(f"generate.py: expected one Python module in {out}, found "
              f"{[m.name for m in modules]}", file=sys.stderr)
        return 1
    text = modules[0].read_text()
    found = re.search(r'libname\.format\("([^"]+)"\)', text)
    if not found:
        print(f"generate.py: {modules[0]} names no library to load", file=sys.stderr)
        return 1
    version = subprocess.run([args.bindgen, "--version"], capture_output=True, text=True)
    (out / "bindings.json").write_text(json.dumps({
        "fixture": args.fixture, "module": modules[0].stem, "module_file": modules[0].name,
        "cdylib_name": found.group(1), "udl": str(udl),
        "uniffi_bindgen": (version.stdout.split() or ["?"])[-1]}, indent=1) + "\n")
    return 0


def _error_lines(stderr: str) -> list:
    """The error and its causes, without the backtrace."""
    lines = []
    for line in stderr.splitlines():
        if line.startswith("Stack backtrace"):
            break
        if line.strip():
            lines.append(line.strip())
    return lines


if __name__ == "__main__":
    sys.exit(main())
