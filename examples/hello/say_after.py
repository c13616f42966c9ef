#!/usr/bin/env python3
"""Awaits say_after(), exported from C in hello.c, from Python asyncio.

The binding is runners/python's generic core: it reads interface.json (derived from hello.udl
into the build tree by asyncabi-scaffold), lowers the arguments,
drives the future with the poll/continuation protocol and frees it in a `finally`, exactly as
a UniFFI-generated Python binding would. Two calls run concurrently on one event loop.
"""
import asyncio
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "runners" / "python"))

from asyncabi_py.binding import Library  # noqa: E402


async def main(library: Library) -> int:
    start = time.monotonic()
    alice, bob = await asyncio.gather(
        library.call_async("say_after", [200, "Alice"]),
        library.call_async("say_after", [100, "Bob"]),
    )
    elapsed_ms = (time.monotonic() - start) * 1000
    print(f"  {alice}")
    print(f"  {bob}")
    print(f"  both awaited in {elapsed_ms:.0f} ms on one asyncio loop (200 ms + 100 ms if serial: 300 ms)")
    if (alice, bob) != ("Hello, Alice!", "Hello, Bob!") or elapsed_ms >= 290:
        print("say_after: unexpected result", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: say_after.py BUILD_DIR")
    out = pathlib.Path(sys.argv[1]) / "examples" / "hello"
    lib_path = out / "libasyncabi_example_hello.so"
    if not lib_path.exists():
        sys.exit(f"say_after.py: {lib_path} is not built (run ./asyncabi build)")
    sys.exit(asyncio.run(main(Library(str(out / "interface.json"), str(lib_path)))))
