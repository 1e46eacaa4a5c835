"""``antt bench throughput``: events per second, end to end, against Faust's own ceiling and a peer.

One run, on the project's own broker, with each backlog produced before any consumer is timed.
Every consumer reads the same backlog from its start in a consumer group of its own:

- camera events: a consume-and-decode aiokafka baseline (the transport Faust uses), a Faust agent
  that only counts (the worker's Faust and settings), once on Faust's transport as shipped and
  once on the worker's (``streams.transport``), the same camera job in Quix Streams (when
  ``make bench-env`` installed it), and ``antt worker`` until every event has landed and a reader
  of ``warehouse.connect()`` counts them all; then 2 and 3 worker processes (one consumer group,
  the topic's partitions shared between them), each on a landing zone of its own;
- population registrations: the baselines, then the worker until the registry holds every one
  (its changelog topic has a write per update) and every row is visible, with 1 to 3 worker
  processes as for camera events (each process keeps the whole registry: a global table);
- lodging check-ins of those residents (each guest looked up in the registry): the baselines,
  then the worker.

It prints each rate and the ratios the targets are stated in as Markdown tables and saves them as
JSON in ``<data-dir>/bench-throughput.json``. Rates depend on the machine and on what else runs
there: the report records the load average before and after.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaConsumer, TopicPartition

from antt.kafka import client_options
from antt.settings import Settings
from pipelines.bench import backlog
from pipelines.bench.consumers import (
    REPOSITORY,
    aiokafka_baseline,
    bench_folder,
    faust_count,
    quix_camera,
    quix_python,
)
from pipelines.bench.report import Run, ThroughputReport, Timing
from pipelines.demo import fresh_platform
from pipelines.topics import topic_offsets
from pipelines.worker_process import WorkerProcess
from warehouse.landing.zone import LandingZone, OwnTable

__all__ = ["Sizes", "add_arguments", "measure", "run"]

Progress = Callable[[str], None]
_POLL_S = 0.25
_PROGRESS_EVERY_S = 5.0
_WORKER_TIMEOUT_S = 3600


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big each backlog is, and the worker process counts to compare on camera events and on
    population updates into the registry."""

    camera_events: int
    residents: int
    checkins: int
    processes: tuple[int, ...] = (1, 2, 3)

    def __post_init__(self) -> None:
        if min(self.camera_events, self.residents, self.checkins) < 1:
            raise ValueError("every backlog needs at least one event")
        if self.residents > 1_000_000:
            raise ValueError(
                "at most 1,000,000 residents (their ID numbers have six-digit serials)"
            )
        if 1 not in self.processes:
            raise ValueError(
                "the process counts must include 1, what the others are measured against"
            )


@dataclass(frozen=True, slots=True)
class _Workload:
    name: str
    topic: str
    table: str


_CAMERA = _Workload("camera", "camera.events", "camera_events")
_POPULATION = _Workload("population", "population.updates", "population_updates")
_LODGING = _Workload("lodging", "lodging.checkins", "lodging_checkins")


def _say(line: str) -> None:
    print(line, flush=True)


