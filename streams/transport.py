"""Faust's aiokafka transport: a seek to the committed offsets covers every partition, a fetched
message reaches its streams without four tasks of its own, and an idle partition holds no fetch
for long.

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

Faust hands each fetched message to its streams with ``wait_first(callback(message),
suspend_flow.wait())``: four tasks (the callback, the flow, the consumer's stopped and crashed
events) and an ``asyncio.wait`` per message, so that a callback blocked while a rebalance suspends
the flow can be cancelled. The callback blocks only on back-pressure (the flow suspended, a full
producer buffer, a full stream queue); otherwise it returns in its first step. The consumer runs
that first step at once and gives Faust's wait only what is left of a callback that blocked. In a
profile of the camera worker the per-message wait took about a quarter of the event loop's time
(docs/performance.md).

Faust builds its aiokafka consumer with ``fetch_max_wait_ms=1500``. aiokafka sends one fetch per
broker at a time, and leaves out of it the partitions whose fetched records are still being
consumed. While a busy partition's records are handed over, the next fetch goes out for the idle
ones alone (the other source topics, the reference topics, the changelog) and the broker holds it
for the whole wait; the busy partition's next fetch waits behind it. At 1,000 camera events/s
that held watchlist alerts up for about 1.5 s every few seconds. The worker's consumer waits
``FETCH_MAX_WAIT_MS`` (aiokafka's own default is 500 ms).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator, Mapping
from collections.abc import Set as AbstractSet
from typing import Any, ClassVar

from aiokafka import AIOKafkaConsumer
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP, ConsumerT
from mode.services import WaitArgT, WaitResults
from mode.utils.times import Seconds

__all__ = ["FETCH_MAX_WAIT_MS", "Transport", "uncommitted"]

#: How long the broker may hold a fetch that finds no new records, in milliseconds: also the
#: longest a partition that has records waits behind a fetch for idle partitions.
FETCH_MAX_WAIT_MS = 100


def uncommitted(committed: Mapping[TP, int | None], changelogs: AbstractSet[str]) -> list[TP]:
    """The source partitions aiokafka's ``seek_to_committed`` does not seek."""
    return [
        tp
        for tp, offset in committed.items()
        if (offset is None or offset <= 0) and tp.topic not in changelogs
    ]


class _Rest:
    """What is left of a coroutine that was stepped once and blocked, as an awaitable.

    A task driving it resumes the coroutine where it stopped: values, exceptions (cancellation
    included) and the final result pass through as they would have with ``await coro``.
    """

    __slots__ = ("_blocked_on", "_coro")

    def __init__(self, coro: Coroutine[Any, Any, Any], blocked_on: Any) -> None:
        self._coro = coro
        self._blocked_on = blocked_on

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, signal = self._coro, self._blocked_on
        while True:
            try:
                sent = yield signal
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # handed to the coroutine, as ``await`` would
                try:
                    signal = coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    signal = coro.send(sent)
                except StopIteration as stop:
                    return stop.value


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: faust_aiokafka.Transport) -> AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Read when the consumer starts its fetcher; Faust passes no setting for it.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class Consumer(faust_aiokafka.Consumer):
    """Faust's aiokafka consumer with a whole seek, a hand-over without per-message tasks, and a
    short fetch wait."""

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def wait_first(self, *coros: WaitArgT, timeout: Seconds | None = None) -> WaitResults:
        # The consumer's only wait_first is the fetch loop's, (callback(message), flow wait).
        callback, *others = coros
        if (
            asyncio.iscoroutine(callback)
            and not self.suspend_flow.is_set()
            and not self._stopped.is_set()
            and not self._crashed.is_set()
        ):
            try:
                blocked_on = callback.send(None)
            except StopIteration as stop:
                for other in others:
                    if asyncio.iscoroutine(other):
                        other.close()
                return WaitResults([callback], [stop.value], False)
            coros = (_Rest(callback, blocked_on), *others)
        # mode declares ``timeout: Seconds = None`` and means ``Seconds | None``.
        return await super().wait_first(*coros, timeout=timeout)  # type: ignore[arg-type]

    async def seek_to_committed(self) -> Mapping[TP, int]:
        committed = await super().seek_to_committed()
        unseeked = uncommitted(committed, self.app.tables.changelog_topics)
        if unseeked:
            await self._thread.seek_to_beginning(*unseeked)
        return committed


class Transport(faust_aiokafka.Transport):
    """The aiokafka transport with ``Consumer`` above."""

    Consumer: ClassVar[type[ConsumerT]] = Consumer
