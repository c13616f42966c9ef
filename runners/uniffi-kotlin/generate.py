#!/usr/bin/env python3
"""Generates UniFFI's Kotlin bindings for one fixture with the project-built uniffi-bindgen.

    generate.py --bindgen BIN --bindgen-crate BUILD/fixtures/futures/bindgen-crate \\
                --fixture futures --out DIR

Runs `BIN generate CRATE/src/<ns>.udl --config CRATE/uniffi-bindgen.toml --no-format
--language kotlin --out-dir DIR/FIXTURE` on the fixture's bindgen crate (written by
asyncabi-scaffold, as for runners/uniffi-python/generate.py) and writes DIR/FIXTURE/bindings.json:
the generated file, its package, the file facade class holding the top-level functions, the
library name it loads and the generator's version. The Kotlin file is compiled as generated (the
POM), never edited. A generator error is one line and exit 1.
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
    command = [args.bindgen, "generate", str(udls[0]), "--no-format", "--language", "kotlin",
               "--out-dir", str(out)]
    if (crate / "uniffi-bindgen.toml").exists():
        command[3:3] = ["--config", str(crate / "uniffi-bindgen.toml")]
    proc = subprocess.run(command, cwd=str(crate), capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [line.strip() for line in proc.stderr.split("Stack backtrace")[0].splitlines()
                 if line.strip()]
        print(f"generate.py: uniffi-bindgen failed for {args.fixture} ({udls[0].name}): "
              f"{' | '.join(lines) or 'no message'}", file=sys.stderr)
        return 1
    sources = sorted(out.rglob("*.kt"))
    if len(sources) != 1:
        print(f"generate.py: expected one Kotlin file in {out}, found "
              f"{[str(s.relative_to(out)) for s in sources]}", file=sys.stderr)
        return 1
    text = sources[0].read_text()
    package = re.search(r"^package\s+([\w.]+)", text, re.M)
    library = re.search(r'^\s*return\s+"([^"]+)"\s*$', text.split("fun findLibraryName", 1)[-1],
                        re.M)
    if not package or not library:
        print(f"generate.py: {sources[0]} names no package or no library to load",
              file=sys.stderr)
        return 1
    stem = sources[0].stem
    version = subprocess.run([args.bindgen, "--version"], capture_output=True, text=True)
    (out / "bindings.json").write_text(json.dumps({
        "fixture": args.fixture, "source": str(sources[0].relative_to(out)),
        "package": package.group(1),
        "facade": f"{package.group(1)}.{stem[:1].upper()}{stem[1:]}Kt",
        "cdylib_name": library.group(1), "udl": str(udls[0]),
        "uniffi_bindgen": (version.stdout.split() or ["?"])[-1]}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
