"""One batch from Kafka to durable: clean, alert, dead-letter, land, then let Faust commit.

Crash-only: every step runs inside ``streams.failure.step``, so a batch that cannot be made
durable, or cannot even be cleaned (references unreachable), ends the process (exit 75) without
being acknowledged; its offsets are never committed and a restart replays it. The landing zone
makes the replay land nothing twice: messages at or below a partition's landed offset are skipped.

That skip is only sound when each partition arrives whole and in order, and Faust can drop
fetched messages in a rebalance (``streams.delivery``). So a batch whose offsets leave a hole
after what has landed, where the broker holds records, is not landed: the process ends (exit
75) before Faust can commit past the hole, and the restart reads the partition again from its
committed offset.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from antt.settings import Settings
from streams.contexts import ContextFactory
from streams.contract.topics import TopicSpec
from streams.delivery import RecordsAt
from streams.failure import step
from streams.health.metrics import BatchCounts
from streams.processing import Message, Outcome, find_alerts, process
from streams.recent_alerts import RecentAlerts
from streams.sink import KafkaRecord, Lander, plan_batch
from warehouse.landing.zone import LandingZone

__all__ = ["BatchWorker", "MessagesDropped", "RecordSender", "References", "message_from_faust"]

log = logging.getLogger(__name__)


class RecordSender(Protocol):
    """Produces records to a topic and waits until the broker has them."""

    async def __call__(self, topic: str, records: Sequence[KafkaRecord]) -> None: ...


class References(Protocol):
    """Waits until the reference store holds what the ref.* topics hold now (bounded)."""

    async def caught_up(self) -> None: ...


class MessagesDropped(RuntimeError):
    """Offsets the broker holds never reached the worker, and later ones did."""


class BatchWorker:
    """Lands batches, and counts what it landed, rejected, alerted and skipped as replayed."""

    def __init__(
        self,
        settings: Settings,
        send: RecordSender,
        contexts: ContextFactory,
        references: References,
        records_at: RecordsAt,
    ) -> None:
        self.settings = settings
        self.send = send
        self.contexts = contexts
        self.references = references
        self.records_at = records_at
        self.lander = Lander(LandingZone(settings.landing_dir))
        self.lander.zone.ensure()
        self.alerts = RecentAlerts()
        self.counts: Counter[tuple[str, str]] = Counter()
        self._run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self._batches = 0
        self.batch_counts = BatchCounts()  # rejections by reason, last landing: /metrics

    async def handle(self, spec: TopicSpec, batch: Sequence[Message]) -> list[Outcome]:
        """Make one batch durable; ends the process (exit 75) when any step fails.

        Returns what became of the messages not skipped as already landed, in batch order.
        """
        topic = spec.name
        with step(topic, "skip offsets already landed"):
            messages = self._not_landed(spec, batch)
        with step(topic, "check that no message was dropped"):
            messages = await self._whole(spec, messages)
        if not messages:
            return []
        with step(topic, "read the reference topics to their end"):
            # Every batch: a camera registered, or a plate listed, a moment before an event was
            # processed must count for it, whichever worker process the update reached first.
            await self.references.caught_up()
        with step(topic, "clean"):
            ctx = self.contexts()
            outcomes = process(messages, ctx)
            self._batches += 1
            plan = plan_batch(
                spec,
                outcomes,
                self.alerts.fresh(find_alerts(outcomes, ctx)),
                f"{self._run_id}-{self._batches:07d}",
                ctx.now,
            )
        with step(topic, "send dead letters"):
            await self.send("deadletter", plan.deadletters)
        with step(topic, "send alerts"):
            await self.send("alerts", plan.alerts)
        with step(topic, "land"):
            await asyncio.get_running_loop().run_in_executor(None, self.lander.write, plan)
        self.counts[(topic, "landed")] += plan.count(spec.table)
        self.counts[(topic, "rejected")] += len(plan.deadletters)
        self.counts[(topic, "alerts")] += len(plan.alerts)
        self.batch_counts.record(topic, plan)
        return outcomes

    def _not_landed(self, spec: TopicSpec, batch: Sequence[Message]) -> list[Message]:
        # A message can arrive twice in one batch: once fetched before a rebalance's seek back
        # to the committed offset, once after it (streams.flow). The first copy counts.
        seen: set[tuple[int, int]] = set()
        messages = []
        for m in batch:
            if m.offset > self.lander.landed_through(spec, m.partition):
                copy = (m.partition, m.offset)
                if copy not in seen:
                    seen.add(copy)
                    messages.append(m)
        self._count_replayed(spec.name, len(batch) - len(messages))
        return messages

    async def _whole(self, spec: TopicSpec, messages: list[Message]) -> list[Message]:
        """``messages``, once sure no partition has a hole that the broker holds records for.

        Raises ``MessagesDropped`` when one has.
        """
        holes = self._holes(spec, messages)
        if holes:
            # What this process remembers may be behind: another worker of the group may have
            # landed these partitions while it held them.
            for partition in holes:
                self.lander.forget(spec, partition)
            messages = self._not_landed(spec, messages)
            holes = self._holes(spec, messages)
        for partition, missing in holes.items():
            held = await self.records_at(spec.name, partition, missing)
            if held:
                raise MessagesDropped(
                    f"{len(held)} message(s) of partition {partition} from offset {held[0]} "
                    "never reached the worker, though later ones did (landed through "
                    f"{self.lander.landed_through(spec, partition)})"
                )
        return messages

    def _holes(self, spec: TopicSpec, messages: Sequence[Message]) -> dict[int, list[int]]:
        """Per partition, the offsets missing between what landed and the batch's last one."""
        offsets: dict[int, set[int]] = {}
        for m in messages:
            offsets.setdefault(m.partition, set()).add(m.offset)
        holes = {}
        for partition, seen in offsets.items():
            landed = self.lander.landed_through(spec, partition)
            # Nothing landed yet: the partition may start past 0 (retention), nothing to hold to.
            start = landed + 1 if landed >= 0 else min(seen)
            if len(seen) != max(seen) - start + 1:
                holes[partition] = sorted(set(range(start, max(seen) + 1)) - seen)
        return holes

    def _count_replayed(self, topic: str, skipped: int) -> None:
        if skipped:
            self.counts[(topic, "replayed")] += skipped
            log.info("%s: skipped %d message(s) already landed (replay)", topic, skipped)

    def progress_line(self) -> str:
        topics = sorted({topic for topic, _ in self.counts})
        parts = []
        for t in topics:
            part = (
                f"{t}: {self.counts[(t, 'landed')]} landed, {self.counts[(t, 'rejected')]} rejected"
            )
            if self.counts[(t, "replayed")]:
                part += f", {self.counts[(t, 'replayed')]} replayed"
            parts.append(part)
        return "; ".join(parts) or "waiting for events"


def message_from_faust(event: Any) -> Message:
    """Our Message from a Faust event (raw serializers: key and value stay bytes)."""
    m = event.message
    return Message(m.topic, m.partition, m.offset, m.key, m.value, int(m.timestamp * 1000))
