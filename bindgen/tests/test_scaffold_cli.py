#!/usr/bin/env python3
"""asyncabi-scaffold's command line: bad input is one line on stderr and a non-zero exit, and
the crate name (hashed into the checksums) follows `[asyncabi] crate_name` in uniffi.toml.

Usage: test_scaffold_cli.py SCAFFOLD_EXE
"""
import json
import pathlib
import subprocess
import sys
import tempfile

UDL = 'namespace demo {\n  [Async] string greet(string who);\n};\n'


def run(exe, *args):
    return subprocess.run([exe, *map(str, args)], capture_output=True, text=True, check=False)


def main():
    exe = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        cases = {
            "missing file": ([tmp / "absent.udl"], "cannot read"),
            "syntax error": ([tmp / "syntax.udl"], "syntax.udl:3: UDL syntax error"),
            "unknown type": ([tmp / "unknown.udl"], "unknown type reference: Foo"),
            "no file": ([], "no UDL file given"),
            "unknown option": ([tmp / "ok.udl", "--bogus"], "unknown option --bogus"),
            "bad uniffi.toml": ([tmp / "badtoml" / "ok.udl"], "crate_name must be"),
        }
        (tmp / "syntax.udl").write_text("// comment\n\nnamespace demo {\n  string f(u32 a;\n};\n")
        (tmp / "unknown.udl").write_text("namespace demo {\n  Foo f();\n};\n")
        (tmp / "ok.udl").write_text(UDL)
        (tmp / "badtoml").mkdir()
        (tmp / "badtoml" / "ok.udl").write_text(UDL)
        (tmp / "badtoml" / "uniffi.toml").write_text("[asyncabi]\ncrate_name = 3\n")
        for name, (args, wanted) in cases.items():
            done = run(exe, *args, "--out-dir", tmp / "out")
            lines = done.stderr.splitlines()
            if done.returncode == 0 or len(lines) != 1 or wanted not in lines[0] or done.stdout:
                failures.append(f"{name}: exit {done.returncode}, stderr {done.stderr!r}, "
                                f"stdout {done.stdout!r} (wanted one line with {wanted!r})")
        # The crate name: the namespace, or uniffi.toml's; it changes every checksum.
        values = {}
        for folder, toml in (("plain", None), ("renamed", '[asyncabi]\ncrate_name = "other"\n')):
            d = tmp / folder
            d.mkdir()
            (d / "demo.udl").write_text(UDL)
            if toml:
                (d / "uniffi.toml").write_text(toml)
            printed = run(exe, d / "demo.udl", "--print", "crate-name").stdout.strip()
            done = run(exe, d / "demo.udl", "--out-dir", d / "out")
            data = json.loads((d / "out" / "interface.json").read_text())
            values[folder] = (printed, data["crate_name"], data["checksums"])
        if values["plain"][:2] != ("demo", "demo") or values["renamed"][:2] != ("other", "other"):
            failures.append(f"crate names: {values['plain'][:2]}, {values['renamed'][:2]}")
        if values["plain"][2] == values["renamed"][2]:
            failures.append("the crate name did not change the checksums")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print(f"scaffold cli: {len(cases) + 1} cases, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