def measure(
    settings: Settings, sizes: Sizes, quix: Path | None, progress: Progress = _say
) -> ThroughputReport:
    """Produce each backlog, then time every consumer over it (on empty topics)."""
    loads, code = [os.getloadavg()], _code()
    runs: list[Run] = []
    # The extra worker groups' landing zones and the peers' output from an earlier run.
    shutil.rmtree(bench_folder(settings), ignore_errors=True)
    now = datetime.now(UTC)
    for topic, records in backlog.references().items():
        backlog.produce(settings, topic, iter(records))

    camera = _produce(settings, _CAMERA, backlog.camera_events(sizes.camera_events, now), progress)
    runs += _baselines(settings, _CAMERA, camera, progress)
    runs.append(_quix(settings, camera, quix, progress))
    for processes in sorted(sizes.processes, reverse=True):
        # One process last: its group and landing zone are the ones the later workloads reuse.
        on = settings if processes == 1 else _own_folder(settings, processes)
        runs += _worker(on, _CAMERA, camera, processes, progress)

    residents = backlog.residents(sizes.residents, now)
    population = _produce(settings, _POPULATION, residents, progress)
    runs += _baselines(settings, _POPULATION, population, progress)
    for processes in sorted(sizes.processes, reverse=True):
        # One process last again: the lodging workload looks guests up in its registry.
        on = settings if processes == 1 else _own_folder(settings, processes)
        runs += _worker(on, _POPULATION, population, processes, progress)

    checkins = backlog.checkins(sizes.checkins, sizes.residents, now)
    lodging = _produce(settings, _LODGING, checkins, progress)
    runs += _baselines(settings, _LODGING, lodging, progress)
    runs += _worker(settings, _LODGING, lodging, 1, progress)
    loads.append(os.getloadavg())
    return ThroughputReport(tuple(runs), _context(settings, sizes, code, loads))


def _produce(settings: Settings, workload: _Workload, records: Any, progress: Progress) -> int:
    progress(f"▶ produce the {workload.name} backlog to {workload.topic} …")
    started = time.monotonic()
    produced = backlog.produce(
        settings, workload.topic, records, lambda n: progress(f"  {n:,} produced")
    )
    progress(f"✔ {produced.events:,} events in {time.monotonic() - started:.1f} s")
    return produced.events


def _timed(progress: Progress, label: str, events: int, timing: Timing) -> Timing:
    rate = events / (timing.done - timing.started)
    progress(
        f"  {label}: {events:,} events in {timing.done - timing.started:.1f} s ({rate:,.0f}/s)"
    )
    return timing


def _baselines(
    settings: Settings, workload: _Workload, events: int, progress: Progress
) -> list[Run]:
    progress(f"▶ {workload.name}: consume-only baselines …")
    aiokafka = aiokafka_baseline(settings, workload.topic, events)
    _timed(progress, "aiokafka", events, aiokafka)
    counted = faust_count(settings, workload.topic, events)
    _timed(progress, "count-only Faust", events, counted)
    counted_as_worker = faust_count(settings, workload.topic, events, "worker")
    _timed(progress, "count-only Faust, the worker's transport", events, counted_as_worker)
    return [
        Run(workload.name, "aiokafka", events, aiokafka,
            note="consume and orjson.loads each value, in the benchmark's process"),
        Run(workload.name, "faust-count", events, counted,
            note="a Faust agent that counts (take_events), own process"),
        Run(workload.name, "faust-count-worker", events, counted_as_worker,
            note="the same agent reading with the worker's transport (streams.transport)"),
    ]  # fmt: skip


def _quix(settings: Settings, events: int, python: Path | None, progress: Progress) -> Run:
    if python is None:
        progress("  Quix Streams: not installed (make bench-env)")
        return Run("camera", "quix", events, status="not installed", note="make bench-env")
    progress("▶ camera: the Quix Streams job …")
    timing, rows = quix_camera(settings, python, events)
    if rows != events:
        raise RuntimeError(f"the Quix Streams job sank {rows:,} rows of {events:,}")
    return Run("camera", "quix", events, _timed(progress, "Quix Streams", events, timing),
               note="parse, plate, ward, Parquet sink; own process")  # fmt: skip


def _own_folder(settings: Settings, processes: int) -> Settings:
    """Settings for a worker group of its own that lands in a folder of its own."""
    return settings.model_copy(
        update={
            "data_dir": bench_folder(settings) / f"workers-{processes}",
            "app_id": f"{settings.app_id}-x{processes}",
        }
    )


