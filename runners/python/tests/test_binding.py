"""The binding core against a tiny producer built on the runtime (tests/producer)."""
import asyncio
import gc
import threading
import time

import pytest

from asyncabi_py.binding import FixtureError


def live(lib):
    return lib.call_sync("live_futures")


def test_await_returns_the_value_after_the_delay(lib):
    async def main():
        start = time.monotonic()
        value = await lib.call_async("sleep_ms", [30])
        return value, time.monotonic() - start
    value, elapsed = asyncio.run(main())
    assert value == 30 and elapsed >= 0.025
    assert live(lib) == 0


def test_ten_thousand_concurrent_awaits_finish_and_free(lib):
    async def main():
        return await asyncio.gather(*(lib.call_async("sleep_ms", [0]) for _ in range(10000)))
    assert asyncio.run(main()) == [0] * 10000
    assert live(lib) == 0 and len(lib._continuations) == 0


def test_typed_error_is_lifted(lib):
    with pytest.raises(FixtureError) as info:
        asyncio.run(lib.call_async("fail_after", [1]))
    assert info.value.type_name == "TestError"
    assert info.value.value == {"variant": "Boom", "message": "boom"}
    assert live(lib) == 0


def test_cancelling_the_task_cancels_and_frees_the_future(lib):
    async def main():
        task = asyncio.ensure_future(lib.call_async("sleep_ms", [5000]))
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    asyncio.run(main())
    assert live(lib) == 0


class Doubler:
    def __init__(self):
        self.threads = []

    async def double(self, value):
        self.threads.append(threading.current_thread().name)
        await asyncio.sleep(0.01)
        return value * 2


@pytest.mark.parametrize("from_thread", [False, True], ids=["poll-thread", "loopless-thread"])
def test_foreign_async_method(lib, from_thread):
    impl = Doubler()

    async def main():
        lib.set_event_loop(asyncio.get_running_loop())
        return await lib.call_async("call_double", [impl, 21, from_thread])
    assert asyncio.run(main()) == 42
    assert impl.threads == ["MainThread"]
    assert len(lib.foreign_objects) == 0  # the producer released its handle
    assert live(lib) == 0


def test_loopless_thread_without_fallback_completes_with_an_error(lib):
    async def main():
        lib.set_event_loop(None)
        return await lib.call_async("call_double", [Doubler(), 1, True])
    from asyncabi_py.binding import UnexpectedError
    with pytest.raises(UnexpectedError):
        asyncio.run(main())
    assert live(lib) == 0


def test_callbacks_survive_garbage_collection(lib):
    async def main():
        task = asyncio.ensure_future(lib.call_async("sleep_ms", [30]))
        await asyncio.sleep(0.005)
        gc.collect()
        return await task
    assert asyncio.run(main()) == 30


def test_legacy_profile_fills_the_foreign_future_out_parameter(producer_path):
    """Profile 0.29.1: the binding writes {handle, free} into UniffiForeignFuture; the producer
    calls that free when it drops its side, which cancels a still-running task."""
    from conftest import HERE
    from asyncabi_py.binding import Library
    legacy = Library(str(HERE / "producer" / "interface_legacy.json"), producer_path)
    assert legacy.legacy_foreign_futures
    impl = Doubler()

    async def main():
        legacy.set_event_loop(asyncio.get_running_loop())
        value = await legacy.call_async("call_double_legacy", [impl, 5])
        task = asyncio.ensure_future(legacy.call_async("call_double_legacy", [Slow(), 1]))
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.02)
        return value
    assert asyncio.run(main()) == 10
    assert Slow.cancelled == 1
    assert len(legacy.foreign_objects) == 0


class Slow:
    cancelled = 0

    async def double(self, value):
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            Slow.cancelled += 1
            raise
