"""A worker never stalls: a failed step ends the process with exit 75 and lands nothing.

Also the guards a worker passes before it starts: its own state folder, and topic ids that match
the landed files.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from antt.settings import Settings
from streams.contexts import ContextFactory
from streams.contract.topics import source_topic
from streams.processing import Message
from streams.provenance import ProvenanceError, check_topic_ids
from streams.reference.follower import ReferenceFollower, ReferencesUnavailable
from streams.reference.store import ReferenceStore
from streams.sink import KafkaRecord
from streams.state_slot import claim_state_slot
from streams.worker import BatchWorker
from tests import factories as f
from warehouse.landing.zone import LandingZone

CAMERAS = source_topic("camera.events")


class _Exited(BaseException):
    def __init__(self, code: int) -> None:
        self.code = code


@pytest.fixture
def exits(monkeypatch: pytest.MonkeyPatch) -> None:
    """``os._exit`` raises instead, so the test sees the exit code and survives it."""

    def fake_exit(code: int) -> None:
        raise _Exited(code)

    monkeypatch.setattr(os, "_exit", fake_exit)


class _Unreachable:
    async def caught_up(self) -> None:
        raise ReferencesUnavailable("the reference topics were not read to their end within 3 s")


class _Ready:
    async def caught_up(self) -> None:
        return None


class _Broker:
    """What a partition holds on the broker, asked for only when a batch has a hole."""

    def __init__(self, held: set[int]) -> None:
        self.held = held
        self.asked: list[tuple[str, int, list[int]]] = []

    async def __call__(self, topic: str, partition: int, offsets: Sequence[int]) -> list[int]:
        self.asked.append((topic, partition, list(offsets)))
        return sorted(self.held & set(offsets))


class _Sent:
    def __init__(self) -> None:
        self.records: list[tuple[str, KafkaRecord]] = []

    async def __call__(self, topic: str, records: Sequence[KafkaRecord]) -> None:
        self.records.extend((topic, r) for r in records)


def _worker(
    tmp_path: Path,
    send: _Sent,
    references: _Ready | _Unreachable | None = None,
    broker: _Broker | None = None,
) -> BatchWorker:
    settings = Settings(data_dir=tmp_path, demo_mode=True)
    contexts = ContextFactory(settings, ReferenceStore(), {})
    return BatchWorker(
        settings, send, contexts, references or _Unreachable(), broker or _Broker(set())
    )


def _camera_batch(offsets: Sequence[int], partition: int = 0) -> list[Message]:
    return [
        f.message("camera.events", f.camera_event(f"cam-{i}"), offset=i, partition=partition)
        for i in offsets
    ]


@pytest.mark.usefixtures("exits")
def test_references_out_of_reach_end_the_process_with_75_and_land_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sent = _Sent()
    worker = _worker(tmp_path, sent)
    batch = [f.message("camera.events", f.camera_event(f"cam-{i}"), offset=i) for i in range(3)]
    with caplog.at_level(logging.CRITICAL), pytest.raises(_Exited) as exited:
        asyncio.run(worker.handle(CAMERAS, batch))
    assert exited.value.code == 75
    assert worker.lander.zone.landed_through("camera_events", "_", 0) == -1
    assert sent.records == []
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert "camera.events: step 'read the reference topics to their end' failed" in line
    assert "ReferencesUnavailable" in line


@pytest.mark.usefixtures("exits")
def test_an_unwritable_landing_zone_ends_the_process_after_the_dead_letters(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class _Ready:
        async def caught_up(self) -> None:
            return None

    sent = _Sent()
    worker = _worker(tmp_path, sent)
    worker.references = _Ready()
    # The folder of the topic's own files is a file: the OS refuses, even to root.
    (tmp_path / "landing" / "camera_events" / "_").write_text("not a folder")
    batch = [f.message("camera.events", b"{", key=b"CAM-1", offset=0)]
    with pytest.raises(_Exited) as exited:
        asyncio.run(worker.handle(CAMERAS, batch))
    assert exited.value.code == 75
    assert [topic for topic, _ in sent.records] == ["deadletter"]
    assert worker.lander.landed_through(CAMERAS, 0) == -1
    assert "camera.events: step 'land' failed" in caplog.text


def test_a_follower_without_a_broker_gives_up_within_its_timeout(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(data_dir=tmp_path, demo_mode=True)
    store = ReferenceStore()
    follower = ReferenceFollower(
        {"bootstrap_servers": f"127.0.0.1:{port}"},
        store,
        ContextFactory(settings, store, {}),
        timeout_s=2,
        stopping=lambda: False,
    )

    async def attempt() -> tuple[str, str]:
        task = asyncio.create_task(follower.run())
        with pytest.raises(ReferencesUnavailable) as waiting:
            await follower.caught_up()
        with pytest.raises(ReferencesUnavailable) as running:
            await task
        return str(waiting.value), str(running.value)

    waiting, running = asyncio.run(attempt())
    assert "not read to their end within 2 s" in waiting
    assert "could not connect to the reference topics within 2 s" in running


def test_each_worker_process_gets_a_state_folder_of_its_own(tmp_path: Path) -> None:
    first = claim_state_slot(tmp_path)
    second = claim_state_slot(tmp_path)
    assert (first.path.name, second.path.name) == ("slot-0", "slot-1")
    assert (first.path / "owner.lock").read_text() == f"{os.getpid()}\n"
    first.release()
    again = claim_state_slot(tmp_path)  # a restarted worker reuses its folder
    assert again.path.name == "slot-0"
    again.release()
    second.release()


def test_a_recreated_topic_is_refused_once_it_has_landed_files(tmp_path: Path) -> None:
    zone = LandingZone(tmp_path)
    zone.ensure()
    check_topic_ids(zone, {"camera.events": "id-1", "ref.cameras": "id-2"})
    # No file has landed yet: a recreated topic is simply recorded again.
    check_topic_ids(zone, {"camera.events": "id-1b", "ref.cameras": "id-2"})
    zone.write("camera_events", "_", 0, 0, 4, [])
    check_topic_ids(zone, {"camera.events": "id-1b", "ref.cameras": "id-2"})
    with pytest.raises(ProvenanceError) as refused:
        check_topic_ids(zone, {"camera.events": "id-1c", "ref.cameras": "id-2"})
    message = str(refused.value)
    assert message.startswith("topic(s) camera.events were deleted and created again")
    assert "\n" not in message
    assert zone.read_meta("topic_ids.json") == {"camera.events": "id-1b", "ref.cameras": "id-2"}


@pytest.mark.usefixtures("exits")
def test_a_message_faust_dropped_ends_the_process_before_anything_lands(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Seen under rebalance churn: offset 1204 never reached the agent, 1205 on did, and Faust
    # committed past it. The batch after the hole must not land, so nothing is acknowledged.
    sent = _Sent()
    broker = _Broker(held=set(range(0, 20)))
    worker = _worker(tmp_path, sent, _Ready(), broker)
    asyncio.run(worker.handle(CAMERAS, _camera_batch(range(0, 4))))
    with caplog.at_level(logging.CRITICAL), pytest.raises(_Exited) as exited:
        asyncio.run(worker.handle(CAMERAS, _camera_batch([4, 6, 7, 8])))
    assert exited.value.code == 75
    assert broker.asked == [("camera.events", 0, [5])]
    assert worker.lander.zone.landed_through("camera_events", "_", 0) == 3
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert "camera.events: step 'check that no message was dropped' failed: MessagesDropped: " in (
        line
    )
    assert "1 message(s) of partition 0 from offset 5 never reached the worker" in line
    assert "landed through 3" in line


@pytest.mark.usefixtures("exits")
def test_a_hole_between_batches_is_found_too(tmp_path: Path) -> None:
    broker = _Broker(held=set(range(0, 20)))
    worker = _worker(tmp_path, _Sent(), _Ready(), broker)
    asyncio.run(worker.handle(CAMERAS, _camera_batch(range(0, 4))))
    with pytest.raises(_Exited):
        asyncio.run(worker.handle(CAMERAS, _camera_batch([7, 8])))
    assert broker.asked == [("camera.events", 0, [4, 5, 6])]


def test_a_hole_the_broker_holds_nothing_for_lands_and_asks_once(tmp_path: Path) -> None:
    # Compaction removed offsets 5 and 6, or a transaction's marker took them.
    broker = _Broker(held={0, 1, 2, 3, 4, 7, 8})
    worker = _worker(tmp_path, _Sent(), _Ready(), broker)
    asyncio.run(worker.handle(CAMERAS, _camera_batch([0, 1, 2, 3, 4, 7, 8])))
    assert worker.lander.zone.landed_through("camera_events", "_", 0) == 8
    assert broker.asked == [("camera.events", 0, [5, 6])]
    # A whole partition is never asked about: the common case costs no broker request.
    asyncio.run(worker.handle(CAMERAS, _camera_batch([9, 10], partition=0)))
    asyncio.run(worker.handle(CAMERAS, _camera_batch([40, 41], partition=1)))
    assert len(broker.asked) == 1


def test_offsets_another_worker_landed_meanwhile_are_no_hole(tmp_path: Path) -> None:
    # This process landed 0-3, the group gave the partition to another worker, which landed
    # 4-9, and gave it back: the batch from the committed offset 10 on is whole.
    broker = _Broker(held=set(range(0, 20)))
    mine = _worker(tmp_path, _Sent(), _Ready(), broker)
    asyncio.run(mine.handle(CAMERAS, _camera_batch(range(0, 4))))
    other = _worker(tmp_path, _Sent(), _Ready(), broker)
    asyncio.run(other.handle(CAMERAS, _camera_batch(range(4, 10))))
    # And a message the other one landed but had not committed when it left is skipped.
    outcomes = asyncio.run(mine.handle(CAMERAS, _camera_batch(range(9, 12))))
    assert [o.message.offset for o in outcomes] == [10, 11]
    assert broker.asked == []
    assert mine.counts[("camera.events", "replayed")] == 1


def test_a_message_delivered_twice_in_one_batch_lands_once(tmp_path: Path) -> None:
    # Fetched before a rebalance's seek and again after it (streams.flow).
    worker = _worker(tmp_path, _Sent(), _Ready())
    outcomes = asyncio.run(worker.handle(CAMERAS, _camera_batch([0, 1, 2, 1, 2, 3])))
    assert [o.message.offset for o in outcomes] == [0, 1, 2, 3]
    # No camera is registered here, so each lands as a rejection: once.
    assert worker.counts[("camera.events", "rejected")] == 4
    assert worker.counts[("camera.events", "replayed")] == 2
