"""The worker's metrics without a broker: the exposition format, the counting, health, status."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from antt.settings import Settings
from pipelines.status import Snapshot, format_status, run
from streams.contexts import ContextFactory
from streams.contract.topics import source_topic
from streams.health.address import (
    Endpoint,
    running_endpoints,
    starting_workers,
    write_endpoint,
)
from streams.health.exposition import Family, parse, render
from streams.health.metrics import LAG_STALE_S, STALL_S, BatchCounts, WorkerMetrics
from streams.processing import Message
from streams.reference.store import ReferenceStore
from streams.sink import BatchPlan, PlannedFile
from streams.worker import BatchWorker
from tests import factories as f

TOPICS = ("camera.events", "population.updates")
T0 = 1_800_000_000.0


def test_render_writes_help_type_and_escaped_labels() -> None:
    families = [
        Family(
            "antt_things_total",
            "Things, by kind.\nA second line with a \\ backslash.",
            "counter",
            (
                ({"kind": 'say "hi"'}, 3),
                ({"kind": "back\\slash\nnewline"}, 2.5),
            ),
        ),
        Family("antt_size", "A gauge without labels.", "gauge", (({}, 12.0),)),
        Family(
            "antt_odd",
            "Special values.",
            "gauge",
            (
                ({"v": "nan"}, float("nan")),
                ({"v": "inf"}, float("inf")),
                ({"v": "-inf"}, float("-inf")),
                ({"v": "big"}, 1795458802.986898),
            ),
        ),
    ]
    assert render(families) == (
        "# HELP antt_things_total Things, by kind.\\nA second line with a \\\\ backslash.\n"
        "# TYPE antt_things_total counter\n"
        'antt_things_total{kind="say \\"hi\\""} 3\n'
        'antt_things_total{kind="back\\\\slash\\nnewline"} 2.5\n'
        "# HELP antt_size A gauge without labels.\n"
        "# TYPE antt_size gauge\n"
        "antt_size 12\n"
        "# HELP antt_odd Special values.\n"
        "# TYPE antt_odd gauge\n"
        'antt_odd{v="nan"} NaN\n'
        'antt_odd{v="inf"} +Inf\n'
        'antt_odd{v="-inf"} -Inf\n'
        'antt_odd{v="big"} 1795458802.986898\n'
    )


def test_parse_reads_back_what_render_wrote() -> None:
    nasty = 'a"b\\c\nd,e}f={g'
    text = render(
        [
            Family("antt_a_total", "A.", "counter", (({"x": nasty, "y": ""}, 7),)),
            Family("antt_b", "B.", "gauge", (({}, 0.25),)),
        ]
    )
    assert parse(text) == {"antt_a_total": [({"x": nasty, "y": ""}, 7.0)], "antt_b": [({}, 0.25)]}
    # Timestamps after the value, blank lines and comments are allowed by the format.
    assert parse('\n# a comment\nm{a="1"} 2 1700000000000\n') == {"m": [({"a": "1"}, 2.0)]}


def test_parse_names_the_line_it_cannot_read() -> None:
    with pytest.raises(ValueError, match=r"line 2 is not a Prometheus sample: 'm\{a=1\} 2'"):
        parse("ok 1\nm{a=1} 2\n")


@pytest.mark.parametrize(
    ("name", "labels", "wrong"),
    [("antt-bad", {}, "metric name"), ("ok", {"bad-label": "x"}, "label names"),
     ("ok", {"__reserved": "x"}, "label names"), ("9lives", {}, "metric name")],
)  # fmt: skip
def test_a_family_refuses_names_prometheus_would_reject(
    name: str, labels: dict[str, str], wrong: str
) -> None:
    with pytest.raises(ValueError, match=wrong):
        Family(name, "help", "gauge", ((labels, 1),))


class _Ready:
    async def caught_up(self) -> None:
        return None


async def _no_holes(topic: str, partition: int, offsets: object) -> list[int]:
    raise AssertionError("a whole batch asks the broker nothing")


async def _discard(topic: str, records: object) -> None:
    return None


def _population_batch() -> list[Message]:
    messages = [
        f.message("population.updates", f.population(f"pop-{i}"), offset=i) for i in range(4)
    ]
    messages += [
        f.message("population.updates", b"{", key=b"x", offset=4),
        f.message("population.updates", b"[1]", key=b"x", offset=5),
        f.message("population.updates", f.population("pop-6", ward_code="99999"), offset=6),
        f.message("population.updates", f.population("pop-7", ward_code="99999"), offset=7),
        f.message("population.updates", b"\xff", key=b"x", offset=8),
    ]
    return messages


def test_the_worker_counts_each_batch_by_outcome_and_reason(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, demo_mode=True)
    worker = BatchWorker(
        settings, _discard, ContextFactory(settings, ReferenceStore(), {}), _Ready(), _no_holes
    )
    worker.batch_counts = BatchCounts(clock=lambda: T0 + 10)
    spec = source_topic("population.updates")
    batch = _population_batch()
    asyncio.run(worker.handle(spec, batch))
    asyncio.run(worker.handle(spec, batch))  # replayed: skipped, counted, nothing landed again

    assert worker.counts == Counter(
        {
            ("population.updates", "landed"): 4,
            ("population.updates", "rejected"): 5,
            ("population.updates", "replayed"): 9,
        }
    )
    assert worker.batch_counts.reasons == Counter(
        {
            ("population.updates", "malformed_json"): 2,
            ("population.updates", "not_an_object"): 1,
            ("population.updates", "unknown_ward"): 2,
        }
    )
    assert worker.batch_counts.landed_at == {"population.updates": T0 + 10}

    metrics = WorkerMetrics(worker.counts, worker.batch_counts, TOPICS, lambda: False, T0)
    samples = parse(render(metrics.families(T0 + 30)))
    assert samples["antt_events_total"] == [
        ({"topic": "camera.events", "outcome": "accepted"}, 0.0),
        ({"topic": "camera.events", "outcome": "rejected"}, 0.0),
        ({"topic": "camera.events", "outcome": "replayed"}, 0.0),
        ({"topic": "population.updates", "outcome": "accepted"}, 4.0),
        ({"topic": "population.updates", "outcome": "rejected"}, 5.0),
        ({"topic": "population.updates", "outcome": "replayed"}, 9.0),
    ]
    assert samples["antt_rejections_total"] == [
        ({"topic": "population.updates", "reason": "malformed_json"}, 2.0),
        ({"topic": "population.updates", "reason": "not_an_object"}, 1.0),
        ({"topic": "population.updates", "reason": "unknown_ward"}, 2.0),
    ]
    assert samples["antt_last_landed_batch_timestamp_seconds"] == [
        ({"topic": "population.updates"}, T0 + 10)
    ]
    assert samples["process_resident_memory_bytes"][0][1] > 10 * 2**20


def test_a_rejection_with_two_reasons_counts_under_each() -> None:
    # Today every rejection carries one code; the dead-letter contract allows several.
    row = {"reason_codes": ["invalid_id_number", "unknown_ward"]}
    plan = BatchPlan(
        files=(
            PlannedFile("rejected", "population_updates", 0, 0, 1, (row, row)),
            PlannedFile("population_updates", "_", 0, 0, 1, ()),
        )
    )
    batches = BatchCounts(clock=lambda: T0)
    batches.record("population.updates", plan)
    assert batches.reasons == Counter(
        {("population.updates", "invalid_id_number"): 2, ("population.updates", "unknown_ward"): 2}
    )
    assert batches.landed_at == {"population.updates": T0}


def test_the_python_heap_gauge_counts_objects_held_and_forgets_them_once_freed() -> None:
    # What the soak test relies on to tell a leak from noise: objects kept alive show, one block
    # each, and the gauge falls back once they are freed.
    metrics, _ = _metrics()

    def blocks() -> float:
        return parse(render(metrics.families(T0)))["process_python_heap_blocks"][0][1]

    before = blocks()
    held = [object() for _ in range(100_000)]
    assert blocks() - before >= len(held)
    del held
    assert blocks() - before < 10_000


def _metrics(stopping: bool = False) -> tuple[WorkerMetrics, BatchCounts]:
    batches = BatchCounts()
    return WorkerMetrics(Counter(), batches, TOPICS, lambda: stopping, T0), batches


def test_health_says_starting_until_lag_is_measured_then_ok() -> None:
    metrics, _ = _metrics()
    assert (metrics.health(T0 + 1).status, metrics.health(T0 + 1).ok) == ("starting", False)
    metrics.record_lag({("camera.events", 0): 0, ("camera.events", 1): 0}, T0 + 2)
    assert (metrics.health(T0 + 3).status, metrics.health(T0 + 3).ok) == ("ok", True)


def test_a_topic_lagging_with_nothing_landed_for_a_minute_is_stalled() -> None:
    metrics, batches = _metrics()
    metrics.record_lag({("camera.events", 0): 0, ("camera.events", 1): 0}, T0 + 5)
    # Behind since the last sample that saw it caught up (T0 + 5), landing meanwhile: healthy.
    batches.landed_at["camera.events"] = T0 + 50
    metrics.record_lag({("camera.events", 0): 7, ("camera.events", 1): 5}, T0 + 100)
    assert metrics.health(T0 + 100).status == "ok"
    assert metrics.topic_lag("camera.events") == 12
    # Nothing landed for longer than STALL_S while 12 messages wait.
    metrics.record_lag({("camera.events", 0): 7, ("camera.events", 1): 5}, T0 + 50 + STALL_S + 1)
    health = metrics.health(T0 + 50 + STALL_S + 1)
    assert (health.status, health.ok) == ("stalled", False)
    assert health.detail == "camera.events (12 behind, nothing landed for 61 s)"
    # A batch lands: healthy again.
    batches.landed_at["camera.events"] = T0 + 50 + STALL_S + 2
    assert metrics.health(T0 + 50 + STALL_S + 3).status == "ok"


def test_health_is_unknown_when_lag_was_not_measured_lately_and_down_when_stopping() -> None:
    metrics, _ = _metrics()
    metrics.record_lag({}, T0)
    metrics.lag_error = "KafkaTimeoutError: no broker"
    health = metrics.health(T0 + LAG_STALE_S + 1)
    assert (health.status, health.ok) == ("unknown", False)
    assert health.detail == "consumer lag last measured 31 s ago: KafkaTimeoutError: no broker"
    stopping, _ = _metrics(stopping=True)
    stopping.record_lag({}, T0)
    assert stopping.health(T0).status == "stopping"
    assert parse(render(stopping.families(T0)))["antt_healthy"] == [({}, 0.0)]


def _snapshot(metrics: WorkerMetrics, at: float) -> Snapshot:
    health = metrics.health(at)
    return Snapshot(at, parse(render(metrics.families(at))), health.ok, f"{health.status}: x")


def test_status_shows_counts_lag_age_and_rate_from_two_scrapes() -> None:
    counts: Counter[tuple[str, str]] = Counter(
        {("camera.events", "landed"): 1000, ("camera.events", "rejected"): 20}
    )
    batches = BatchCounts()
    batches.landed_at["camera.events"] = T0 + 7
    batches.reasons[("camera.events", "unknown_camera")] = 20
    metrics = WorkerMetrics(counts, batches, TOPICS, lambda: False, T0)
    metrics.record_lag({("camera.events", 0): 3, ("camera.events", 1): 4}, T0 + 8)
    metrics.registry_size = 2704
    before = _snapshot(metrics, T0 + 10)
    counts[("camera.events", "landed")] += 95
    counts[("camera.events", "rejected")] += 5
    counts[("camera.events", "alerts")] += 2
    now = _snapshot(metrics, T0 + 12)
    endpoint = Endpoint(Path("/data/worker/slot-0"), 4242, 9100)
    lines = format_status(endpoint, before, now).splitlines()
    assert lines[0] == "worker pid 4242 (slot-0) at http://127.0.0.1:9100: ok: x"
    assert lines[1].split() == [
        "topic", "accepted", "rejected", "alerts", "lag", "last", "batch", "events/s"
    ]  # fmt: skip
    assert lines[2].split() == ["camera.events", "1095", "25", "2", "7", "5", "s", "ago", "50.0"]
    # Not assigned to this worker: no lag to show; never landed.
    assert lines[3].split() == ["population.updates", "0", "0", "0", "-", "never", "0.0"]
    assert lines[4] == "rejections: unknown_camera 20"
    assert lines[5].startswith("registry: 2704 residents; memory: ")
    assert lines[5].endswith(" MiB; up 12 s")


def test_status_finds_live_workers_only(tmp_path: Path) -> None:
    live = tmp_path / "slot-0"
    live.mkdir()
    write_endpoint(live, 9100)
    dead = tmp_path / "slot-1"
    dead.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, check=True, text=True)  # fmt: skip
    (dead / "endpoint.json").write_text(f'{{"pid": {int(gone.stdout)}, "port": 9101}}')
    torn = tmp_path / "slot-2"
    torn.mkdir()
    (torn / "endpoint.json").write_text('{"pid": ')
    assert running_endpoints(tmp_path) == [Endpoint(live, os.getpid(), 9100)]


def test_status_tells_a_worker_still_recovering_from_a_dead_one(tmp_path: Path) -> None:
    # A process whose command line ends in "worker", as `antt worker`'s does.
    command = [sys.executable, "-c", "import time; print(flush=True); time.sleep(60)", "worker"]
    with subprocess.Popen(command, stdout=subprocess.PIPE) as sleeper:
        try:
            # Until the child has exec'd, its command line is still this process's (pytest's).
            assert sleeper.stdout is not None and sleeper.stdout.readline() == b"\n"
            for number, pid in enumerate([sleeper.pid, os.getpid(), 2**22 + 1]):
                slot = tmp_path / f"slot-{number}"
                slot.mkdir()
                (slot / "owner.lock").write_text(f"{pid}\n")
            write_endpoint(tmp_path / "slot-1", 9100)  # this one listens already
            assert starting_workers(tmp_path) == [(tmp_path / "slot-0", sleeper.pid)]
        finally:
            sleeper.kill()
    assert starting_workers(tmp_path) == []


def test_status_without_a_worker_says_so_in_one_line(tmp_path: Path) -> None:
    # `antt` prints a RuntimeError as "antt status: <message>" and exits 1
    # (tests/integration/test_status.py runs the command itself).
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(RuntimeError) as raised:
        run(argparse.Namespace(interval=0.0, watch=False), settings)
    assert str(raised.value) == (
        f"no worker is running on {tmp_path} (no live endpoint under {tmp_path / 'worker'}); "
        "start one with `antt worker`"
    )
