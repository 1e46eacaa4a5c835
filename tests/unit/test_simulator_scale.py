"""A province at (a share of) real size: exact residents, real camera traffic, plausible at size.

The rates are docs/architecture.md's ("the simulated province"); `--scale` changes how many
residents there are and how much each camera sees, never the rates per resident.
"""

from __future__ import annotations

import argparse
import math
import random
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from antt.settings import Settings
from pipelines.simulator import SimulationConfig, add_arguments, build_world, generate, run
from pipelines.simulator.cameras import camera_drafts
from pipelines.simulator.cli import _config
from pipelines.simulator.config import ICT, REAL_CAMERA_TRAFFIC, real_residents
from pipelines.simulator.generate import simulate
from pipelines.simulator.incidents import CATEGORY_RATE, incident_drafts
from pipelines.simulator.lodging import lodging_drafts
from pipelines.simulator.population import ward_sizes
from pipelines.simulator.rand import derive

END = datetime(2026, 11, 1, tzinfo=ICT)
# 0.1% of Cần Thơ: 3,200 residents, a handful of cameras at real traffic, one day of detections.
SCALED = SimulationConfig(
    seed=13,
    days=60,
    residents=3_200,
    camera_traffic=REAL_CAMERA_TRAFFIC,
    camera_days=1,
    end_at=END,
)


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args([*argv, "--end-at", "2026-11-01T00:00"])


def test_scale_is_a_share_of_the_real_province() -> None:
    assert real_residents(92, 1.0) == 3_200_000
    assert real_residents(92, 0.001) == 3_200
    assert real_residents(92, 1e-9) == 1
    with pytest.raises(ValueError, match="--residents"):
        real_residents(38, 0.5)
    with pytest.raises(ValueError, match="scale"):
        real_residents(92, 1.5)


def test_cli_scale_and_residents_set_an_exact_size_with_real_traffic() -> None:
    settings = Settings()
    scaled = _config(_parse("--scale", "0.001"), settings)
    assert (scaled.residents, scaled.camera_traffic) == (3_200, REAL_CAMERA_TRAFFIC)
    exact = _config(_parse("--residents", "12345", "--province", "38"), settings)
    assert (exact.residents, exact.province_code, exact.camera_traffic) == (12_345, 38, 60.0)
    demo = _config(_parse(), settings)
    assert (demo.residents, demo.residents_per_ward, demo.camera_traffic) == (None, 250, 1.0)
    for clash in (
        ["--scale", "0.1", "--residents", "5"],
        ["--scale", "0.1", "--residents-per-ward", "5"],
        ["--scale", "0"],
        ["--residents", "0"],
    ):
        with pytest.raises(SystemExit):
            _parse(*clash)


def test_unknown_real_size_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _parse("--scale", "0.01", "--province", "38", "--dry-run", "--no-progress")
    assert run(args, Settings(data_dir=tmp_path)) == 2
    assert capsys.readouterr().err.strip() == (
        "antt simulate: the real size of province 38 is not known; give --residents instead"
    )


def test_ward_sizes_add_up_exactly() -> None:
    wards = [f"W{i:03d}" for i in range(103)]
    for total in (1, 102, 103, 3_200, 3_200_000):
        sizes = ward_sizes(total, wards, random.Random(total))
        assert sum(sizes.values()) == total
        assert list(sizes) == wards
    # Weights of 0.75-1.25 around the mean, so no ward is empty at any real size.
    sizes = ward_sizes(3_200_000, wards, random.Random(1))
    mean = 3_200_000 / 103
    assert all(0.7 * mean <= n <= 1.3 * mean for n in sizes.values())


def test_the_world_has_exactly_the_residents_asked_for() -> None:
    world = build_world(SCALED)
    assert len(world.residents) == 3_200
    assert sum(world.population.values()) == 3_200
    expected = ward_sizes(3_200, [w.code for w in world.wards], derive(SCALED.seed, "ward-sizes"))
    assert dict(world.population) == {k: v for k, v in expected.items() if v}


