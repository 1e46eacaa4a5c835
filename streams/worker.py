"""One batch from Kafka to durable: clean, alert, dead-letter, land, then let Faust commit.

Crash-only on write failures: if a batch cannot be made durable the process exits at once without
acknowledging it, so its offsets are never committed and a restart replays it; the landing zone
makes the replay land nothing twice.

Besides batches, the worker keeps the population registry up to date, one update at a time
(``register``); the registry is a Faust table, durable through its changelog topic.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections import Counter, OrderedDict
from collections.abc import MutableMapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from antt.settings import Settings
from streams.cleaning.context import CleanContext, Row
from streams.contract.topics import TopicSpec
from streams.population.registry import Resident, apply_update
from streams.processing import Message, Outcome, clean_message, find_alerts, process
from streams.pseudonym import Pseudonymiser
from streams.reference.store import REFERENCE_TOPICS, ReferenceStore
from streams.reference.wards import ward_provinces
from streams.sink import KafkaRecord, Lander, plan_batch
from warehouse.landing.zone import LandingZone

__all__ = ["BatchWorker", "RecordSender", "message_from_faust"]

log = logging.getLogger(__name__)

_REFERENCE_MISSES = frozenset({"unknown_camera", "unknown_facility"})
_RECENT_ALERTS = 100_000
EXIT_NOT_DURABLE = 75  # EX_TEMPFAIL: a supervisor restarts the worker and the batch is replayed


class RecordSender(Protocol):
    """Produces records to a topic and waits until the broker has them."""

    async def __call__(self, topic: str, records: Sequence[KafkaRecord]) -> None: ...


class BatchWorker:
    """The state one worker process keeps across batches: references, landed offsets, counts.

    ``residents`` is the population registry by person pseudonym: the app's Faust table, or a
    dict where no broker is involved.
    """

    def __init__(
        self,
        settings: Settings,
        send: RecordSender,
        residents: MutableMapping[str, Resident],
    ) -> None:
        self.settings = settings
        self.send = send
        self.residents = residents
        self.store = ReferenceStore()
        self.lander = Lander(LandingZone(settings.landing_dir))
        self.lander.zone.ensure()
        self.pseudonymise = Pseudonymiser(settings.pseudonym_secret)
        self.wards = ward_provinces()
        self.counts: Counter[tuple[str, str]] = Counter()
        self.registered = 0
        self._run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self._batches = 0
        self._references_loaded = asyncio.Lock()
        # A re-sent event would raise its alert again; the duty officer needs it once.
        self._raised: OrderedDict[str, None] = OrderedDict()
        self._ready = False

    def context(self) -> CleanContext:
        return CleanContext(
            now=datetime.now(UTC),
            province_code=self.settings.province_code,
            wards=self.wards,
            cameras=self.store.cameras,
            facilities=self.store.facilities,
            watchlist=self.store.watchlist,
            residents=self.residents,
            pseudonymise=self.pseudonymise,
        )

    async def refresh_references(self) -> int:
        return await self.store.catch_up(self.settings.bootstrap_servers, self.context)

    async def _load_references_once(self) -> None:
        async with self._references_loaded:
            if not self._ready:
                applied = await self.refresh_references()
                log.info("reference data loaded: %d records", applied)
                self._ready = True

    async def handle(self, spec: TopicSpec, batch: Sequence[Message]) -> None:
        """Make one batch durable; exits the process when that fails."""
        messages = [m for m in batch if m.offset > self.lander.landed_through(spec, m.partition)]
        self.counts[(spec.name, "replayed")] += len(batch) - len(messages)
        if not messages:
            return
        await self._load_references_once()
        outcomes = process(messages, self.context())
        if _misses_references(outcomes) and await self.refresh_references():
            outcomes = process(messages, self.context())
        ctx = self.context()
        self._batches += 1
        plan = plan_batch(
            spec,
            outcomes,
            self._new_alerts(find_alerts(outcomes, ctx)),
            f"{self._run_id}-{self._batches:07d}",
            ctx.now,
        )
        try:
            await self.send("deadletter", plan.deadletters)
            await self.send("alerts", plan.alerts)
            await asyncio.get_running_loop().run_in_executor(None, self.lander.write, plan)
        except Exception as exc:
            log.critical(
                "batch of %s partition(s) %s could not be made durable (%s); exiting so that "
                "it is replayed after a restart",
                spec.name,
                sorted({m.partition for m in messages}),
                exc,
            )
            os._exit(EXIT_NOT_DURABLE)
        if spec.name in REFERENCE_TOPICS:
            for outcome in outcomes:
                if outcome.row is not None:
                    message = outcome.message
                    self.store.apply(spec.name, message.partition, message.offset, outcome.row)
        self.counts[(spec.name, "landed")] += plan.count(spec.table)
        self.counts[(spec.name, "rejected")] += len(plan.deadletters)
        self.counts[(spec.name, "alerts")] += len(plan.alerts)

    def register(self, message: Message) -> None:
        """Fold one population update into the registry; a rejected one changes nothing.

        Must run while Faust processes ``message``'s event: a Faust table writes each key to the
        changelog partition of the event being processed.
        """
        outcome = clean_message(message, self.context())
        if outcome.row is None:
            return
        key = outcome.row["person_key"]
        self.residents[key] = apply_update(self.residents.get(key), outcome.row)
        self.registered += 1

    def _new_alerts(self, alerts: list[tuple[Outcome, Row]]) -> list[tuple[Outcome, Row]]:
        fresh = []
        for outcome, alert in alerts:
            if alert["alert_id"] in self._raised:
                continue
            self._raised[alert["alert_id"]] = None
            if len(self._raised) > _RECENT_ALERTS:
                self._raised.popitem(last=False)
            fresh.append((outcome, alert))
        return fresh

    def progress_line(self) -> str:
        topics = sorted({topic for topic, _ in self.counts})
        parts = [
            f"{t}: {self.counts[(t, 'landed')]} landed, {self.counts[(t, 'rejected')]} rejected"
            for t in topics
        ]
        if self.registered:
            parts.append(f"registry: {self.registered} updates applied")
        return "; ".join(parts) or "waiting for events"


def _misses_references(outcomes: Sequence[Outcome]) -> bool:
    return any(
        o.rejection is not None and _REFERENCE_MISSES.intersection(o.rejection.reasons)
        for o in outcomes
    )


def message_from_faust(event: Any) -> Message:
    """Our Message from a Faust event (raw serializers: key and value stay bytes)."""
    m = event.message
    return Message(m.topic, m.partition, m.offset, m.key, m.value, int(m.timestamp * 1000))
