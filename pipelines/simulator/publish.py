"""Publishing to Kafka: the backfill as fast as the producer goes, then live events at a rate.

The report counts, per topic, what was produced and what the platform should make of it
(accepted, duplicates, rejected by reason), so the reconciliation can compare it with what
landed. It is written to ``<data_dir>/simulator/last_run.json``.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import orjson
from tqdm import tqdm

from antt.kafka import client_options
from antt.settings import Settings
from pipelines.simulator.config import ICT, SimulationConfig
from pipelines.simulator.generate import EVENT_TOPICS, Backfill, simulate
from pipelines.simulator.live import LiveSource
from pipelines.simulator.messages import SimMessage

__all__ = [
    "Producer",
    "SimulationReport",
    "TopicCounts",
    "count_messages",
    "publish",
    "report_path",
    "retention_warnings",
]

log = logging.getLogger(__name__)


class Producer(Protocol):
    """The part of kafka-python's ``KafkaProducer`` the simulator uses."""

    def send(
        self, topic: str, *, value: bytes, key: bytes | None, timestamp_ms: int
    ) -> Any: ...  # pragma: no cover

    def flush(self, timeout: float | None = None) -> None: ...  # pragma: no cover

    def close(self, timeout: float | None = None) -> None: ...  # pragma: no cover


@dataclass(frozen=True, slots=True)
class TopicCounts:
    """What one topic received and what the platform should make of it."""

    produced: int
    accepted: int
    duplicates: int
    rejected: Mapping[str, int]
    dirty: int

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


@dataclass(frozen=True, slots=True)
class SimulationReport:
    """One simulator run: its parameters, timings and per-topic expected outcomes."""

    seed: int
    province_code: int
    days: int
    end_at: str
    residents_per_ward: int
    # Exact residents and camera traffic of a province simulated at (a share of) real size.
    residents: int | None
    camera_traffic: float
    dirty_share: float
    started_at: str
    generation_s: float
    elapsed_s: float
    backfill_messages: int
    live_messages: int
    send_errors: int
    topics: Mapping[str, TopicCounts]
    dirty_kinds: Mapping[str, int]
    warnings: tuple[str, ...] = ()

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2)


class _Tally:
    def __init__(self) -> None:
        self.produced: Counter[str] = Counter()
        self.outcomes: dict[str, Counter[str]] = {}
        self.dirty: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()

    def add(self, message: SimMessage) -> None:
        self.produced[message.topic] += 1
        self.outcomes.setdefault(message.topic, Counter())[message.expected] += 1
        if message.dirty_kind is not None:
            self.dirty[message.topic] += 1
            self.kinds[message.dirty_kind] += 1

    def topics(self) -> dict[str, TopicCounts]:
        result: dict[str, TopicCounts] = {}
        for topic in sorted(self.produced):
            outcomes = self.outcomes[topic]
            rejected = {
                k: v for k, v in sorted(outcomes.items()) if k not in ("accept", "duplicate")
            }
            result[topic] = TopicCounts(
                produced=self.produced[topic],
                accepted=outcomes["accept"],
                duplicates=outcomes["duplicate"],
                rejected=rejected,
                dirty=self.dirty[topic],
            )
        return result


def count_messages(messages: Iterable[SimMessage]) -> dict[str, TopicCounts]:
    """Per-topic counts of produced messages and their expected outcomes."""
    tally = _Tally()
    for message in messages:
        tally.add(message)
    return tally.topics()


def report_path(settings: Settings) -> Path:
    """Where the last run's report is written."""
    return settings.data_dir / "simulator" / "last_run.json"


def _kafka_producer(settings: Settings) -> Producer:
    from kafka import KafkaProducer

    producer: Producer = KafkaProducer(
        **client_options(settings),
        client_id=f"{settings.app_id}-simulator",
        acks="all",
        linger_ms=20,
        batch_size=256 * 1024,
    )
    return producer


