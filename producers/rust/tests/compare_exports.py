#!/usr/bin/env python3
"""Compares the exports of two producers of one UDL file (the C library and the Rust one).

Every `uniffi_*` and `ffi_*` symbol that either library exports must be exported by the other,
`ffi_<ns>_uniffi_contract_version()` must agree, and every `uniffi_<ns>_checksum_*()` must
return the same value from both: a binding generated from the UDL file then loads either
library. Prints one line per difference and exits 1 if there is any.

usage: compare_exports.py NAMESPACE C_LIBRARY RUST_LIBRARY
"""
import ctypes
import re
import subprocess
import sys


def abi_symbols(library: str) -> set:
    """Defined dynamic symbols named uniffi_* or ffi_* (nm -D, the loader's view)."""
    out = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"compare_exports: nm {library}: {out.stderr.strip()}")
    names = {line.split()[-1] for line in out.stdout.splitlines() if line.strip()}
    return {n for n in names if re.match(r"(uniffi|ffi)_", n)}


def call_u(lib, name, restype):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = []
    return fn()


def main(argv) -> int:
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    ns, c_path, rust_path = argv[1:]
    c_syms, rust_syms = abi_symbols(c_path), abi_symbols(rust_path)
    problems = []
    if not c_syms or not rust_syms:
        problems.append(f"no uniffi_/ffi_ symbols in {c_path if not c_syms else rust_path}")
    for name in sorted(c_syms - rust_syms):
        problems.append(f"only the C library exports {name}")
    for name in sorted(rust_syms - c_syms):
        problems.append(f"only the Rust library exports {name}")

    c_lib, rust_lib = ctypes.CDLL(c_path), ctypes.CDLL(rust_path)  # RTLD_LOCAL: no mixing
    version = f"ffi_{ns}_uniffi_contract_version"
    if version in c_syms and version in rust_syms:
        cv, rv = call_u(c_lib, version, ctypes.c_uint32), call_u(rust_lib, version, ctypes.c_uint32)
        if cv != rv:
            problems.append(f"{version}: C {cv}, Rust {rv}")
    else:
        problems.append(f"{version} missing")
    checksums = sorted(n for n in c_syms & rust_syms if n.startswith(f"uniffi_{ns}_checksum_"))
    for name in checksums:
        cv, rv = call_u(c_lib, name, ctypes.c_uint16), call_u(rust_lib, name, ctypes.c_uint16)
        if cv != rv:
            problems.append(f"{name}: C {cv}, Rust {rv}")

    for p in problems:
        print(f"compare_exports: {ns}: {p}")
    print(f"compare_exports: {ns}: {len(c_syms & rust_syms)} symbols in common, "
          f"{len(checksums)} checksums compared, {len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