def test_scaled_province_is_deterministic() -> None:
    first = list(generate(SCALED))
    assert first == list(generate(SCALED))
    other = list(generate(replace(SCALED, seed=14)))
    assert {m.value for m in first} != {m.value for m in other}


def test_progress_lines_name_every_stage() -> None:
    lines: list[str] = []
    backfill = simulate(SCALED, lines.append)
    counts = Counter(m.topic for m in backfill.messages)
    assert lines[0] == (
        f"province 92: 3,200 residents in 103 wards, {len(backfill.world.cameras):,} cameras, "
        f"{len(backfill.world.facilities):,} lodging facilities"
    )
    assert lines[1] == f"population.updates: {counts['population.updates']:,} events over 60 days"
    assert lines[2] == f"camera.events: {counts['camera.events']:,} detections over 1 days"
    assert len(lines) == 5


def test_cameras_see_real_traffic_at_every_size() -> None:
    """Detections per camera a day are what real ANPR sees (thousands at a traffic node),
    whatever the scale: the count is Poisson around the cameras' own rates times the traffic."""
    for residents in (3_200, 20_000):
        config = replace(SCALED, residents=residents)
        world = build_world(config)
        drafts = camera_drafts(
            config, world.cameras, world.traffic, world.watchlist, derive(config.seed, "d")
        )
        start, end = config.camera_start_s, config.end_s
        spans = [(c, c.active_span(start, end)) for c in world.cameras]
        expected = sum(
            c.activity * REAL_CAMERA_TRAFFIC * (s[1] - s[0]) / 86_400 for c, s in spans if s
        )
        sightings = sum(
            1 for d in drafts if d.payload["plate"] in {w.value for w in world.watchlist}
        )
        seen = len(drafts) - sightings
        # A sum of Poissons: within six standard deviations, and in-hour clipping loses < 2%.
        assert (
            0.98 * expected - 6 * math.sqrt(expected) <= seen <= expected + 6 * math.sqrt(expected)
        )
        per_camera_day = seen / sum(1 for _, s in spans if s) / config.camera_days
        assert 300 <= per_camera_day <= 4_000, per_camera_day
        public = [c.activity * REAL_CAMERA_TRAFFIC for c in world.cameras if c.owner == "public"]
        assert all(1_200 <= rate <= 3_600 for rate in public)


def test_incidents_follow_the_national_rate_at_size() -> None:
    """Incident reports per ward follow residents x activity x the category's rate per 100,000."""
    config = SimulationConfig(seed=21, days=730, residents=40_000, end_at=END)
    world = build_world(config)
    drafts, _ = incident_drafts(config, world.wards, world.population, derive(config.seed, "i"))
    reports = {d.payload["report_id"]: d.payload for d in drafts}
    years = config.days / 365.25
    for category in ("social_order_crime", "petition", "other"):
        expected = (
            sum(world.population[w.code] * w.activity for w in world.wards)
            * CATEGORY_RATE[category]
            / 100_000
            * years
        )
        got = sum(r["category"] == category for r in reports.values())
        # Yearly trends per ward move the total a little; reports received after the end are out.
        assert 0.8 * expected - 5 * math.sqrt(expected) <= got <= 1.2 * expected, category


def test_lodging_per_facility_is_the_same_at_every_size() -> None:
    def per_facility_day(residents: int) -> float:
        config = replace(SCALED, residents=residents, days=90)
        world = build_world(config)
        drafts, _ = lodging_drafts(
            config, world.facilities, world.guests, world.watchlist, derive(config.seed, "s")
        )
        check_ins = sum(1 for d in drafts if d.payload["action"] == "check_in")
        active = [f for f in world.facilities if f.active_span(config.start_s, config.end_s)]
        return check_ins / len(active) / config.days

    assert 0.5 <= per_facility_day(10_000) <= 4
    assert 0.5 <= per_facility_day(40_000) <= 4
