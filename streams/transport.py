"""Faust's aiokafka transport, except that a seek to the committed offsets covers every partition.

After a rebalance Faust seeks each assigned partition back to its committed offset, so that
whatever it fetched and then dropped during the rebalance is fetched again. aiokafka's
``seek_to_committed`` leaves out partitions without a committed offset (or with offset 0): their
fetch position stays wherever the dropped fetch left it. A partition nothing has been committed
on yet, a fresh reference topic for example, then lost its first records for good, with no later
message to reveal the hole (``streams.delivery`` only sees holes that later offsets expose).
Seeking those partitions to their first offset makes the seek whole; what had been delivered
already arrives again and the landing zone skips it.

Changelog partitions are left alone: Faust never commits them, it reads them from the offsets its
store persisted, and a global table keeps following them. Read again from the beginning, the
registry would go back to old values of every resident until it caught up.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import ClassVar

from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP, ConsumerT

__all__ = ["Transport", "uncommitted"]


def uncommitted(committed: Mapping[TP, int | None], changelogs: AbstractSet[str]) -> list[TP]:
    """The source partitions aiokafka's ``seek_to_committed`` does not seek."""
    return [
        tp
        for tp, offset in committed.items()
        if (offset is None or offset <= 0) and tp.topic not in changelogs
    ]


class Consumer(faust_aiokafka.Consumer):
    """Seeks source partitions without a committed offset to their beginning with the rest."""

    async def seek_to_committed(self) -> Mapping[TP, int]:
        committed = await super().seek_to_committed()
        unseeked = uncommitted(committed, self.app.tables.changelog_topics)
        if unseeked:
            await self._thread.seek_to_beginning(*unseeked)
        return committed


class Transport(faust_aiokafka.Transport):
    """The aiokafka transport with ``Consumer`` above."""

    Consumer: ClassVar[type[ConsumerT]] = Consumer