def retention_warnings(settings: Settings, config: SimulationConfig) -> list[str]:
    """Event topics whose time retention would delete the backfill soon after it is produced.

    The backfill's Kafka timestamps are event times, up to ``days`` old. Kafka rolls a segment
    once its timestamps span ``segment.ms`` and deletes a segment whose newest timestamp is older
    than ``retention.ms``: with the 7-day default, most of a 400-day history is gone within
    minutes (one measured run: 61% of camera.events gone after one minute, 97% after five).
    """
    from kafka import KafkaAdminClient
    from kafka.admin import ConfigResource, ConfigResourceType

    admin = KafkaAdminClient(**client_options(settings), client_id=f"{settings.app_id}-simulator")
    try:
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic) for topic in EVENT_TOPICS],
            config_filter="all",
        )
    finally:
        admin.close()
    span_ms = (config.days + 1) * 86_400_000
    warnings: list[str] = []
    for topic in EVENT_TOPICS:
        entry = described.get("topic", {}).get(topic, {}).get("retention.ms", {})
        value = entry.get("value") if isinstance(entry, dict) else None
        if value is not None and 0 <= int(value) < span_ms:
            warnings.append(
                f"{topic}: retention.ms={value} is shorter than the {config.days}-day backfill; "
                "Kafka will delete most of its history within minutes (set retention.ms=-1)"
            )
    return warnings


def publish(
    settings: Settings,
    config: SimulationConfig,
    *,
    live_seconds: float = 0,
    rate: float = 0,
    progress: bool = True,
    producer_factory: Callable[[Settings], Producer] = _kafka_producer,
) -> SimulationReport:
    """Produce the backfill of ``config``, then ``live_seconds`` of live events at ``rate``/s."""
    wall = datetime.now(ICT)
    if config.end_at > wall + timedelta(minutes=5):
        raise ValueError(
            f"end_at {config.end_at.isoformat()} is in the future; the platform "
            "would reject its history as future timestamps"
        )
    if config.future_anchor is None:
        # "Future" dirty records must be ahead of the clock of whoever consumes them.
        config = replace(config, future_anchor=wall)
    started = time.perf_counter()
    if progress:
        print(
            f"simulating {config.days} days of province {config.province_code} "
            f"(seed {config.seed})...",
            file=sys.stderr,
        )
    backfill = simulate(config, _say if progress else None)
    generation_s = time.perf_counter() - started

    warnings: list[str] = []
    if producer_factory is _kafka_producer:
        # Only a real broker has topic configs to check; a failed check must not stop a run.
        from kafka.errors import KafkaError

        try:
            warnings = retention_warnings(settings, config)
        except KafkaError as exc:
            log.warning("could not check the event topics' retention: %s", exc)
        for warning in warnings:
            log.warning(warning)

    tally = _Tally()
    errors: list[BaseException] = []
    producer = producer_factory(settings)
    live_count = 0
    try:
        with tqdm(
            total=len(backfill.messages),
            desc="backfill",
            unit="msg",
            file=sys.stderr,
            disable=not progress,
            mininterval=0.5,
        ) as bar:
            for message in backfill.messages:
                _send(producer, message, errors)
                tally.add(message)
                bar.update()
        if live_seconds > 0 and rate > 0:
            live_count = _live(producer, backfill, live_seconds, rate, progress, tally, errors)
        producer.flush()
    finally:
        producer.close()

    report = SimulationReport(
        seed=config.seed,
        province_code=config.province_code,
        days=config.days,
        end_at=config.end_at.isoformat(),
        residents_per_ward=config.residents_per_ward,
        residents=config.residents,
        camera_traffic=config.camera_traffic,
        dirty_share=config.dirty_share,
        started_at=wall.isoformat(timespec="seconds"),
        generation_s=round(generation_s, 3),
        elapsed_s=round(time.perf_counter() - started, 3),
        backfill_messages=len(backfill.messages),
        live_messages=live_count,
        send_errors=len(errors),
        topics=tally.topics(),
        dirty_kinds=dict(sorted(tally.kinds.items())),
        warnings=tuple(warnings),
    )
    path = report_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(report.to_json())
    return report


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _send(producer: Producer, message: SimMessage, errors: list[BaseException]) -> None:
    future = producer.send(
        message.topic, value=message.value, key=message.key, timestamp_ms=message.timestamp_ms
    )
    if hasattr(future, "add_errback"):
        future.add_errback(errors.append)


def _live(
    producer: Producer,
    backfill: Backfill,
    seconds: float,
    rate: float,
    progress: bool,
    tally: _Tally,
    errors: list[BaseException],
) -> int:
    """Live events on a fixed schedule (event i at start + i/rate), so the rate holds on average."""
    source = LiveSource(backfill, time.time())
    events = int(seconds * rate)
    sent = 0
    began = time.monotonic()
    with tqdm(
        total=events,
        desc="live",
        unit="evt",
        file=sys.stderr,
        disable=not progress,
        mininterval=0.5,
    ) as bar:
        for index in range(events):
            delay = began + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            for message in source.next_messages(time.time()):
                _send(producer, message, errors)
                tally.add(message)
                sent += 1
            bar.update()
    return sent
