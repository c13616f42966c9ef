#!/usr/bin/env python3
"""Generates UniFFI's Ruby bindings for one fixture with the project-built uniffi-bindgen.

    generate.py --bindgen BIN --bindgen-crate BUILD/fixtures/futures/bindgen-crate \\
                --fixture futures --out DIR

Runs `BIN generate CRATE/src/<ns>.udl --config CRATE/uniffi-bindgen.toml --no-format
--language ruby --out-dir DIR/FIXTURE` in the fixture's bindgen crate (written by
asyncabi-scaffold, as for runners/uniffi-python/generate.py) and writes DIR/FIXTURE/bindings.json:
the generated file, its top-level module, the library it loads (`ffi_lib '<cdylib_name>'`, found
by the dynamic loader as lib<cdylib_name>.so), the crate name and the generator's version. The
file is used as generated, never edited. A generator error is one line and exit 1.
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
    command = [args.bindgen, "generate", str(udls[0]), "--no-format", "--language", "ruby",
               "--out-dir", str(out)]
    if (crate / "uniffi-bindgen.toml").exists():
        command[3:3] = ["--config", str(crate / "uniffi-bindgen.toml")]
    proc = subprocess.run(command, cwd=str(crate), capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [ln.strip() for ln in proc.stderr.split("Stack backtrace")[0].splitlines()
                 if ln.strip()]
        print(f"generate.py: uniffi-bindgen failed for {args.fixture} ({udls[0].name}): "
              f"{' | '.join(lines) or 'no message'}", file=sys.stderr)
        return 1
    files = sorted(out.glob("*.rb"))
    if len(files) != 1:
        print(f"generate.py: expected one Ruby file in {out}, found {[f.name for f in files]}",
              file=sys.stderr)
        return 1
    text = files[0].read_text()
    library = re.search(r"^\s*ffi_lib '([^']+)'", text, re.M)
    module = re.search(r"^module (\w+)", text, re.M)
    if not library or not module:
        print(f"generate.py: {files[0]} names no library to load or no module", file=sys.stderr)
        return 1
    crate_name = re.search(r'^name\s*=\s*"([^"]+)"', (crate / "Cargo.toml").read_text(), re.M)
    version = subprocess.run([args.bindgen, "--version"], capture_output=True, text=True)
    (out / "bindings.json").write_text(json.dumps({
        "fixture": args.fixture, "module": module.group(1), "file": files[0].name,
        "cdylib_name": library.group(1), "udl": str(udls[0]),
        "crate_name": crate_name.group(1) if crate_name else None,
        "uniffi_bindgen": (version.stdout.split() or ["?"])[-1]}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
