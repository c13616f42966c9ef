#!/usr/bin/env python3
"""UniFFI's generated Python modules drive the Rust producers (bindgen/tests/await_python.py,
pointed at them).

await_python.py finds each library at <build>/<interface.json "path">. This script lays out a
build-like folder whose fixtures/ and examples/ paths are links to the Rust libraries (same file
names), copies the generated bindings (so that the C run's links are left alone), and runs it.

usage: bindgen_python_rust.py SOURCE_DIR BUILD_DIR RUST_DIR WORK_DIR
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys


def main(argv):
    if len(argv) != 5:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    source, build, rust, work = (pathlib.Path(a).resolve() for a in argv[1:])
    manifest = build / "bindgen" / "udl-manifest.json"
    generated = build / "bindgen" / "generated"
    if not manifest.exists() or not generated.is_dir():
        print(f"bindgen_python_rust: {manifest} or {generated} missing (bindgen_generate first)",
              file=sys.stderr)
        return 1
    if work.exists():
        shutil.rmtree(work)
    layout, out = work / "build", work / "generated"
    shutil.copytree(generated, out, symlinks=True)
    for entry in json.loads(manifest.read_text()):
        data = json.loads(pathlib.Path(entry["interface"]).read_text())
        library = rust / pathlib.Path(data["path"]).name
        if not library.exists():
            print(f"bindgen_python_rust: {library} is not built", file=sys.stderr)
            return 1
        link = layout / data["path"]
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(library, link)
    return subprocess.run([sys.executable, str(source / "bindgen" / "tests" / "await_python.py"),
                           "--manifest", str(manifest), "--build-dir", str(layout),
                           "--out", str(out)]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
