"""The write order that makes a replay after a crash safe, and the skip of landed offsets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from antt.settings import Settings
from pipelines.reconcile import TopicBalance
from streams.cleaning.reject import Rejection
from streams.contract.topics import source_topic
from streams.processing import Outcome
from streams.sink import Lander, plan_batch
from tests import factories as f
from warehouse.landing.zone import LandingZone

CAMERAS = source_topic("camera.events")
AT = datetime(2026, 11, 21, tzinfo=UTC)


def _accepted(offset: int, partition: int = 0) -> Outcome:
    row = {"event_id": f"e{offset}", "camera_id": "CAM-1", "observed_at": AT, "kind": "person",
           "plate_status": "absent", "confidence": 0.5}  # fmt: skip
    return Outcome(
        f.message("camera.events", f.camera_event(), offset=offset, partition=partition), row=row
    )


def _rejected(offset: int, partition: int = 0) -> Outcome:
    message = f.message("camera.events", b"{", key=b"CAM-1", offset=offset, partition=partition)
    return Outcome(message, rejection=Rejection(("malformed_json",), "not JSON"))


def test_own_file_comes_last_and_exists_even_without_rows() -> None:
    plan = plan_batch(CAMERAS, [_rejected(5), _rejected(6), _accepted(0, 1)], [], "load-1", AT)
    assert [(p.table, p.source, p.partition, p.first_offset, p.last_offset, len(p.rows))
            for p in plan.files] == [
        ("rejected", "camera_events", 0, 5, 6, 2),
        ("camera_events", "_", 0, 5, 6, 0),
        ("camera_events", "_", 1, 0, 0, 1),
    ]  # fmt: skip
    assert len(plan.deadletters) == 2 and plan.count("camera_events") == 1


def test_lander_remembers_how_far_each_partition_landed(tmp_path: Path) -> None:
    lander = Lander(LandingZone(tmp_path))
    assert lander.landed_through(CAMERAS, 0) == -1
    lander.write(plan_batch(CAMERAS, [_accepted(0), _accepted(1), _rejected(2)], [], "l", AT))
    assert lander.landed_through(CAMERAS, 0) == 2
    # A new process reads it back from the file names.
    fresh = Lander(lander.zone)
    assert (fresh.landed_through(CAMERAS, 0), fresh.landed_through(CAMERAS, 1)) == (2, -1)


@pytest.mark.parametrize(
    ("balance", "status"),
    [
        (TopicBalance("t", 10, 7, 2, 1, 0, 0), "ok"),
        (TopicBalance("t", 10, 7, 2, 0, 0, 0), "mismatch"),
        (TopicBalance("t", 10, 7, 2, 0, 0, 1), "lagging"),
        (TopicBalance("t", 10, 7, 2, 1, 1, 0), "mismatch"),
        # An offset the group committed but nobody landed is lost, however much is still lagging.
        (TopicBalance("t", 10, 6, 2, 0, 0, 1, unlanded=1), "mismatch"),
        # More landed than Kafka holds: offsets from another incarnation of the topic.
        (TopicBalance("t", 10, 9, 2, 0, 0, 1), "mismatch"),
    ],
)
def test_reconcile_status(balance: TopicBalance, status: str) -> None:
    assert balance.status == status


def test_workers_refuse_to_start_without_a_key_outside_demo_mode(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="no pseudonymisation key"):
        Settings(demo_mode=False).pseudonym_secret  # noqa: B018
    with pytest.raises(RuntimeError, match="at least 16 bytes"):
        Settings(pseudonym_key="short").pseudonym_secret  # noqa: B018
    key_file = tmp_path / "key"
    key_file.write_text("a-secret-of-32-characters-length\n")
    assert (
        Settings(pseudonym_key_file=key_file).pseudonym_secret
        == b"a-secret-of-32-characters-length"
    )
