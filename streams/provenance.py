"""Before a worker starts: are the landed files from this key and these topics?

Two facts about the landing zone are recorded in ``<landing>/_meta/`` by the first worker that
lands there, and checked by every worker after it; a mismatch refuses the start with one line.

- ``pseudonym_key.json``: the fingerprint of the pseudonymisation key (``Pseudonymiser``). A
  worker with another key would mix a second, unlinkable set of pseudonyms into the same tables.
  Rotating the key is a rebuild (docs/operations.md).
- ``topic_ids.json``: each source topic's id (Kafka's topic UUID). A topic deleted and created
  again restarts its offsets at 0, and the worker would skip every new message as one it landed
  already (it trusts the landed offsets).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from antt.kafka import client_options
from antt.settings import Settings
from streams.contract.topics import SOURCE_TOPICS, source_topic
from streams.pseudonym import Pseudonymiser
from warehouse.landing.zone import LandingZone

__all__ = ["ProvenanceError", "check_key", "check_provenance", "check_topic_ids", "topic_ids"]

KEY_FILE = "pseudonym_key.json"
TOPICS_FILE = "topic_ids.json"


class ProvenanceError(RuntimeError):
    """The landing zone was made from another key or another incarnation of a topic."""


def check_key(zone: LandingZone, pseudonymise: Pseudonymiser) -> None:
    """Record the key's fingerprint on first use; refuse a key other than the recorded one."""
    fingerprint = pseudonymise.fingerprint()
    recorded = zone.read_meta(KEY_FILE)
    if recorded is None:
        zone.write_meta(KEY_FILE, {"fingerprint": fingerprint, "recorded_at": _now()})
    elif recorded["fingerprint"] != fingerprint:
        raise ProvenanceError(
            f"the pseudonymisation key (fingerprint {fingerprint}) is not the one that made the "
            f"pseudonyms landed in {zone.root} (fingerprint {recorded['fingerprint']}): restore "
            "that key, or rotate keys as docs/operations.md describes"
        )


def check_topic_ids(zone: LandingZone, current: Mapping[str, str]) -> None:
    """Refuse a topic whose id changed since its files landed; record the ids of the others.

    A topic with no landed file yet is recorded as it is now, whatever was recorded before.
    """
    recorded: dict[str, str] = zone.read_meta(TOPICS_FILE) or {}
    changed = sorted(
        name
        for name, topic_id in current.items()
        if recorded.get(name, topic_id) != topic_id and zone.has_landed(source_topic(name).table)
    )
    if changed:
        raise ProvenanceError(
            f"topic(s) {', '.join(changed)} were deleted and created again since their files "
            f"were landed in {zone.root} (their offsets restart at 0 and would be skipped as "
            "landed): move that landing zone aside to land them afresh (docs/operations.md)"
        )
    if recorded != {**recorded, **current}:
        zone.write_meta(TOPICS_FILE, {**recorded, **current})


def topic_ids(settings: Settings, names: Iterable[str]) -> dict[str, str]:
    """Kafka's id of each named topic (the ones that exist)."""
    try:
        admin = KafkaAdminClient(
            **client_options(settings), request_timeout_ms=30_000, bootstrap_timeout_ms=10_000
        )
    except KafkaError as exc:
        raise ProvenanceError(
            f"no Kafka broker answers at {settings.bootstrap_servers} ({type(exc).__name__})"
        ) from exc
    try:
        described = admin.describe_topics(list(names))
    finally:
        admin.close()
    return {t["name"]: str(t["topic_id"]) for t in described if not t["error_code"]}


def check_provenance(settings: Settings, pseudonymise: Pseudonymiser) -> None:
    """Both checks for a worker about to land into ``settings.landing_dir``."""
    zone = LandingZone(settings.landing_dir)
    check_key(zone, pseudonymise)
    check_topic_ids(zone, topic_ids(settings, (s.name for s in SOURCE_TOPICS)))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
