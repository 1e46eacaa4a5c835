"""The worker's consumer: it seeks partitions without a committed offset too, to their beginning,
and hands a fetched message over without Faust's per-message wait unless something holds it back."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast
from unittest.mock import patch

from faust.types import TP
from mode import Service
from mode.utils.locks import Event

from antt.settings import Settings
from streams.app import create_app
from streams.transport import FETCH_MAX_WAIT_MS, Consumer

CHANGELOG = "antt-population_registry-changelog"


class _ConsumerThread:
    """What the consumer delegates to: aiokafka's seek_to_committed, and a record of seeks."""

    def __init__(self, committed: Mapping[TP, int | None]) -> None:
        self.committed = committed
        self.to_beginning: list[TP] = []

    async def seek_to_committed(self) -> Mapping[TP, int | None]:
        return self.committed

    async def seek_to_beginning(self, *partitions: TP) -> None:
        self.to_beginning.extend(partitions)


def _seek(committed: Mapping[TP, int | None]) -> tuple[Mapping[TP, int], list[TP]]:
    consumer = Consumer.__new__(Consumer)  # no broker: only the delegation is under test
    thread = _ConsumerThread(committed)
    consumer._thread = thread  # type: ignore[assignment]
    consumer.app = SimpleNamespace(tables=SimpleNamespace(changelog_topics={CHANGELOG}))  # type: ignore[assignment]
    return asyncio.run(consumer.seek_to_committed()), thread.to_beginning


def test_partitions_never_committed_are_sought_to_their_beginning() -> None:
    committed = {TP("camera.events", 0): 120, TP("ref.watchlist", 1): None,
                 TP("ref.watchlist", 2): 0}  # fmt: skip
    returned, to_beginning = _seek(committed)
    assert to_beginning == [TP("ref.watchlist", 1), TP("ref.watchlist", 2)]
    assert returned == committed  # Faust resets its read offsets from these


def test_the_registry_changelog_keeps_its_position() -> None:
    # Never committed either, but read from the store's persisted offsets and followed since.
    committed = {TP(CHANGELOG, 0): None, TP("population.updates", 0): None}
    assert _seek(committed)[1] == [TP("population.updates", 0)]


def test_committed_partitions_are_left_to_aiokafka() -> None:
    assert _seek({TP("camera.events", 0): 1, TP("camera.events", 1): 7})[1] == []


class _Fetching:
    """A consumer as its fetch loop sees it: flow and lifecycle events, a loop, a record of
    every wait Faust's own ``wait_first`` was given."""

    def __init__(self) -> None:
        self.consumer = Consumer.__new__(Consumer)  # no broker: only the hand-over is under test
        self.consumer._loop = asyncio.get_running_loop()
        for name in ("suspend_flow", "_stopped", "_crashed"):
            setattr(self.consumer, name, Event())
        self.faust_waits = 0
        original = Service.wait_first

        async def counted(service: Any, *coros: Any, timeout: Any = None) -> Any:
            self.faust_waits += 1
            return await original(service, *coros, timeout=timeout)

        self._patch = patch.object(Service, "wait_first", counted)
        self._patch.start()

    def close(self) -> None:
        self._patch.stop()

    async def hand_over(self, callback: Coroutine[Any, Any, Any]) -> Any:
        return await self.consumer.wait_first(callback, self.consumer.suspend_flow.wait())


def _fetching(test: Callable[[_Fetching], Coroutine[Any, Any, None]]) -> None:
    async def run() -> None:
        fetching = _Fetching()
        try:
            await test(fetching)
        finally:
            fetching.close()

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a flow wait left unawaited would warn
        asyncio.run(run())


def test_a_message_nothing_holds_back_is_handed_over_without_faust_wait() -> None:
    async def test(fetching: _Fetching) -> None:
        async def deliver() -> str:
            return "queued"

        result = await fetching.hand_over(deliver())
        assert (result.results, result.stopped) == (["queued"], False)
        assert fetching.faust_waits == 0

    _fetching(test)


def test_a_message_held_back_is_delivered_once_the_pressure_drops() -> None:
    async def test(fetching: _Fetching) -> None:
        room = asyncio.get_running_loop().create_future()
        steps: list[str] = []

        async def deliver() -> str:
            steps.append("waits for room")
            free = await room
            steps.append(f"queued into {free}")
            return "queued"

        handing = asyncio.ensure_future(fetching.hand_over(deliver()))
        await asyncio.sleep(0.01)
        assert not handing.done() and steps == ["waits for room"]
        room.set_result("queue 3")
        result = await handing
        assert result.results == ["queued"] and steps[-1] == "queued into queue 3"
        assert fetching.faust_waits == 1

    _fetching(test)


def test_a_message_held_back_when_the_flow_is_suspended_is_cancelled() -> None:
    async def test(fetching: _Fetching) -> None:
        ended: list[str] = []

        async def deliver() -> None:
            try:
                await asyncio.get_running_loop().create_future()  # never room
            except asyncio.CancelledError:
                ended.append("cancelled")
                raise

        handing = asyncio.ensure_future(fetching.hand_over(deliver()))
        await asyncio.sleep(0.01)
        fetching.consumer.suspend_flow.set()  # a rebalance: Faust's wait lets go of it
        result = await handing
        assert (result.results, result.stopped) == ([True], False)  # the flow's wait won
        await asyncio.sleep(0)
        assert ended == ["cancelled"]

    _fetching(test)


def test_while_the_flow_is_suspended_faust_waits_as_before() -> None:
    async def test(fetching: _Fetching) -> None:
        fetching.consumer.suspend_flow.set()
        started: list[str] = []

        async def deliver() -> None:
            started.append("started")

        await fetching.hand_over(deliver())
        assert fetching.faust_waits == 1
        assert started == ["started"]  # in a task of its own, as Faust runs it

    _fetching(test)


def test_the_worker_consumer_fetch_wait_is_short(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, kafka_port=1, controller_port=2, demo_mode=True)
    app = create_app(settings)  # nothing connects until the consumer starts

    async def fetch_wait() -> int:
        consumer = cast("Consumer", app.consumer)
        created = consumer._thread._create_consumer(asyncio.get_running_loop())
        return int(created._fetch_max_wait_ms)

    assert asyncio.run(fetch_wait()) == FETCH_MAX_WAIT_MS == 100
