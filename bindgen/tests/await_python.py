#!/usr/bin/env python3
"""UniFFI's generated Python modules drive the C libraries.

For every UDL file of the manifest with generated bindings (check_bindings.py generate), the
module is imported next to its C library, its checksum check is called explicitly (UniFFI
0.32's Python ships that call commented out), and hello's and the futures fixture's exports are
awaited on one asyncio loop. A fixture's monitor must then report no protocol violation.

Usage: await_python.py --manifest FILE --build-dir DIR --out DIR
"""
import argparse
import asyncio
import ctypes
import gc
import importlib
import json
import os
import pathlib
import re
import sys


def prepare(entry, out, build_dir):
    """Imports the generated module of one UDL file, its C library beside it."""
    data = json.loads(pathlib.Path(entry["interface"]).read_text())
    ns = data["namespace"]
    folder = out / ns
    lib = (build_dir / data["path"]).resolve()
    link = folder / lib.name  # UniFFI's Python loads lib<cdylib_name>.so from its own folder
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(lib, link)
    sys.path.insert(0, str(folder))
    module = importlib.import_module(ns)
    # The load-time checks: the contract version ran at import; the checksums, explicitly.
    module._uniffi_check_api_checksums(module._UniffiLib)
    compared = len(re.findall(r"if lib\.uniffi_\w+_checksum_\w+\(\) != \d+:",
                              pathlib.Path(module.__file__).read_text()))
    return data, module, compared


async def hello_checks(hello):
    results = await asyncio.gather(hello.say_after(60, "Alice"), hello.say_after(30, "Bob"))
    assert results == ["Hello, Alice!", "Hello, Bob!"], results
    return 1


class Parser:
    """A Python implementation of the AsyncParser callback interface."""

    async def as_string(self, delay_ms, value):
        await asyncio.sleep(delay_ms / 1000)
        return str(value)

    async def try_from_string(self, delay_ms, value):
        await asyncio.sleep(delay_ms / 1000)
        try:
            return int(value)
        except ValueError:
            raise FUTURES.ParserError.NotAnInt() from None

    async def delay(self, delay_ms):
        await asyncio.sleep(delay_ms / 1000)

    async def try_delay(self, delay_ms):
        try:
            await asyncio.sleep(int(delay_ms) / 1000)
        except ValueError:
            raise FUTURES.ParserError.NotAnInt() from None


FUTURES = None


