"""`antt bench queries` lands a year the warehouse reads as if the worker had landed it: the landed
schemas and layout, exact sizes, every view resolving. (Its timings go to docs/scaling.md.)"""

from __future__ import annotations

import argparse
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from antt.settings import Settings
from pipelines.bench import queries
from pipelines.simulator.config import ICT
from warehouse import snapshots
from warehouse.api import connect
from warehouse.landing.schemas import table_schema
from warehouse.landing.zone import LandingZone

END = datetime(2026, 11, 1, tzinfo=ICT)
SIZE = queries.Size(residents=20_000, camera_events=20_000, incidents=500, days=120, seed=5)


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("bench") / "landing"
    lines: list[str] = []
    queries.land_year(root, SIZE, END, lines.append)
    return root, lines


def test_files_have_the_landed_schemas_and_layout(landed: tuple[Path, list[str]]) -> None:
    root, _ = landed
    name = re.compile(r"^\d{20}-\d{20}\.parquet$")
    for table in ("camera_events", "population_updates", "incident_reports", "lodging_checkins"):
        files = sorted((root / table / "_").glob("p*/*.parquet"))
        assert files, table
        for path in files:
            assert name.match(path.name), path
            assert pq.read_schema(path).equals(table_schema(table), check_metadata=False)
            first, last = (int(part) for part in path.stem.split("-"))
            assert pq.read_metadata(path).num_rows == last - first + 1


def test_the_warehouse_reads_the_exact_sizes(landed: tuple[Path, list[str]]) -> None:
    root, lines = landed
    con = connect(Settings(), landing_dir=root)
    con.execute("SET VARIABLE as_of = ?", [(END - timedelta(days=1)).date()]).fetchall()

    def count(sql: str) -> int:
        ((value,),) = con.execute(sql).fetchall()
        return int(value)

    assert count("select count(*) from stg_camera_events") == 20_000
    assert count("select count(distinct report_id) from stg_incident_reports") <= 500
    assert count("select count(distinct report_id) from stg_incident_reports") >= 480
    registered = "select count(*) from stg_population_updates where change_type = 'registered'"
    assert count(registered) == 20_000
    # Every camera event comes from a connected camera of the province's reference data.
    assert (
        count("select count(*) from stg_camera_events anti join dim_cameras using (camera_id)") == 0
    )
    # fct_residents: everyone registered and not removed by as_of.
    removed = "select count(*) from stg_population_updates where change_type = 'removed'"
    assert count("select count(*) from fct_residents") == 20_000 - count(removed)
    for view in queries.VIEWS:
        con.execute(f"select count(*) from {view}").fetchall()
    assert lines[0].startswith("province 92: 20,000 residents, ")
    assert lines[-1].startswith("lodging_checkins: ")


def test_a_zone_that_is_not_empty_is_refused(landed: tuple[Path, list[str]]) -> None:
    root, _ = landed
    with pytest.raises(ValueError, match="not empty"):
        queries.land_year(root, SIZE, END, print)


def test_views_option_names_known_views_only() -> None:
    parser = argparse.ArgumentParser()
    queries.add_arguments(parser)
    args = parser.parse_args(["--views", "ind_crime_periods,fct_residents"])
    assert args.views == ("ind_crime_periods", "fct_residents")
    with pytest.raises(SystemExit):
        parser.parse_args(["--views", "ind_nothing"])


def test_changes_since_land_after_the_snapshot_in_each_residents_partition(
    landed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root = tmp_path / "landing"
    shutil.copytree(landed[0], root)
    snapshots.write(root, now=datetime(2026, 11, 1, tzinfo=UTC))
    before = {p: LandingZone(root).landed_through("population_updates", "_", p) for p in range(6)}

    paths = queries.land_changes_since(root, 300, 7, END)

    con = connect(Settings(), landing_dir=root)
    con.execute("SET VARIABLE as_of = ?", [(END - timedelta(days=1)).date()]).fetchall()
    rows = con.execute(
        """
        select count(*), count(distinct since.person_key),
            count(*) filter (where since.source_partition = registered.source_partition),
            count(*) filter (where since.occurred_at >= ? and since.occurred_at < ?),
            count(*) filter (where since.source_offset > mark.watermark)
        from stg_population_updates as since
        inner join stg_population_updates as registered
            on since.person_key = registered.person_key and registered.change_type = 'registered'
        inner join (
            select unnest(getvariable('registry_watermarks'), recursive := true)
        ) as mark on since.source_partition = mark.source_partition
        where since.load_id = 'bench-queries-since'
        """,
        [END - timedelta(days=1), END],
    ).fetchall()
    assert rows == [(300, 300, 300, 300, 300)]
    assert sorted(int(p.parent.name[1:]) for p in paths) == list(range(6))
    for path in paths:
        partition = int(path.parent.name[1:])
        assert int(path.stem.split("-")[0]) == before[partition] + 1
    with pytest.raises(ValueError, match="has 20,000 residents, not 20,001"):
        queries.land_changes_since(root, 20_001, 7, END)
