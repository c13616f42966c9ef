#!/usr/bin/env python3
"""UniFFI's own bindings of every UDL file in the project, checked against the C libraries.

  check_bindings.py generate  --bindgen EXE --manifest FILE --out DIR [--language L ...]
      runs the project-built, pinned uniffi-bindgen on every UDL file of the manifest
      (Python, Kotlin, Swift; Ruby too with --language ruby) into DIR/<namespace>/.
  check_bindings.py checksums --manifest FILE --out DIR
      every checksum and the contract version that the generated Python, Kotlin and Swift
      code compares at load time, compared with what the built C library returns. Fails,
      naming the symbol, on any mismatch, on a checksum function the library lacks, or when a
      binding checks nothing at all.
  check_bindings.py mismatch  --bindgen EXE --manifest FILE --out DIR
      the check above must fail: bindings generated for another crate name (UniFFI hashes the
      crate name into every checksum) are compared with the real libraries, and every
      checksum must be reported as a mismatch by name.

The manifest (written by bindgen/CMakeLists.txt) lists {"udl": path, "interface": path of the
derived interface.json in the build tree}; the interface gives the crate name, the library
(path relative to the build directory) and UniFFI's checksums.
"""
import argparse
import ctypes
import json
import pathlib
import re
import shutil
import subprocess
import sys

LANGUAGES = ("python", "kotlin", "swift")

# What each generated binding compares at load time (UniFFI 0.32.2's templates).
CHECKSUM_PATTERNS = {
    "python": re.compile(r"if lib\.(uniffi_\w+?_checksum_\w+)\(\) != (\d+):"),
    "kotlin": re.compile(r"if \(\(lib\.(uniffi_\w+?_checksum_\w+)\(\) and 0xFFFF\) != (\d+)\)"),
    "swift": re.compile(r"if \((uniffi_\w+?_checksum_\w+)\(\) != (\d+)\)"),
}
CONTRACT_PATTERNS = {
    "python": re.compile(r"^\s*bindings_contract_version = (\d+)", re.M),
    "kotlin": re.compile(r"^\s*val bindings_contract_version = (\d+)", re.M),
    "swift": re.compile(r"^\s*let bindings_contract_version = (\d+)", re.M),
}
SUFFIX = {"python": ".py", "kotlin": ".kt", "swift": ".swift", "ruby": ".rb"}


def load_manifest(path):
    entries = json.loads(pathlib.Path(path).read_text())
    result = []
    for e in entries:
        interface = json.loads(pathlib.Path(e["interface"]).read_text())
        result.append(dict(e, data=interface))
    return result


def generate_one(bindgen, entry, out_dir, languages, crate_name=None):
    """uniffi-bindgen generate on the bindgen crate asyncabi-scaffold wrote for the UDL file
    (its Cargo.toml names the crate; uniffi-bindgen.toml's [crate-roots] locates uniffi.toml).
    With crate_name, a copy whose Cargo.toml names another crate."""
    crate = pathlib.Path(entry["bindgen_crate"])
    ns = entry["data"]["namespace"]
    out_dir.mkdir(parents=True, exist_ok=True)
    if crate_name is not None:
        copy = (out_dir / "crate").resolve()
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(crate, copy)
        (copy / "Cargo.toml").write_text(
            f'[package]\nname = "{crate_name}"\nversion = "0.0.0"\n\n[lib]\nname = "{crate_name}"\n')
        (copy / "uniffi-bindgen.toml").write_text(f'[crate-roots]\n"{crate_name}" = "{copy}"\n')
        crate = copy
    cmd = [bindgen, "generate", str(crate / "src" / f"{ns}.udl"),
           "--config", str(crate / "uniffi-bindgen.toml"), "--no-format", "--out-dir", str(out_dir)]
    for lang in languages:
        cmd += ["--language", lang]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        msg = (done.stderr.strip() or done.stdout.strip()).splitlines()
        raise SystemExit(f"uniffi-bindgen failed on {ns}.udl: {msg[0] if msg else done.returncode}")


def binding_file(out_dir, ns, lang):
    files = sorted(p for p in out_dir.rglob(f"*{SUFFIX[lang]}") if p.stem == ns)
    if not files:
        raise SystemExit(f"{out_dir}: no {lang} binding {ns}{SUFFIX[lang]} was generated")
    return files[0]