async def futures_checks(futures):
    global FUTURES
    FUTURES = futures
    n = 0

    async def check(awaitable, expected):
        nonlocal n
        got = await awaitable
        assert got == expected, (got, expected)
        n += 1

    await check(futures.always_ready(), True)
    await check(futures.void(), None)
    assert futures.greet("C") == "Hello, C"
    await check(futures.say(), "Hello, Future!")
    await check(futures.say_after(20, "Alice"), "Hello, Alice!")
    await check(futures.say_after_with_tokio(20, "Alice"), "Hello, Alice (with Tokio)!")
    await check(futures.sleep(20), True)
    await check(futures.sleep_no_return(20), None)
    await check(futures.fallible_me(False), 42)
    try:
        await futures.fallible_me(True)
        raise AssertionError("fallible_me(True) did not raise")
    except futures.MyError.Foo:
        n += 1
    megaphone = futures.new_megaphone()
    await check(megaphone.say_after(20, "Alice"), "HELLO, ALICE!")
    await check(megaphone.silence(), "")
    assert megaphone.say_now("Bob") == "HELLO, BOB!"
    secondary = await futures.Megaphone.secondary()
    await check(futures.say_after_with_megaphone(secondary, 20, "Carol"), "HELLO, CAROL!")
    assert (await futures.async_maybe_new_megaphone(True)) is not None
    await check(futures.async_maybe_new_megaphone(False), None)
    assert isinstance(await futures.async_new_megaphone(), futures.Megaphone)
    assert isinstance(await futures.fallible_struct(False), futures.Megaphone)
    record = await futures.new_my_record("a", 7)
    assert (record.a, record.b) == ("a", 7), record
    await check(futures.use_shared_resource(
        futures.SharedResourceOptions(release_after_ms=10, timeout_ms=500)), None)
    for t in futures.get_say_after_traits() + futures.get_say_after_udl_traits():
        await check(t.say_after(10, "Dan"), "Hello, Dan!")
    udl_megaphone = await futures.UdlMegaphone.secondary()
    await check(udl_megaphone.say_after(10, "Eve"), "HELLO, EVE!")
    # A callback interface implemented in Python.
    parser = Parser()
    await check(futures.as_string_using_trait(parser, 10, 42), "42")
    await check(futures.try_from_string_using_trait(parser, 10, "42"), 42)
    try:
        await futures.try_from_string_using_trait(parser, 10, "x")
        raise AssertionError("try_from_string_using_trait('x') did not raise")
    except futures.ParserError.NotAnInt:
        n += 1
    await check(futures.delay_using_trait(parser, 10), None)
    await check(futures.try_delay_using_trait(parser, "10"), None)
    # [Trait, WithForeign]: the producer's object (even handle) and a Python one (odd handle).
    producer = futures.new_async_formatter("c:")
    assert futures.is_producer_formatter(producer) is True
    await check(producer.format(10, "x"), "c:x")
    await check(futures.format_using(producer, 10, "y"), "c:y")
    await check(futures.parse_using(producer, 10, "-12"), -12)

    class PyFormatter(futures.AsyncFormatter):
        async def format(self, delay_ms, value):
            await asyncio.sleep(delay_ms / 1000)
            return "py:" + value

        async def parse(self, delay_ms, value):
            await asyncio.sleep(delay_ms / 1000)
            try:
                return int(value)
            except ValueError:
                raise futures.ParserError.NotAnInt() from None

    assert futures.is_producer_formatter(PyFormatter()) is False
    await check(futures.format_using(PyFormatter(), 10, "z"), "py:z")
    await check(futures.parse_using(PyFormatter(), 10, "5"), 5)
    try:
        await futures.parse_using(PyFormatter(), 10, "five")
        raise AssertionError("parse_using(PyFormatter, 'five') did not raise")
    except futures.ParserError.NotAnInt:
        n += 1
    return n


def monitor_violations(module):
    lib = module._UniffiLib
    lib.asyncabi_monitor_finish.restype = ctypes.c_uint32
    lib.asyncabi_monitor_report_json.restype = ctypes.c_void_p
    lib.asyncabi_monitor_free_string.argtypes = [ctypes.c_void_p]
    count = lib.asyncabi_monitor_finish()
    raw = lib.asyncabi_monitor_report_json()
    report = json.loads(ctypes.string_at(raw).decode())
    lib.asyncabi_monitor_free_string(raw)
    return count, report


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--build-dir", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    args = ap.parse_args()
    entries = json.loads(pathlib.Path(args.manifest).read_text())
    checks = {"hello": hello_checks, "futures": futures_checks}
    awaited = 0
    failures = []
    seen = set()
    for entry in entries:
        data, module, compared = prepare(entry, args.out, args.build_dir)
        ns = data["namespace"]
        seen.add(ns)
        if compared == 0:
            failures.append(f"{ns}.py: _uniffi_check_api_checksums compares nothing")
        print(f"{ns}: imported UniFFI's generated {ns}.py with lib{data['library']}.so; contract "
              f"version {data['contract_version']} and {compared} checksums checked")
        if ns not in checks:
            continue
        count = asyncio.run(checks[ns](module))
        awaited += count
        print(f"{ns}: {count} awaited results as expected")
        gc.collect()
        if hasattr(module._UniffiLib, "asyncabi_monitor_finish"):
            violations, report = monitor_violations(module)
            if violations:
                failures.append(f"{ns}: the monitor reports {violations} violations: "
                                f"{json.dumps(report['violations'])[:600]}")
    if "hello" not in seen:  # examples/hello is always built; the fixtures may be switched off
        failures.append("no generated module for hello")
    for f in failures:
        print("ERROR:", f, file=sys.stderr)
    print(f"bindgen python: {len(seen)} modules imported, {awaited} results awaited, "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
