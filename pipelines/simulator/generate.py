"""The backfill: reference topics first, then the history of every event topic in time order."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pipelines.simulator.cameras import camera_drafts
from pipelines.simulator.config import SimulationConfig
from pipelines.simulator.dirty import DUPLICATE_SHARE, Spoiler
from pipelines.simulator.incidents import Report, incident_drafts
from pipelines.simulator.lodging import Stay, lodging_drafts
from pipelines.simulator.messages import Draft, SimMessage, encode
from pipelines.simulator.population import population_drafts
from pipelines.simulator.rand import derive
from pipelines.simulator.reference import reference_drafts
from pipelines.simulator.world import World, build_world

__all__ = ["EVENT_TOPICS", "Backfill", "PendingReport", "generate", "inject_dirty", "simulate"]

EVENT_TOPICS = ("population.updates", "camera.events", "lodging.checkins", "incident.reports")
_ID_PREFIX = {"population.updates": "pop", "camera.events": "cam", "lodging.checkins": "lod"}

# (report_id, report, updated_at, status) of a report version due after the window.
PendingReport = tuple[str, Report, int, str]


@dataclass(frozen=True, slots=True)
class Backfill:
    """The history's messages, and what the live phase continues from."""

    world: World
    messages: tuple[SimMessage, ...]
    open_stays: tuple[Stay, ...]
    open_reports: tuple[PendingReport, ...]


def _ordered(drafts: list[Draft]) -> list[Draft]:
    """Drafts in Kafka-timestamp order, ties broken by generation order (stable and seeded)."""
    for seq, draft in enumerate(drafts):
        draft.seq = seq
    return sorted(drafts, key=lambda d: (d.timestamp_ms, d.seq))


def _number(drafts: list[Draft]) -> None:
    for n, draft in enumerate(drafts, start=1):
        prefix = _ID_PREFIX.get(draft.topic)
        if prefix is not None:
            draft.payload["event_id"] = f"{prefix}-{n:07d}"


def dirty_picks(count: int, share: float) -> int:
    """How many of ``count`` events to spoil so that dirty messages are ``share`` of the output.

    A spoiled duplicate adds a message, so the picks are corrected by the duplicates' share.
    """
    if share <= 0 or count == 0:
        return 0
    return min(count, round(share * count / (1 - share * DUPLICATE_SHARE)))


def inject_dirty(
    drafts: list[Draft], share: float, spoiler: Spoiler, rng: random.Random
) -> list[SimMessage]:
    """Encode drafts, spoiling a seeded sample of them with one fault each."""
    picks = dirty_picks(len(drafts), share)
    chosen = set(rng.sample(range(len(drafts)), picks)) if picks else set()
    messages: list[SimMessage] = []
    for index, draft in enumerate(drafts):
        if index in chosen:
            kinds = spoiler.kinds(draft)
            messages += spoiler.spoil(draft, kinds[rng.randrange(len(kinds))])
        else:
            messages.append(encode(draft))
    return messages


def simulate(config: SimulationConfig, say: Callable[[str], None] | None = None) -> Backfill:
    """Build the world and its whole history (pure: no clock, no broker).

    ``say`` receives one progress line per stage: a province at real size takes minutes.
    """
    if say is None:
        say = _quiet
    seed = config.seed
    world = build_world(config)
    say(
        f"province {config.province_code}: {len(world.residents):,} residents in "
        f"{len(world.wards)} wards, {len(world.cameras):,} cameras, "
        f"{len(world.facilities):,} lodging facilities"
    )
    reference = reference_drafts(
        world.cameras, world.facilities, world.watchlist, config.start_s - 60
    )
    population = population_drafts(world.residents, config.start_s, derive(seed, "population"))
    say(f"population.updates: {len(population):,} events over {config.days} days")
    cameras = camera_drafts(
        config, world.cameras, world.traffic, world.watchlist, derive(seed, "detections")
    )
    say(f"camera.events: {len(cameras):,} detections over {config.camera_days} days")
    lodging, open_stays = lodging_drafts(
        config, world.facilities, world.guests, world.watchlist, derive(seed, "stays")
    )
    say(f"lodging.checkins: {len(lodging):,} events")
    incidents, open_reports = incident_drafts(
        config, world.wards, world.population, derive(seed, "incidents")
    )
    say(f"incident.reports: {len(incidents):,} report versions; ordering and encoding")

    events: list[Draft] = []
    for topic_drafts in (population, cameras, lodging, incidents):
        ordered = _ordered(topic_drafts)
        _number(ordered)
        events += ordered
    # One history across topics in time order; the per-topic order is kept by the stable sort.
    events.sort(key=lambda d: d.timestamp_ms)

    spoiler = Spoiler(derive(seed, "dirty-kinds"), config.future_anchor_s)
    history = inject_dirty(events, config.dirty_share, spoiler, derive(seed, "dirty-picks"))
    # A re-sent duplicate goes out later than its original.
    history.sort(key=lambda m: m.timestamp_ms)
    messages = tuple(encode(d) for d in reference) + tuple(history)
    return Backfill(world, messages, tuple(open_stays), tuple(open_reports))


def _quiet(_: str) -> None:
    pass


def generate(
    config: SimulationConfig, say: Callable[[str], None] | None = None
) -> Iterator[SimMessage]:
    """Every backfill message of a config: reference topics first, then history in time order.

    Deterministic: the same config gives byte-identical messages, timestamps included.
    """
    yield from simulate(config, say).messages
