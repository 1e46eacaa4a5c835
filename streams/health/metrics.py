"""What a worker process knows about itself: counts, consumer lag, registry size and health.

``BatchCounts.record`` is the only call on the hot path, once per landed batch; it reads the
batch's rejections only. Everything else is sampled off the hot path (``streams.health.endpoint``)
or computed when a scraper asks.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from streams.contract.topics import DEADLETTER
from streams.health.exposition import Family
from streams.sink import BatchPlan

__all__ = [
    "OUTCOMES",
    "STALL_S",
    "BatchCounts",
    "Health",
    "WorkerMetrics",
    "python_heap_blocks",
    "resident_memory_bytes",
]

# ``antt_events_total``'s outcome label: the key BatchWorker counts it under. "accepted" rather
# than "landed": a duplicate is an accepted row, which `antt reconcile` counts apart from landed.
OUTCOMES: Final = {"accepted": "landed", "rejected": "rejected", "replayed": "replayed"}
# A topic with lag whose last landed batch is older than this is stalled. A batch waits at most
# Settings.reference_timeout_s (30 s) for the reference topics before the worker exits 75.
STALL_S: Final = 60.0
# Lag measured longer ago than this is not trusted for health (the sampler runs every few s).
LAG_STALE_S: Final = 30.0

HealthStatus = Literal["ok", "starting", "stalled", "stopping", "unknown"]


class BatchCounts:
    """Rejections by reason code and the time of the last landed batch, per source topic."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.reasons: Counter[tuple[str, str]] = Counter()
        self.landed_at: dict[str, float] = {}
        self._clock = clock

    def record(self, topic: str, plan: BatchPlan) -> None:
        """Count one landed batch: one pass over its rejected rows, nothing per accepted event."""
        for planned in plan.files:
            if planned.table == DEADLETTER.table:
                self.reasons.update((topic, code) for row in planned.rows
                                    for code in row["reason_codes"])  # fmt: skip
        self.landed_at[topic] = self._clock()


@dataclass(frozen=True, slots=True)
class Health:
    status: HealthStatus
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def resident_memory_bytes() -> int:
    """This process's resident set size, from /proc (Linux, as every deployment target)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def python_heap_blocks() -> int:
    """Blocks held in the interpreter's own allocator: one for nearly every live Python object.

    Large buffers (over 512 bytes) come from malloc and are not counted. Unlike resident memory
    it ignores what RocksDB, glibc's arenas and the Kafka client's buffers hold outside the
    Python heap, so a leak of Python objects shows through their noise.
    """
    return sys.getallocatedblocks()


class WorkerMetrics:
    """The worker's counts and samples, as Prometheus families and as a health verdict.

    ``counts`` is ``BatchWorker.counts`` itself, keyed (topic, outcome) with "alerts" among the
    outcomes, read when a scrape renders it. Lag covers the partitions assigned to this process,
    so the sum over the group's workers is the group's lag, each partition reported once.
    """

    def __init__(
        self,
        counts: Mapping[tuple[str, str], int],
        batches: BatchCounts,
        topics: Sequence[str],
        stopping: Callable[[], bool],
        started_at: float,
    ) -> None:
        self.counts = counts
        self.batches = batches
        self.topics = tuple(topics)
        self.started_at = started_at
        self.lag: dict[tuple[str, int], int] = {}
        self.lag_at: float | None = None
        self.lag_error: str | None = None
        self.registry_size: int | None = None
        self._stopping = stopping
        self._caught_up_at = dict.fromkeys(self.topics, started_at)

    def record_lag(self, lag: Mapping[tuple[str, int], int], now: float) -> None:
        """A new sample of the lag of every partition assigned to this process."""
        self.lag = dict(lag)
        self.lag_at = now
        self.lag_error = None
        for topic in self.topics:
            if not self.topic_lag(topic):
                self._caught_up_at[topic] = now

    def topic_lag(self, topic: str) -> int:
        return sum(n for (t, _), n in self.lag.items() if t == topic)

    def health(self, now: float) -> Health:
        """Up and landing: not stopping, lag measured lately, no topic lagging without landing."""
        if self._stopping():
            return Health("stopping", "the worker is shutting down")
        if self.lag_at is None:
            why = f": {self.lag_error}" if self.lag_error else ""
            return Health("starting", f"consumer lag not measured yet{why}")
        if now - self.lag_at > LAG_STALE_S:
            return Health(
                "unknown",
                f"consumer lag last measured {now - self.lag_at:.0f} s ago: {self.lag_error}",
            )
        stalled = [
            f"{topic} ({self.topic_lag(topic)} behind, nothing landed for {idle:.0f} s)"
            for topic in self.topics
            if self.topic_lag(topic)
            and (idle := now - max(self._caught_up_at[topic], self.batches.landed_at.get(topic, 0)))
            > STALL_S
        ]
        if stalled:
            return Health("stalled", "; ".join(stalled))
        return Health("ok", "up and landing")

    def families(self, now: float) -> list[Family]:
        """Every metric, zero-valued counters included, so each series exists from the start."""
        health = self.health(now)
        return [
            Family(
                "antt_events_total",
                "Source messages handled by this process, by outcome: accepted (landed as a row, "
                "a duplicate included), rejected (landed as rejected and sent to deadletter), "
                "replayed (skipped: landed before a restart).",
                "counter",
                tuple(
                    ({"topic": t, "outcome": label}, self.counts.get((t, key), 0))
                    for t in self.topics
                    for label, key in OUTCOMES.items()
                ),
            ),
            Family(
                "antt_rejections_total",
                "Rejected source messages by reason code (a message with two codes counts under "
                "each).",
                "counter",
                tuple(
                    ({"topic": t, "reason": r}, n)
                    for (t, r), n in sorted(self.batches.reasons.items())
                ),
            ),
            Family(
                "antt_alerts_total",
                "Watchlist alerts raised by this process, by source topic.",
                "counter",
                tuple(({"topic": t}, self.counts.get((t, "alerts"), 0)) for t in self.topics),
            ),
            Family(
                "antt_last_landed_batch_timestamp_seconds",
                "Unix time of the last batch this process landed, by source topic.",
                "gauge",
                tuple(({"topic": t}, at) for t, at in sorted(self.batches.landed_at.items())),
            ),
            Family(
                "antt_consumer_lag",
                "Messages not yet committed by the consumer group, for the partitions assigned "
                "to this process (end offset minus committed offset).",
                "gauge",
                tuple(
                    ({"topic": t, "partition": str(p)}, n) for (t, p), n in sorted(self.lag.items())
                ),
            ),
            Family(
                "antt_consumer_lag_measured_timestamp_seconds",
                "Unix time of the last successful lag measurement.",
                "gauge",
                (({}, self.lag_at),) if self.lag_at is not None else (),
            ),
            Family(
                "antt_registry_residents",
                "Residents in this process's copy of the population registry.",
                "gauge",
                (({}, self.registry_size),) if self.registry_size is not None else (),
            ),
            Family(
                "antt_healthy",
                "1 when /healthz answers 200 (up and landing), else 0.",
                "gauge",
                (({}, int(health.ok)),),
            ),
            Family(
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
                "gauge",
                (({}, resident_memory_bytes()),),
            ),
            Family(
                "process_python_heap_blocks",
                "Memory blocks allocated by the Python interpreter and not yet freed.",
                "gauge",
                (({}, python_heap_blocks()),),
            ),
            Family(
                "antt_worker_start_time_seconds",
                "Unix time this worker process started.",
                "gauge",
                (({}, self.started_at),),
            ),
        ]
