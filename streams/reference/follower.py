"""Every worker process follows the whole of each ref.* topic into its own ``ReferenceStore``.

A consumer outside the worker group, assigned every partition of the reference topics, reads them
from the beginning and keeps reading, on the event loop, so cleaners never see a half-applied
batch of updates. Agents cannot do this: the group gives each worker process only some partitions
of a reference topic, and a watchlist change on another worker's partition would never reach it.

``caught_up`` waits until the store holds everything the topics held when it was called; the
worker calls it before it cleans each batch, so a camera registered, or a plate listed, a moment
before an event was processed counts for that event, in every worker process. It is bounded:
with the broker away it raises ``ReferencesUnavailable`` after ``timeout_s``, and the caller ends
the process (exit 75) rather than stall.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from streams.cleaning.context import CleanContext
from streams.failure import StopRequested
from streams.processing import Message, clean_message
from streams.reference.store import REFERENCE_TOPICS, ReferenceStore

__all__ = ["ReferenceFollower", "ReferencesUnavailable"]

log = logging.getLogger(__name__)

_RETRY_PAUSE_S = 1.0


class ReferencesUnavailable(RuntimeError):
    """The reference topics could not be read to their end in time."""


class ReferenceFollower:
    """Reads every partition of the ref.* topics into ``store``, for as long as it runs."""

    def __init__(
        self,
        client_options: Mapping[str, Any],
        store: ReferenceStore,
        make_context: Callable[[], CleanContext],
        timeout_s: float,
        stopping: Callable[[], bool],
    ) -> None:
        self.store = store
        self._stopping = stopping
        self._client_options = client_options
        self._make_context = make_context
        self._timeout_s = timeout_s
        self._consumer: AIOKafkaConsumer | None = None
        self._offsets: AIOKafkaConsumer | None = None
        self._started = asyncio.Event()

    async def run(self) -> None:
        """Connect (bounded), then apply every reference record as it arrives; never returns."""
        await self._bounded("connect to the reference topics", self._connect)
        self._started.set()
        log.info("following the reference topics")
        consumer = self._consumer
        assert consumer is not None
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=5000)
                ctx = self._make_context()
                for records in batches.values():
                    for r in records:
                        message = Message(r.topic, r.partition, r.offset, r.key, r.value,
                                          r.timestamp)  # fmt: skip
                        outcome = clean_message(message, ctx)
                        if outcome.row is not None:
                            self.store.apply(r.topic, r.partition, r.offset, outcome.row)
        finally:
            await consumer.stop()
            if self._offsets is not None:
                await self._offsets.stop()

    async def caught_up(self) -> None:
        """Wait until the store holds every record the reference topics hold now (bounded).

        Raises ``StopRequested`` when the worker starts stopping meanwhile, so that SIGTERM ends
        the worker at once rather than after the timeout (``streams.failure``).
        """
        deadline = time.monotonic() + self._timeout_s
        catch_up = asyncio.ensure_future(self._catch_up())
        try:
            while not catch_up.done():
                if self._stopping():
                    raise StopRequested("stopping while reading the reference topics")
                if time.monotonic() > deadline:
                    raise ReferencesUnavailable(
                        "the reference topics were not read to their end within "
                        f"{self._timeout_s:.0f} s (broker at "
                        f"{self._client_options['bootstrap_servers']} away, or a topic missing)"
                    )
                await asyncio.wait({catch_up}, timeout=0.1)
            catch_up.result()
        finally:
            catch_up.cancel()

    async def _catch_up(self) -> None:
        await self._started.wait()
        consumer, offsets = self._consumer, self._offsets
        assert consumer is not None and offsets is not None
        while set(REFERENCE_TOPICS) - {tp.topic for tp in consumer.assignment()}:
            await asyncio.sleep(0.1)
        partitions = sorted(consumer.assignment())
        while True:
            try:
                ends: Mapping[TopicPartition, int] = await offsets.end_offsets(partitions)
                break
            except KafkaError as exc:
                log.warning("could not read the reference topics' end offsets (%s); retrying",
                            type(exc).__name__)  # fmt: skip
                await asyncio.sleep(_RETRY_PAUSE_S)
        for tp, end in ends.items():
            while await consumer.position(tp) < end:
                await asyncio.sleep(0.05)

    async def _connect(self) -> None:
        # Subscribed without a group, aiokafka assigns this consumer every partition of the
        # topics, and picks up partitions added later.
        consumer = AIOKafkaConsumer(
            *REFERENCE_TOPICS,
            **self._client_options,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            request_timeout_ms=10_000,
        )
        # End offsets are asked on a connection of their own: Kafka answers one request at a
        # time per connection, and the follower's long-polling fetch would delay each answer by
        # up to its fetch wait (500 ms), on every batch.
        offsets = AIOKafkaConsumer(**self._client_options, request_timeout_ms=10_000)
        try:
            await consumer.start()
            await offsets.start()
        except BaseException:
            await consumer.stop()
            await offsets.stop()
            raise
        self._consumer, self._offsets = consumer, offsets

    async def _bounded(self, what: str, attempt: Callable[[], Awaitable[None]]) -> None:
        """``attempt()`` until it succeeds, retrying broker errors for up to ``timeout_s``."""
        deadline = time.monotonic() + self._timeout_s
        while True:
            try:
                return await asyncio.wait_for(attempt(), max(deadline - time.monotonic(), 0.1))
            except (KafkaError, OSError, TimeoutError) as exc:
                if time.monotonic() + _RETRY_PAUSE_S > deadline:
                    raise ReferencesUnavailable(
                        f"could not {what} within {self._timeout_s:.0f} s "
                        f"({type(exc).__name__}: {exc})"
                    ) from exc
                log.warning("could not %s (%s); retrying", what, type(exc).__name__)
                await asyncio.sleep(_RETRY_PAUSE_S)
