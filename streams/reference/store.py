"""Reference data in memory: cameras, facilities and the watchlist, as the ref.* topics say.

The store only holds state; ``streams.reference.follower`` reads the topics into it. Every worker
process holds the whole of each compacted topic (they are small), like a Faust global table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from streams.cleaning.context import Row
from streams.reference.models import CameraRef, FacilityRef, WatchEntry

__all__ = ["REFERENCE_TOPICS", "ReferenceStore"]

REFERENCE_TOPICS = ("ref.cameras", "ref.facilities", "ref.watchlist")


class ReferenceStore:
    """The latest version of every reference entity, keyed by its id."""

    def __init__(self) -> None:
        self.cameras: dict[str, CameraRef] = {}
        self.facilities: dict[str, FacilityRef] = {}
        self.watch_entries: dict[str, WatchEntry] = {}
        self.watchlist: dict[str, tuple[WatchEntry, ...]] = {}
        self._applied: dict[tuple[str, int], int] = {}

    def apply(self, topic: str, partition: int, offset: int, row: Row) -> None:
        """Apply one cleaned reference row unless a later one of its partition is applied."""
        if offset <= self._applied.get((topic, partition), -1):
            return
        self._applied[(topic, partition)] = offset
        if topic == "ref.cameras":
            self._upsert(self.cameras, row["camera_id"], row, _camera)
        elif topic == "ref.facilities":
            self._upsert(self.facilities, row["facility_id"], row, _facility)
        elif topic == "ref.watchlist":
            self._upsert(self.watch_entries, row["entry_id"], row, _watch_entry)
            self._index_watchlist()

    @staticmethod
    def _upsert(
        target: dict[str, Any], entity_id: str, row: Row, build: Callable[[Row], Any]
    ) -> None:
        if row.get("is_deleted"):
            target.pop(entity_id, None)
        else:
            target[entity_id] = build(row)

    def _index_watchlist(self) -> None:
        index: dict[str, list[WatchEntry]] = {}
        for entry in self.watch_entries.values():
            if not entry.is_active:
                continue  # a deactivated entry stops alerting at once
            index.setdefault(entry.value_key, []).append(entry)
        self.watchlist = {key: tuple(entries) for key, entries in index.items()}


def _camera(row: Row) -> CameraRef:
    return CameraRef(row["camera_id"], row["ward_code"], row["owner"], row["is_connected"])


def _facility(row: Row) -> FacilityRef:
    return FacilityRef(row["facility_id"], row["ward_code"], row["kind"], row["on_platform_since"])


def _watch_entry(row: Row) -> WatchEntry:
    return WatchEntry(
        row["entry_id"], row["kind"], row["value_key"], row["reason"], row["is_active"]
    )