class _ChangelogWrites:
    """How many writes the registry's changelog topic holds (one per registered resident)."""

    def __init__(self, settings: Settings) -> None:
        self.topic = f"{settings.app_id}-population_registry-changelog"
        self._consumer = KafkaConsumer(**client_options(settings))
        self._partitions: list[TopicPartition] = []

    def __call__(self) -> int:
        if not self._partitions:
            found = self._consumer.partitions_for_topic(self.topic)
            if not found:
                return 0
            self._partitions = [TopicPartition(self.topic, p) for p in sorted(found)]
        ends: dict[TopicPartition, int] = self._consumer.end_offsets(self._partitions)
        return sum(ends.values())

    def close(self) -> None:
        self._consumer.close()


class _Progress:
    """First and last time a count moved, for the steady rate."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.first: tuple[float, int] | None = None
        self.last: float | None = None
        self.count = 0

    def update(self, count: int, now: float) -> None:
        self.count = count
        if count and self.first is None:
            self.first = (now, count)
        if count >= self.target and self.last is None:
            self.last = now

    def timing(self, started: float, done: float) -> Timing:
        assert self.first is not None and self.last is not None
        return Timing(started, self.first[0], self.first[1], done, last=self.last)


def _landed(zone: LandingZone, table: str, partitions: list[int]) -> int:
    # Topics start at offset 0 and every event is valid: a partition landed through offset n has
    # n + 1 rows. The file names say so without opening any file.
    return sum(zone.landed_through(table, OwnTable, p) + 1 for p in partitions)


def _visible(settings: Settings, table: str) -> int:
    """Rows a reader of the warehouse counts, connecting the way an analyst does."""
    import warehouse

    con = warehouse.connect(settings)
    try:
        row = con.execute(f"SELECT count(*) FROM stg_{table}").fetchone()
    finally:
        con.close()
    return 0 if row is None else int(row[0])


def _worker(
    settings: Settings, workload: _Workload, events: int, processes: int, progress: Progress
) -> list[Run]:
    """``antt worker`` × ``processes`` until every event of the backlog is visible to a reader."""
    label = "worker" if processes == 1 else f"worker x{processes}"
    progress(f"▶ {workload.name}: {label} …")
    zone = LandingZone(settings.landing_dir)
    partitions = sorted(topic_offsets(settings, [workload.topic])[workload.topic])
    landing = _Progress(events)
    registry = _Progress(events) if workload is _POPULATION else None
    changelog = _ChangelogWrites(settings) if registry is not None else None
    names = ["worker"] if processes == 1 else [f"worker-{i + 1}" for i in range(processes)]
    workers = [WorkerProcess(settings, name) for name in names]
    started = time.monotonic()
    try:
        for worker in workers:
            worker.start()
        reported = started
        while landing.last is None or (registry is not None and registry.last is None):
            now = time.monotonic()
            landing.update(_landed(zone, workload.table, partitions), now)
            if registry is not None and changelog is not None:
                registry.update(changelog(), now)
            if now - reported >= _PROGRESS_EVERY_S:
                reported = now
                applied = f", {registry.count:,} in the registry" if registry else ""
                progress(f"  landed {landing.count:,} of {events:,}{applied}")
            dead = [w for w in workers if not w.alive()]
            if dead:
                raise RuntimeError(f"a worker exited early; see {dead[0].log_path}")
            if now - started > _WORKER_TIMEOUT_S:
                raise TimeoutError(f"the worker did not land {events:,} events in time")
            time.sleep(_POLL_S)
        # Files are renamed into place whole: a reader connecting now sees every landed row.
        seen = _visible(settings, workload.table)
        visible = time.monotonic()
        if seen != events:
            raise RuntimeError(
                f"a reader counts {seen:,} rows in stg_{workload.table}, not {events:,} "
                f"(rejections are in stg_rejected under {settings.landing_dir})"
            )
        peak_mib = max(worker.peak_memory_mib() for worker in workers)
    finally:
        for worker in workers:
            worker.stop()
        if changelog is not None:
            changelog.close()
    timing = landing.timing(started, visible)
    note = (
        f"first rows landed after {timing.first - started:.1f} s; all visible to a reader "
        f"{visible - timing.last_output:.1f} s after the last landed; peak resident memory "
        f"{peak_mib:,.0f} MiB{' (the largest process)' if processes > 1 else ''}"
    )
    runs = [Run(workload.name, label, events, _timed(progress, label, events, timing), note=note)]
    if registry is not None:
        registry_label = label.replace("worker", "registry")
        done = registry.timing(started, registry.last or visible)
        runs.append(Run(workload.name, registry_label, events,
                        _timed(progress, registry_label, events, done),
                        note="until the registry's changelog holds every update"))  # fmt: skip
    if workload is _LODGING:
        _check_lookups(settings, events)
    return runs


def _check_lookups(settings: Settings, events: int) -> None:
    """Every guest is a registered resident: a check-in without a home ward missed the registry."""
    import warehouse

    con = warehouse.connect(settings)
    try:
        row = con.execute("SELECT count(guest_home_ward_code) FROM stg_lodging_checkins").fetchone()
    finally:
        con.close()
    placed = 0 if row is None else int(row[0])
    if placed != events:
        raise RuntimeError(f"only {placed:,} of {events:,} guests were found in the registry")


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(REPOSITORY), *args], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _code() -> dict[str, Any]:
    """The code under test: workers import the working tree when they start, edits included."""
    changed = _git("status", "--porcelain", "--untracked-files=no")
    uncommitted = None if changed == "unknown" else len(changed.splitlines())
    return {"commit": _git("rev-parse", "--short", "HEAD"), "uncommitted_files": uncommitted}


def _context(
    settings: Settings, sizes: Sizes, code: dict[str, Any], loads: list[tuple[float, float, float]]
) -> dict[str, Any]:
    with open("/proc/meminfo") as meminfo:
        memory_kib = int(meminfo.readline().split()[1])
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join(["antt", *sys.argv[1:]]),
        **code,
        "machine": f"{os.cpu_count()} cores, {memory_kib / 2**20:.0f} GiB, {platform.machine()}",
        "load_average_before": loads[0],
        "load_average_after": loads[-1],
        "sizes": {"camera_events": sizes.camera_events, "residents": sizes.residents,
                  "checkins": sizes.checkins, "processes": list(sizes.processes)},
        "partitions": settings.partitions,
        "batch_max": settings.batch_max,
        "batch_within_s": settings.batch_within_s,
        "versions": {n: version(n) for n in ("faust-streaming", "aiokafka", "kafka-python")},
    }  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--camera-events", type=int, default=200_000, help="camera backlog")
    parser.add_argument("--residents", type=int, default=100_000, help="population backlog")
    parser.add_argument("--checkins", type=int, default=50_000, help="lodging backlog")
    parser.add_argument(
        "--processes",
        default="1,2,3",
        help="worker process counts to compare on camera events and the registry (default 1,2,3)",
    )
    parser.add_argument(
        "--partitions", type=int, default=6, help="partitions of every topic (default 6)"
    )
    parser.add_argument(
        "--quix-python",
        type=Path,
        help="the Python of the Quix Streams environment (default .venv-bench/bin/python)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.broker import Broker

    try:
        processes = tuple(int(n) for n in args.processes.split(","))
        sizes = Sizes(args.camera_events, args.residents, args.checkins, processes)
    except ValueError as exc:
        raise RuntimeError(f"invalid sizes: {exc}") from None
    settings = settings.model_copy(update={"partitions": args.partitions})
    # Narrated retries, not failures: a new topic's leaders and a fresh broker's group coordinator
    # take a moment to appear. A send that fails for good raises in backlog.produce.
    logging.getLogger("kafka.producer.sender").setLevel(logging.ERROR)
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    broker = Broker(settings)
    try:
        fresh_platform(settings, broker)
        report = measure(settings, sizes, quix_python(args.quix_python))
    finally:
        broker.stop()
    out = settings.data_dir / "bench-throughput.json"
    out.write_bytes(orjson.dumps(report.as_json(), option=orjson.OPT_INDENT_2))
    print()
    print(report.table())
    print(f"\ndetails in {out}")
    return 0
