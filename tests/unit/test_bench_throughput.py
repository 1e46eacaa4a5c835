"""``antt bench throughput`` without a broker: its rates, ratios and table, and a valid backlog."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from pipelines.bench import backlog, consumers
from pipelines.bench.cli import add_arguments
from pipelines.bench.report import RATIOS, Run, ThroughputReport, Timing
from pipelines.bench.throughput import Sizes
from streams.cleaning.context import CleanContext
from streams.population.keeper import RegistryKeeper
from streams.population.registry import Resident
from streams.processing import Message, clean_message
from streams.pseudonym import Pseudonymiser
from streams.reference.models import CameraRef, FacilityRef
from streams.reference.wards import ward_provinces


def _run(consumer: str, events: int, start: float, first: float, count: int, done: float,
         workload: str = "camera", last: float | None = None) -> Run:  # fmt: skip
    return Run(workload, consumer, events, Timing(start, first, count, done, last))


def test_rates_leave_start_up_out_of_the_steady_rate() -> None:
    # 10,000 events; launched at 100 s, first 1,000 consumed at 104 s, the rest by 113 s.
    run = _run("faust-count", 10_000, 100.0, 104.0, 1_000, 113.0)
    assert run.seconds == 13.0
    assert run.rate == pytest.approx(10_000 / 13)
    assert run.steady_rate == 1_000.0


def test_a_worker_steady_rate_ends_at_the_last_row_landed_not_when_a_reader_sees_it() -> None:
    run = _run("worker", 9_000, 0.0, 8.0, 2_000, 12.0, last=10.0)
    assert run.steady_rate == 3_500.0  # 7,000 rows in the 2 s from the first to the last landed
    assert run.rate == 750.0  # 9,000 over the 12 s until a reader counts them all


def test_timings_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="out of order"):
        Timing(10.0, 9.0, 1, 12.0)
    with pytest.raises(ValueError, match="out of order"):
        Timing(0.0, 1.0, 1, 5.0, last=6.0)


def _report() -> ThroughputReport:
    return ThroughputReport(
        (
            _run("aiokafka", 10_000, 0.0, 1.0, 500, 2.0),  # 9,500/s steady
            _run("faust-count", 10_000, 0.0, 3.0, 2_000, 5.0),  # 4,000/s
            Run("camera", "quix", 10_000, status="not installed", note="make bench-env"),
            _run("worker", 10_000, 0.0, 5.0, 1_000, 9.0, last=8.0),  # 3,000/s
            _run("worker x2", 10_000, 0.0, 6.0, 1_600, 11.0, last=7.2),  # 7,000/s
        ),
        {"machine": "test"},
    )


def test_ratios_compare_steady_rates_and_a_missing_peer_gives_no_ratio() -> None:
    ratios = {ratio.label: value for ratio, value in _report().ratios()}
    assert ratios == {
        "camera: worker / count-only Faust": 0.75,
        "camera: worker / Quix Streams": None,
        "camera: count-only Faust / aiokafka": pytest.approx(4_000 / 9_500),
        "camera: Quix Streams / aiokafka": None,
        "camera: 2 worker processes / 1": pytest.approx(7_000 / 3_000),
        "camera: 2 worker processes / Quix Streams": None,
    }


def test_the_table_shows_every_run_and_ratio_with_its_target() -> None:
    table = _report().table().splitlines()
    assert table[2] == "| camera | aiokafka | 10,000 | 2.0 | 5,000 | 9,500 |  |"
    assert table[4] == "| camera | quix | 10,000 | – | – | – | not installed; make bench-env |"
    assert table[5] == "| camera | worker | 10,000 | 9.0 | 1,111 | 3,000 |  |"
    assert "| camera: worker / count-only Faust | 75% | ≥ 80% |" in table
    assert "| camera: worker / Quix Streams | – |  |" in table
    assert "| camera: 2 worker processes / 1 | 233% |  |" in table


def test_the_json_carries_rates_and_ratios() -> None:
    data = orjson.loads(orjson.dumps(_report().as_json()))
    worker = next(r for r in data["runs"] if r["consumer"] == "worker")
    assert (worker["rate"], worker["steady_rate"]) == (10_000 / 9, 3_000.0)
    assert data["runs"][2]["status"] == "not installed"
    assert data["ratios"]["camera: worker / count-only Faust"] == 0.75
    assert data["context"] == {"machine": "test"}


def test_every_ratio_names_runs_the_benchmark_makes() -> None:
    made = {"aiokafka", "faust-count", "faust-count-worker", "quix", "worker", "worker x2",
            "worker x3", "registry", "registry x2", "registry x3"}  # fmt: skip
    for ratio in RATIOS:
        for key in (ratio.numerator, ratio.denominator):
            workload, consumer = key.split("/")
            assert workload in {"camera", "lodging", "population"} and consumer in made, key


def test_sizes_are_checked() -> None:
    with pytest.raises(ValueError, match="at least one event"):
        Sizes(0, 10, 10)
    with pytest.raises(ValueError, match="must include 1"):
        Sizes(10, 10, 10, (2, 3))
    with pytest.raises(ValueError, match="1,000,000 residents"):
        Sizes(10, 1_000_001, 10)


def test_bench_subcommands_parse() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["throughput", "--camera-events", "2000", "--processes", "1,2"])
    assert (args.what, args.camera_events, args.processes, args.partitions) == (
        "throughput", 2000, "1,2", 6
    )  # fmt: skip
    assert parser.parse_args(["alerts"]).events == 3000


def _messages(topic: str, records: list[tuple[bytes, bytes]], at: datetime) -> list[Message]:
    received = int(at.timestamp() * 1000)
    return [Message(topic, 0, i, k, v, received) for i, (k, v) in enumerate(records)]


def test_every_backlog_event_is_valid_and_every_guest_is_a_resident() -> None:
    """The worker must land the whole backlog: a rejection would make its count fall short."""
    now = datetime.now(UTC)
    received = now + timedelta(seconds=1)
    pseudonymise = Pseudonymiser(b"unit-test-key-0123456789")
    refs = backlog.references()
    cameras, facilities = {}, {}
    for topic, records in refs.items():
        for _, value in records:
            event = orjson.loads(value)
            if topic == "ref.cameras":
                cameras[event["camera_id"]] = CameraRef(
                    event["camera_id"], event["ward_code"], "public", True
                )
            else:
                facilities[event["facility_id"]] = FacilityRef(
                    event["facility_id"], event["ward_code"], "guesthouse", None
                )
    assert (len(cameras), len(facilities)) == (backlog.CAMERAS, backlog.FACILITIES)
    residents: dict[str, Resident] = {}
    ctx = CleanContext(
        now=received, province_code=92, wards=ward_provinces(), cameras=cameras,
        facilities=facilities, watchlist={}, residents=residents, pseudonymise=pseudonymise,
    )  # fmt: skip
    for topic, records in refs.items():
        rejected = [
            o.rejection for m in _messages(topic, records, received)
            if (o := clean_message(m, ctx)).rejection
        ]  # fmt: skip
        assert rejected == [], topic

    keeper = RegistryKeeper(residents, lambda: ctx)
    for message in _messages("population.updates", list(backlog.residents(500, now)), received):
        keeper.register(message)
    assert keeper.registered == len(residents) == 500  # 500 distinct people

    detections = list(backlog.camera_events(2_000, now))
    camera = [clean_message(m, ctx) for m in _messages("camera.events", detections, received)]
    assert [o.rejection for o in camera if o.rejection] == []
    assert len({o.row["plate_key"] for o in camera if o.row}) == 2_000  # distinct plates

    checkins = list(backlog.checkins(1_000, 500, now))
    lodging = [clean_message(m, ctx) for m in _messages("lodging.checkins", checkins, received)]
    assert [o.rejection for o in lodging if o.rejection] == []
    homes = [o.row["guest_home_ward_code"] for o in lodging if o.row]
    assert len(homes) == 1_000 and None not in homes


def test_a_child_given_a_folder_relative_to_ours_writes_its_result_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ``--data-dir .antt/bench``: the child runs inside the folder, where the relative path fails.
    monkeypatch.chdir(tmp_path)
    writer = (
        "import json, sys, time; t = time.monotonic(); "
        "open(sys.argv[1], 'w').write(json.dumps(dict(first=t, first_count=5, done=t + 1)))"
    )
    timing = consumers._child("a child", [sys.executable, "-c", writer], dict(os.environ),
                              Path("logs/child.log"), Path("bench/throughput/child"))  # fmt: skip
    assert (timing.first_count, timing.done - timing.first) == (5, 1)
    assert (tmp_path / "bench/throughput/child/result.json").exists()
