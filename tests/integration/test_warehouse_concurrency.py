"""Readers and a writer at once: nobody locks anybody, every query is a snapshot, data is fresh.

A writer process lands a camera_events file and an incident_reports file every 0.2 s through
``LandingZone.write``; three reader processes each open ``warehouse.connect()`` once and query
continuously. Halfway through, the writer is killed (SIGKILL, as a crashed worker) and a new one
resumes after the highest landed offsets, while the readers keep their connections open. No broker
is needed: the landing zone is the only thing the processes share.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

ROWS_PER_FILE = 4  # camera events per landed file
PARTITIONS = 3
TICK_S = 0.2
READERS = 3
# A breath between queries, so that on a small machine the readers do not starve the writer.
READER_PAUSE_S = 0.02
FIRST_WRITER_S = 6.0
SECOND_WRITER_S = 8.0
WARDS = ("31135", "31120")  # Cần Thơ, the default province


def _writer(root: str, load_id: str, run_s: float, log_path: str) -> None:
    """Land files until ``run_s`` is over, resuming after whatever is already landed."""
    from warehouse.landing.zone import LandingZone, OwnTable

    zone = LandingZone(Path(root))
    # A restarted worker resumes after the highest landed offset of each partition.
    next_file = {
        p: (zone.landed_through("camera_events", OwnTable, p) + 1) // ROWS_PER_FILE
        for p in range(PARTITIONS)
    }
    next_report = {
        p: zone.landed_through("incident_reports", OwnTable, p) + 1 for p in range(PARTITIONS)
    }
    stop_at = time.time() + run_s
    tick = 0
    with open(log_path, "a", encoding="utf-8") as log:
        while time.time() < stop_at:
            partition = tick % PARTITIONS
            number = next_file[partition]
            seq = number * PARTITIONS + partition  # the file's number across partitions
            first = number * ROWS_PER_FILE
            now = datetime.now(UTC)
            lineage = {"source_partition": partition, "load_id": load_id, "landed_at": now}
            events = [
                {
                    "event_id": f"ev-{seq}-{i}",
                    "camera_id": f"CAM-{seq:06d}",
                    "observed_at": now,
                    "kind": "vehicle",
                    "confidence": 0.25,
                    "ward_code": WARDS[0],
                    "source_topic": "camera.events",
                    "source_offset": first + i,
                    **lineage,
                }
                for i in range(ROWS_PER_FILE)
            ]
            zone.write(
                "camera_events", OwnTable, partition, first, first + ROWS_PER_FILE - 1, events
            )
            # Logged after the rename: from this instant every new query must see the file.
            log.write(f"{seq} {time.time()!r}\n")
            log.flush()
            offset = next_report[partition]
            report = {
                "report_id": f"INC-{load_id}-{tick}",
                "updated_at": now,
                "received_at": now,
                "occurred_at": now,
                "ward_code": WARDS[tick % 2],
                "category": "social_order_crime",
                "channel": "hotline",
                "status": "received",
                "deaths": 0,
                "injuries": 0,
                "is_mass_petition": False,
                "source_topic": "incident.reports",
                "source_offset": offset,
                **lineage,
            }
            zone.write("incident_reports", OwnTable, partition, offset, offset, [report])
            next_file[partition] = number + 1
            next_report[partition] = offset + 1
            tick += 1
            time.sleep(TICK_S)


@dataclass
class ReaderReport:
    """What one reader saw; queries are (started, finished, file numbers seen)."""

    queries: list[tuple[float, float, frozenset[int]]] = field(default_factory=list)
    compstat_queries: int = 0
    compstat_seconds: list[float] = field(default_factory=list)
    load_ids: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def _reader(root: str, ready: Event, stop: Event, results: Queue[ReaderReport]) -> None:
    """Query the warehouse until told to stop, checking every result for a consistent snapshot."""
    import warehouse

    report = ReaderReport()
    con = warehouse.connect(landing_dir=Path(root))
    ready.set()
    previous = 0
    loop = 0
    while not stop.is_set():
        loop += 1
        try:
            started = time.time()
            rows = con.execute(
                "SELECT count(*), sum(confidence), list(DISTINCT camera_id), list(DISTINCT load_id)"
                " FROM stg_camera_events"
            ).fetchall()
            finished = time.time()
            count, total, cameras, loads = rows[0]
            cameras = cameras or []
            # One query, one snapshot: whole files only, and the sum follows from the count.
            if count != ROWS_PER_FILE * len(cameras) or (total or 0) != 0.25 * count:
                report.violations.append(f"torn: {count} rows, {len(cameras)} files, sum {total}")
            if count < previous:
                report.violations.append(f"count went back from {previous} to {count}")
            previous = count
            report.load_ids.update(loads or [])
            seen = frozenset(int(camera.removeprefix("CAM-")) for camera in cameras)
            report.queries.append((started, finished, seen))
            if loop % 3 == 0:
                started = time.time()
                compstat = warehouse.indicator("ind_incident_compstat", con=con)
                report.compstat_seconds.append(time.time() - started)
                report.compstat_queries += 1
                _check_compstat(compstat, report)
        except Exception as error:  # every error is a failure of the design; keep them all
            report.errors.append(repr(error))
        time.sleep(READER_PAUSE_S)
    con.close()
    results.put(report)


def _check_compstat(compstat: Any, report: ReaderReport) -> None:
    """Ward rows and the province row come from one scan, so they must add up."""
    import polars as pl

    crimes = compstat.filter(pl.col("category") == "social_order_crime")
    wards = (
        crimes.filter(pl.col("ward_code").is_not_null()).group_by("period").agg(pl.sum("current"))
    )
    province = crimes.filter(pl.col("ward_code").is_null()).select("period", "current")
    joined = wards.join(province, on="period", suffix="_province")
    if joined.height != 3 or (joined["current"] != joined["current_province"]).any():
        report.violations.append(f"compstat wards != province: {joined.rows()}")
    by_period = dict(province.rows())
    if by_period["wtd"] > by_period["d28"]:
        report.violations.append(f"compstat wtd above d28: {by_period}")


def _written(log_path: Path) -> dict[int, float]:
    """File number -> when its rename finished; a line cut short by the kill is skipped."""
    written: dict[int, float] = {}
    for line in log_path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            written[int(parts[0])] = float(parts[1])
    return written


def _wait_for_first_file(log_path: Path, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not (log_path.exists() and log_path.stat().st_size):
        assert time.monotonic() < deadline, "the writer landed nothing"
        time.sleep(0.05)


def test_readers_never_block_and_see_fresh_consistent_data(tmp_path: Path) -> None:
    from warehouse.landing.zone import LandingZone

    root = tmp_path / "landing"
    LandingZone(root).ensure()
    log_path = tmp_path / "written.log"
    # Fresh processes (no fork of a parent that may run DuckDB threads), started from one server
    # that imported the warehouse once, instead of five processes importing it side by side.
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["warehouse.api", "warehouse.landing.zone", "vietnam_provinces"])
    results: Queue[ReaderReport] = ctx.Queue()
    stop = ctx.Event()
    readies = [ctx.Event() for _ in range(READERS)]
    readers = [
        ctx.Process(target=_reader, args=(str(root), ready, stop, results)) for ready in readies
    ]
    first = ctx.Process(target=_writer, args=(str(root), "writer-1", 60.0, str(log_path)))
    began = time.monotonic()
    for process in (*readers, first):
        process.start()
    for ready in readies:
        assert ready.wait(60), "a reader could not connect"
    connected_s = time.monotonic() - began
    _wait_for_first_file(log_path)
    time.sleep(FIRST_WRITER_S)  # the readers hold their connections across what follows
    first.kill()  # a crashed worker: no cleanup, maybe mid-write
    first.join()
    killed_at = time.time()
    # What a kill during a write leaves behind: a temporary file the readers must never read.
    torn = root / "camera_events" / "_" / "p0000" / ".00000000000000000000-x.parquet.dead.tmp"
    torn.write_bytes(b"PAR1 torn write")
    second = ctx.Process(
        target=_writer, args=(str(root), "writer-2", SECOND_WRITER_S, str(log_path))
    )
    second.start()
    second.join()
    time.sleep(2.0)  # the readers' last queries see the last files
    stop.set()
    reports = [results.get(timeout=60) for _ in readers]
    for reader in readers:
        reader.join(30)
    elapsed = time.monotonic() - began

    written = _written(log_path)
    assert len(written) > 10
    for number, report in enumerate(reports):
        assert report.errors == [], report.errors[:5]
        assert report.violations == [], report.violations[:5]
        assert {"writer-1", "writer-2"} <= report.load_ids
        assert report.compstat_queries > 0
        # The reader kept its one connection across the kill and saw the second writer's files.
        after_restart = [q for q in report.queries if q[0] > killed_at]
        assert after_restart, f"reader {number} made no query after the restart"
        assert set(written) <= report.queries[-1][2]

    lags: list[float] = []
    for seq, at in written.items():
        for report in reports:
            # "Visible at the next query": every query that started after the rename saw it.
            missed = [q for q in report.queries if q[0] > at + 0.01 and seq not in q[2]]
            assert not missed, f"file {seq} renamed at {at} missed by a query at {missed[0][0]}"
            if at > report.queries[0][0]:  # landed while this reader was already querying
                seen = min(q[1] for q in report.queries if seq in q[2])
                lags.append(seen - at)
    assert max(lags) < 10.0

    durations = [q[1] - q[0] for r in reports for q in r.queries]
    rates = [len(r.queries) / (r.queries[-1][1] - r.queries[0][0]) for r in reports]
    compstat = [s for r in reports for s in r.compstat_seconds]
    print(
        f"\nwarehouse concurrency: {elapsed:.1f} s (readers connected in {connected_s:.1f} s), "
        f"{len(written)} files landed by 2 writers, "
        f"{READERS} readers; freshness lag p50 {statistics.median(lags):.3f} s, "
        f"p95 {statistics.quantiles(lags, n=20)[-1]:.3f} s, max {max(lags):.3f} s; "
        f"staging query p50 {statistics.median(durations) * 1000:.0f} ms, "
        f"{min(rates):.1f}-{max(rates):.1f} queries/s per reader (with compstat every 3rd); "
        f"compstat p50 {statistics.median(compstat) * 1000:.0f} ms, "
        f"{sum(r.compstat_queries for r in reports)} compstat queries"
    )
