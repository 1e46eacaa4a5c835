"""The topics of event contract version 1: names, keys, retention and where each one lands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ALERTS",
    "DEADLETTER",
    "SOURCE_TOPICS",
    "TOPICS",
    "SourceTopic",
    "TopicName",
    "TopicSpec",
    "source_topic",
]

TopicName = Literal[
    "camera.events",
    "lodging.checkins",
    "incident.reports",
    "population.updates",
    "ref.cameras",
    "ref.facilities",
    "ref.watchlist",
    "alerts",
    "deadletter",
]
SourceTopic = Literal[
    "camera.events",
    "lodging.checkins",
    "incident.reports",
    "population.updates",
    "ref.cameras",
    "ref.facilities",
    "ref.watchlist",
]


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One topic: its message key, whether Kafka compacts it, and the table it lands in.

    ``identity`` names the fields that make two messages the same event: a repeat of an identity
    is a duplicate, landed once. Incident reports are re-sent on every status change, so a report
    version (report_id, updated_at) is the identity there, not the report id alone. Reference
    topics have no identity: every message is a new version of its entity, the latest one wins.
    """

    name: TopicName
    key_field: str
    identity: tuple[str, ...]
    table: str
    compacted: bool = False
    is_source: bool = True


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec("camera.events", "camera_id", ("event_id",), "camera_events"),
    TopicSpec("lodging.checkins", "facility_id", ("event_id",), "lodging_checkins"),
    TopicSpec("incident.reports", "report_id", ("report_id", "updated_at"), "incident_reports"),
    TopicSpec("population.updates", "person.id_number", ("event_id",), "population_updates"),
    TopicSpec("ref.cameras", "camera_id", (), "ref_cameras", compacted=True),
    TopicSpec("ref.facilities", "facility_id", (), "ref_facilities", compacted=True),
    TopicSpec("ref.watchlist", "entry_id", (), "ref_watchlist", compacted=True),
    TopicSpec("alerts", "entry_id", ("alert_id",), "alerts", is_source=False),
    TopicSpec("deadletter", "source key", ("source_topic",), "rejected", is_source=False),
)

SOURCE_TOPICS: tuple[TopicSpec, ...] = tuple(t for t in TOPICS if t.is_source)
ALERTS = next(t for t in TOPICS if t.name == "alerts")
DEADLETTER = next(t for t in TOPICS if t.name == "deadletter")


def source_topic(name: str) -> TopicSpec:
    """The spec of a source topic, by name; raises KeyError for anything else."""
    for spec in SOURCE_TOPICS:
        if spec.name == name:
            return spec
    raise KeyError(f"not a source topic: {name!r}")
