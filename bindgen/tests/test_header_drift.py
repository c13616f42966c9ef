#!/usr/bin/env python3
"""The generated header makes the compiler reject a definition that drifts from the UDL file:
hello's say_after defined with the UDL's signature compiles, with a u32 instead of the UDL's
u64 (or a missing argument) it does not.

Usage: test_header_drift.py CC RUNTIME_INCLUDE_DIR HELLO_BUILD_DIR
"""
import pathlib
import subprocess
import sys
import tempfile

BODY = '''#include "asyncabi/asyncabi.h"
#include "hello_scaffolding.h"
uint64_t uniffi_hello_fn_func_say_after({params}) {{ (void)ms; aa_buffer_free(who); return 0; }}
'''
CASES = {"uint64_t ms, RustBuffer who": True,        # the UDL's u64 and string
         "uint32_t ms, RustBuffer who": False,       # drifted: u32
         "uint64_t ms, RustBuffer who, int extra": False}


def main():
    cc, include, hello = sys.argv[1:4]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for params, should_compile in CASES.items():
            src = pathlib.Path(tmp) / "drift.c"
            src.write_text(BODY.format(params=params))
            done = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                                   "-I", include, "-I", hello, str(src)],
                                  capture_output=True, text=True, check=False)
            if (done.returncode == 0) != should_compile:
                failures.append(f"({params}): compiled={done.returncode == 0}, "
                                f"expected {should_compile}: {done.stderr.strip()[:300]}")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print(f"header drift: {len(CASES)} definitions, {len(failures)} judged wrongly")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
