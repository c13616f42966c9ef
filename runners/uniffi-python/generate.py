#!/usr/bin/env python3
"""Generates UniFFI's Python bindings for one fixture with the project-built uniffi-bindgen.

    generate.py --bindgen BIN --bindgen-crate BUILD/fixtures/futures/bindgen-crate \\
                --fixture futures --out DIR

The bindgen crate is what asyncabi-scaffold writes beside each fixture's derived files
(docs/bindings-for-c.md): `Cargo.toml` naming the crate (UniFFI reads the crate name, which
enters its checksums, from there), `src/<ns>.udl`, the fixture's `uniffi.toml` (`cdylib_name`,
`exclude`) and `uniffi-bindgen.toml` (a `--config` whose [crate-roots] table points the
generator at that uniffi.toml). This script runs

    BIN generate CRATE/src/<ns>.udl --config CRATE/uniffi-bindgen.toml --no-format \\
        --language python --out-dir DIR/FIXTURE

and writes DIR/FIXTURE/bindings.json: the generated module's file and name, the library name it
loads (`lib<cdylib_name>.so` from its own folder), the crate name and the generator's version.
The module is used as generated, never edited. A generator error is one line and exit 1.
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
    parser.add_argument("--bindgen-crate", required=True, type=pathlib.Path,
                        help="the fixture's bindgen crate (asyncabi-scaffold --bindgen-crate)")
    parser.add_argument("--fixture", required=True, help="the fixture's name (its folder)")
    parser.add_argument("--out", required=True, type=pathlib.Path)
    args = parser.parse_args(argv)
    crate = args.bindgen_crate.resolve()
    udls = sorted((crate / "src").glob("*.udl"))
    if len(udls) != 1 or not (crate / "Cargo.toml").exists():
        print(f"generate.py: {crate} is not a bindgen crate (Cargo.toml and one src/*.udl)",
              file=sys.stderr)
        return 2
    out = (args.out / args.fixture).resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [args.bindgen, "generate", str(udls[0]), "--no-format", "--language", "python",
               "--out-dir", str(out)]
    if (crate / "uniffi-bindgen.toml").exists():
        command[3:3] = ["--config", str(crate / "uniffi-bindgen.toml")]
    proc = subprocess.run(command, cwd=str(crate), capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"generate.py: uniffi-bindgen failed for {args.fixture} ({udls[0].name}): "
              f"{' | '.join(_error_lines(proc.stderr)) or 'no message'}", file=sys.stderr)
        return 1
    modules = sorted(out.glob("*.py"))
    if len(modules) != 1:
        print(f"generate.py: expected one Python module in {out}, found "
              f"{[m.name for m in modules]}", file=sys.stderr)
        return 1
    found = re.search(r'libname\.format\("([^"]+)"\)', modules[0].read_text())
    if not found:
        print(f"generate.py: {modules[0]} names no library to load", file=sys.stderr)
        return 1
    crate_name = re.search(r'^name\s*=\s*"([^"]+)"', (crate / "Cargo.toml").read_text(), re.M)
    version = subprocess.run([args.bindgen, "--version"], capture_output=True, text=True)
    (out / "bindings.json").write_text(json.dumps({
        "fixture": args.fixture, "module": modules[0].stem, "module_file": modules[0].name,
        "cdylib_name": found.group(1), "udl": str(udls[0]),
        "crate_name": crate_name.group(1) if crate_name else None,
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
