"""Reference records decide on replay as on their first pass: judged by their record timestamp.

Every worker re-reads the compacted ref.* topics from the start, so each reference record is
judged again at every start; judged against the processing clock, a watch entry's listed_at could
be "in the future" once and accepted later (or the other way round), and reconcile would disagree
with what landed. The simulator, for its part, must not stamp a record before the dates it states.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import pytest

from pipelines.simulator import SimulationConfig
from pipelines.simulator.clock import to_s
from pipelines.simulator.generate import simulate
from streams.cleaning.context import CleanContext
from streams.processing import Message, Outcome, clean_message
from tests import factories as f
from tests.unit.clean_fixtures import CTX

RECORD_AT = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
REF_TOPICS = ("ref.cameras", "ref.facilities", "ref.watchlist")
# Two months, so that most watch entries are listed inside the window, after the snapshot.
CONFIG = SimulationConfig(seed=7, days=60, residents_per_ward=40, camera_days=7)


def _verdict(outcome: Outcome) -> tuple[str, ...] | dict[str, Any]:
    if outcome.rejection is not None:
        return outcome.rejection.reasons
    assert outcome.row is not None
    return outcome.row


def _at(now: datetime) -> CleanContext:
    return replace(CTX, now=now)


@pytest.mark.parametrize(
    ("listed_at", "first_clock", "replay_clock", "expected"),
    [
        # Listed as it was published; the first pass ran on a clock a day behind, the replay later.
        (RECORD_AT, RECORD_AT - timedelta(days=1), RECORD_AT + timedelta(days=400), None),
        # Listed a day after it reached Kafka: in the future then, and so on every replay.
        (
            RECORD_AT + timedelta(days=1),
            RECORD_AT,
            RECORD_AT + timedelta(days=2),
            ("future_timestamp",),
        ),
    ],
    ids=["listed-on-publish", "listed-in-the-future"],
)
def test_a_replayed_watch_entry_decides_as_its_first_pass(
    listed_at: datetime,
    first_clock: datetime,
    replay_clock: datetime,
    expected: tuple[str, ...] | None,
) -> None:
    entry = f.watch_entry("WL-9", listed_at=listed_at.isoformat())
    message = f.message("ref.watchlist", entry, offset=12, received_at=RECORD_AT)
    first = _verdict(clean_message(message, _at(first_clock)))
    replay = _verdict(clean_message(message, _at(replay_clock)))
    assert first == replay
    if expected is None:
        assert isinstance(first, dict) and first["listed_at"] == listed_at
    else:
        assert first == expected


def _stated_s(topic: str, record: dict[str, Any]) -> int:
    """The latest moment a reference record states: its dates start at local midnight."""
    if topic == "ref.watchlist":
        return int(datetime.fromisoformat(record["listed_at"]).timestamp())
    fields = ("installed_on", "removed_on") if topic == "ref.cameras" else ("on_platform_since",)
    days = [date.fromisoformat(record[k]) for k in fields if record[k] is not None]
    return max((to_s(day) for day in days), default=0)


def test_simulated_reference_records_are_stamped_at_or_after_their_dates() -> None:
    messages = [m for m in simulate(CONFIG).messages if m.topic in REF_TOPICS]
    snapshot_ms = (CONFIG.start_s - 60) * 1000
    for message in messages:
        assert message.timestamp_ms >= _stated_s(message.topic, orjson.loads(message.value)) * 1000
    listed_later = [
        m for m in messages if m.topic == "ref.watchlist" and m.timestamp_ms > snapshot_ms
    ]
    watch_entries = [m for m in messages if m.topic == "ref.watchlist"]
    assert watch_entries and len(listed_later) >= len(watch_entries) // 2
    # Every record is accepted whatever the clock of the worker that reads it: before the history
    # began (a first pass at the snapshot) or a year after it ended (a replay).
    before = datetime.fromtimestamp(CONFIG.start_s - 86_400, UTC)
    after = datetime.fromtimestamp(CONFIG.end_s + 365 * 86_400, UTC)
    for message in messages:
        ref = Message(message.topic, 0, 0, message.key, message.value, message.timestamp_ms)
        first, replay = clean_message(ref, _at(before)), clean_message(ref, _at(after))
        assert first.rejection is None, (message.topic, first.rejection)
        assert first.row == replay.row
