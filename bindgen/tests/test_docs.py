#!/usr/bin/env python3
"""Runs every `sh` block of docs/bindings-for-c.md, in order, in one shell in a fresh folder,
with the project-built asyncabi-scaffold and uniffi-bindgen on PATH: the page's commands must
work as written, and its last step must print what the page says it prints.

Usage: test_docs.py --source-dir DIR --build-dir DIR --scaffold EXE --uniffi-bindgen EXE
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

EXPECTED = "['Hello, Alice!', 'Hello, Bob!']"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-dir", required=True, type=pathlib.Path)
    ap.add_argument("--build-dir", required=True, type=pathlib.Path)
    ap.add_argument("--scaffold", required=True)
    ap.add_argument("--uniffi-bindgen", required=True)
    args = ap.parse_args()
    page = (args.source_dir / "docs" / "bindings-for-c.md").read_text()
    blocks = re.findall(r"^```sh\n(.*?)^```$", page, flags=re.M | re.S)
    if len(blocks) < 5:
        print(f"test_docs: only {len(blocks)} sh blocks in docs/bindings-for-c.md", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="bindings-for-c-") as work:
        tools = pathlib.Path(work) / "tools"
        tools.mkdir()
        os.symlink(os.path.abspath(args.scaffold), tools / "asyncabi-scaffold")
        os.symlink(os.path.abspath(args.uniffi_bindgen), tools / "uniffi-bindgen")
        env = dict(os.environ, PATH=f"{tools}:{os.environ['PATH']}",
                   ASYNCABI_SOURCE=str(args.source_dir.resolve()),
                   ASYNCABI_BUILD=str(args.build_dir.resolve()))
        script = "set -euo pipefail\n" + "\n".join(blocks)
        done = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True,
                              text=True, timeout=120, check=False)
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        if done.returncode != 0:
            print(f"test_docs: the page's commands failed (exit {done.returncode})",
                  file=sys.stderr)
            return 1
        if EXPECTED not in done.stdout:
            print(f"test_docs: the last step did not print {EXPECTED}", file=sys.stderr)
            return 1
    print(f"test_docs: {len(blocks)} sh blocks of docs/bindings-for-c.md ran as written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