def compare(manifest, out, build_dir):
    """(number of checks, list of errors)."""
    checks = 0
    errors = []
    counts = {lang: 0 for lang in LANGUAGES}
    for entry in manifest:
        data = entry["data"]
        ns = data["namespace"]
        lib_path = build_dir / data["path"]
        if not lib_path.exists():
            errors.append(f"{ns}: {lib_path} is not built")
            continue
        lib = ctypes.CDLL(str(lib_path), mode=ctypes.RTLD_LOCAL)
        version_fn = getattr(lib, f"ffi_{ns}_uniffi_contract_version")
        version_fn.restype = ctypes.c_uint32
        library_version = version_fn()
        for lang in LANGUAGES:
            path = binding_file(out / ns, ns, lang)
            text = path.read_text()
            where = f"{lang} {path.name}"
            versions = CONTRACT_PATTERNS[lang].findall(text)
            if len(versions) != 1:
                errors.append(f"{where}: found {len(versions)} contract version checks, expected 1")
            elif int(versions[0]) != library_version:
                errors.append(f"{where}: expects contract version {versions[0]}, "
                              f"ffi_{ns}_uniffi_contract_version returns {library_version}")
            else:
                checks += 1
            found = CHECKSUM_PATTERNS[lang].findall(text)
            if data["checksums"] and not found:
                errors.append(f"{where}: no checksum comparison found (the generated code changed?)")
            for symbol, expected in found:
                try:
                    fn = getattr(lib, symbol)
                except AttributeError:
                    errors.append(f"{where}: {symbol}: the library does not export it")
                    continue
                fn.restype = ctypes.c_uint16
                got = fn()
                if got != int(expected):
                    errors.append(f"{where}: {symbol}: the binding expects {expected}, "
                                  f"the library returns {got}")
                else:
                    checks += 1
                    counts[lang] += 1
            # Swift checks every checksum UniFFI derives; Kotlin leaves out what uniffi.toml
            # excludes for it, and Python the callback-interface methods (their own choices).
            missing = set(data["checksums"]) - {s for s, _ in found}
            if lang == "swift" and missing:
                errors.append(f"{where}: does not check {sorted(missing)[0]}"
                              + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    return checks, counts, errors


def _is_callback_method(data, symbol):
    return any(m.get("checksum") == symbol for t in data["types"].values()
               if t["kind"] == "callback_interface" for m in t["methods"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["generate", "checksums", "mismatch"])
    ap.add_argument("--bindgen")
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--build-dir", type=pathlib.Path, required=True)
    ap.add_argument("--language", action="append", default=[])
    args = ap.parse_args()
    manifest = load_manifest(args.manifest)
    if not manifest:
        raise SystemExit("check_bindings: the manifest lists no UDL file")

    if args.command == "generate":
        languages = list(LANGUAGES) + [lang for lang in args.language if lang not in LANGUAGES]
        for entry in manifest:
            generate_one(args.bindgen, entry, args.out / entry["data"]["namespace"], languages)
        print(f"generated {', '.join(languages)} bindings of {len(manifest)} UDL files "
              f"into {args.out}")
        return 0

    if args.command == "checksums":
        checks, counts, errors = compare(manifest, args.out, args.build_dir)
        for e in errors:
            print("MISMATCH:" if "expects" in e else "ERROR:", e, file=sys.stderr)
        total = sum(len(e["data"]["checksums"]) for e in manifest)
        exports = sum(len(e["data"]["functions"]) for e in manifest)
        print(f"{len(manifest)} UDL files, {exports} exports, {total} checksums: "
              f"{counts['python']} Python, {counts['kotlin']} Kotlin, {counts['swift']} Swift "
              f"load-time checksum checks and {len(manifest) * len(LANGUAGES)} contract version "
              f"checks; {checks} matched, {len(errors)} failed")
        return 1 if errors else 0

    # mismatch: bindings generated for another crate name must be rejected, symbol by symbol.
    for entry in manifest:
        generate_one(args.bindgen, entry, args.out / entry["data"]["namespace"], LANGUAGES,
                     crate_name=entry["data"]["crate_name"] + "_other")
    checks, counts, errors = compare(manifest, args.out, args.build_dir)
    problems = []
    for entry in manifest:
        ns = entry["data"]["namespace"]
        for symbol in entry["data"]["checksums"]:
            # The bindings name checksum functions after the crate name, so the library lacks
            # the renamed symbol (or, where the name is kept, returns another value).
            renamed = symbol.replace(f"uniffi_{ns}_", f"uniffi_{ns}_other_", 1)
            for lang in ("python", "swift"):
                names = [symbol, renamed]
                if lang == "python" and _is_callback_method(entry["data"], symbol):
                    continue  # Python does not check callback-interface methods
                if not any(e.startswith(f"{lang} ") and any(f": {n}: " in e for n in names)
                           for e in errors):
                    problems.append(f"{lang} {ns}: a wrong {symbol} was not reported")
    if sum(counts.values()) != 0:
        problems.append(f"{sum(counts.values())} checksums matched although the crate name differs")
    for p in problems:
        print("ERROR:", p, file=sys.stderr)
    for e in errors[:2]:
        print("  e.g.", e)
    print(f"mismatch: {len(errors)} wrong checksums reported by name; "
          f"{'the check can fail' if not problems else 'the check missed some'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
