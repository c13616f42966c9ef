#!/usr/bin/env python3
"""Generates UniFFI's Python bindings for one fixture with the project-built uniffi-bindgen.

    generate.py --bindgen BIN --udl fixtures/futures/futures.udl --fixture futures --out DIR

In UDL mode uniffi-bindgen 0.32.2 wants a Cargo package around the UDL (`<root>/src/<x>.udl`,
`<root>/Cargo.toml` naming the crate, `<root>/uniffi.toml`) and runs `cargo metadata` in the
working directory. The fixtures keep their UDL and uniffi.toml side by side, so this script
stages such a package (copies of the two files, a Cargo.toml whose package name is the crate
name that enters UniFFI's checksums: `--crate-name`, else `asyncabi-scaffold --print
crate-name`, else the namespace) and runs `BIN generate src/<x>.udl --language python` in it.
Then it writes DIR/FIXTURE/bindings.json: the generated module's file and name, the library
name it loads (`lib<cdylib_name>.so` from its own folder), the UDL, the crate name and the
generator's version. The module is used as generated, never edited.
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
    parser.add_argument("--crate-name", default=None,
                        help="the crate name of the UDL (default: asyncabi-scaffold's answer)")
    parser.add_argument("--scaffold", default=None,
                        help="asyncabi-scaffold, asked for the crate name (--print crate-name)")
    args = parser.parse_args(argv)
    udl = args.udl.resolve()
    if not udl.exists():
        print(f"generate.py: {udl} does not exist", file=sys.stderr)
        return 2
    out = (args.out / args.fixture).resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    crate = args.crate_name or _crate_name(args.scaffold, udl)
    stage = (args.out / f".stage-{args.fixture}").resolve()
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "src").mkdir(parents=True)
    shutil.copyfile(udl, stage / "src" / udl.name)
    (stage / "src" / "lib.rs").write_text("")
    if (udl.parent / "uniffi.toml").exists():
        shutil.copyfile(udl.parent / "uniffi.toml", stage / "uniffi.toml")
    # [workspace]: the stage lies inside the build tree, maybe inside the project's workspace.
    (stage / "Cargo.toml").write_text(
        f'[package]\nname = "{crate}"\nversion = "0.0.0"\nedition = "2021"\n\n'
        '[lib]\npath = "src/lib.rs"\n\n[workspace]\n')
    command = [args.bindgen, "generate", f"src/{udl.name}", "--language", "python",
               "--out-dir", str(out), "--metadata-no-deps"]
    proc = subprocess.run(command, cwd=str(stage), capture_output=True, text=True)
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
    shutil.rmtree(stage, ignore_errors=True)
    version = subprocess.run([args.bindgen, "--version"], capture_output=True, text=True)
    (out / "bindings.json").write_text(json.dumps({
        "fixture": args.fixture, "module": modules[0].stem, "module_file": modules[0].name,
        "cdylib_name": found.group(1), "udl": str(udl), "crate_name": crate,
        "uniffi_bindgen": (version.stdout.split() or ["?"])[-1]}, indent=1) + "\n")
    return 0


def _crate_name(scaffold, udl: pathlib.Path) -> str:
    """The crate name the C checksums were computed with (asyncabi-scaffold), else the UDL's
    namespace."""
    if scaffold:
        proc = subprocess.run([scaffold, str(udl), "--print", "crate-name"],
                              capture_output=True, text=True)
        if proc.returncode == 0 and proc.stdout.strip():
            return proc.stdout.strip()
        print(f"generate.py: {scaffold} --print crate-name failed: {proc.stderr.strip()}",
              file=sys.stderr)
        sys.exit(1)
    found = re.search(r"namespace\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{",
                      re.sub(r"//[^\n]*", "", udl.read_text()))
    if not found:
        print(f"generate.py: {udl} declares no namespace", file=sys.stderr)
        sys.exit(1)
    return found.group(1)


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
