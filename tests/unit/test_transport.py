"""The worker's consumer seeks partitions without a committed offset too, to their beginning."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import SimpleNamespace

from faust.types import TP

from streams.transport import Consumer

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
