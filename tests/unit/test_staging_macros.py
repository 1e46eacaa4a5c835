"""The macros that say once which landed row counts, where staged rows came from, and which wards
and incidents a province's indicators are over (warehouse/sql/00_macros)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from tests import factories as f
from warehouse import connect
from warehouse.project import SQL_DIR

LINEAGE = ["source_topic", "source_partition", "source_offset", "load_id", "landed_at"]
# (event or entity key, version, partition, offset, is_deleted, landed_at minute)
LANDED = """
    select * from (
        values
            ('a', 1, 0, 5, false, 1), ('a', 1, 1, 3, false, 2), ('b', 1, 0, 4, false, 3),
            ('r', 1, 0, 9, false, 4), ('r', 2, 0, 4, false, 5), ('r', 2, 1, 7, false, 6),
            ('c1', 1, 0, 1, false, 7), ('c1', 1, 0, 2, true, 8),
            ('c2', 1, 0, 1, true, 9), ('c2', 1, 0, 3, false, 10),
            ('d', 1, 0, 6, false, 12), ('d', 1, 0, 6, false, 11), ('d', 1, 1, 8, false, 1),
            ('e', 2, 2, 9, false, 14), ('e', 2, 2, 9, false, 13), ('e', 1, 2, 2, false, 1)
    ) as rows (entity_id, version, source_partition, source_offset, is_deleted, minute)
"""


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("landing")
    connection = connect(landing_dir=root)
    connection.execute(
        "create temp table landed as select *, 'topic' as source_topic, 'load' as load_id,"
        " timestamp '2026-11-20 08:00' + to_minutes(minute) as landed_at"
        f" from ({LANDED})"
    )
    # The macros read a landed table's files: the same rows, landed as the table 'landed'.
    (root / "landed" / "_" / "p0000").mkdir(parents=True)
    connection.execute(f"copy landed to '{root}/landed/_/p0000/landed.parquet'")
    yield connection
    connection.close()


def _picked(con: duckdb.DuckDBPyConnection, call: str) -> list[tuple[str, int, int]]:
    rows = con.execute(
        f"select entity_id, source_partition, source_offset from {call} order by all"
    ).fetchall()
    return [(str(key), int(partition), int(offset)) for key, partition, offset in rows]


def test_first_offset_keeps_the_first_offset_of_each_event(
    con: duckdb.DuckDBPyConnection,
) -> None:
    picked = _picked(con, "first_offset('landed', entity_id) where entity_id in ('a', 'b')")
    assert picked == [("a", 1, 3), ("b", 0, 4)]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        # A crash replay landed offset 6 again; a retry at offset 8 landed earlier but comes later.
        ("first_offset('landed', entity_id) where entity_id = 'd'", (0, 6, 11)),
        # A crash replay landed the latest version's offset again, a minute after the first copy.
        ("latest_version('landed', entity_id, version) where entity_id = 'e'", (2, 9, 13)),
    ],
)
def test_the_pick_keeps_the_copy_landed_first_at_its_offset(
    con: duckdb.DuckDBPyConnection, call: str, expected: tuple[int, int, int]
) -> None:
    picked = con.execute(f"select source_partition, source_offset, minute from {call}").fetchall()
    assert picked == [expected]


def test_latest_version_keeps_the_highest_version_then_the_later_offset(
    con: duckdb.DuckDBPyConnection,
) -> None:
    picked = _picked(con, "latest_version('landed', entity_id, version) where entity_id = 'r'")
    assert picked == [("r", 1, 7)]


def test_current_entities_drop_an_entity_whose_latest_version_is_a_deletion(
    con: duckdb.DuckDBPyConnection,
) -> None:
    picked = _picked(con, "current_entities('landed', entity_id) where entity_id like 'c%'")
    assert picked == [("c2", 0, 3)]  # c1 was deleted last; c2 was deleted, then listed again


def test_every_source_staging_model_picks_through_a_macro_and_ends_with_its_lineage(
    con: duckdb.DuckDBPyConnection,
) -> None:
    staged = sorted(SQL_DIR.glob("20_staging/*.sql"))
    for path in staged:
        if path.stem == "stg_dq_results":  # written by `antt dq run`: no source topic to trace
            continue
        columns = [d[0] for d in con.execute(f"select * from {path.stem} limit 0").description]
        assert columns[-len(LINEAGE) :] == LINEAGE, path.stem
        assert "qualify" not in path.read_text(encoding="utf-8").lower(), path.stem
    assert len(staged) == 10


def test_province_wards_and_areas_follow_the_session_province(
    con: duckdb.DuckDBPyConnection,
) -> None:
    def count(sql: str) -> int:
        ((value,),) = con.execute(sql).fetchall()
        return int(value)

    assert count("select count(*) from province_wards()") == 103  # Cần Thơ, the default
    assert count("select count(*) from province_areas()") == 104
    assert count("select count(*) from province_areas() where ward_code is null") == 1
    con.execute("set variable province_code = 1")  # Hà Nội
    try:
        hanoi = count("select count(*) from dim_wards where province_code = 1")
        assert hanoi > 100
        assert (
            count(
                "select count(*) from province_wards() inner join dim_wards using (ward_code)"
                " where province_code = 1"
            )
            == hanoi
        )
    finally:
        con.execute("set variable province_code = 92")


def test_province_incidents_are_the_provinces_occurred_or_received_by_as_of(
    con: duckdb.DuckDBPyConnection,
) -> None:
    ((elsewhere,),) = con.execute(
        "select min(ward_code) from dim_wards where province_code <> 92"
    ).fetchall()
    con.execute(
        "create temp table incidents as select * from (values"
        f" (1, '{f.WARD}', date '2026-11-19', date '2026-11-19'),"  # kept
        f" (2, '{f.WARD}', date '2026-11-19', date '2026-11-25'),"  # occurred by as_of: kept
        f" (3, '{f.WARD}', date '2026-11-25', date '2026-11-19'),"  # received by as_of: kept
        f" (4, '{f.WARD}', date '2026-11-21', date '2026-11-22'),"  # after as_of
        f" (5, '{elsewhere}', date '2026-11-19', date '2026-11-19'),"  # another province
        " (6, null, date '2026-11-19', date '2026-11-19')"  # no ward
        ") as incidents (id, ward_code, occurred_on, received_on)"
    )
    con.execute("set variable as_of = date '2026-11-20'")
    ids = con.execute("select id from province_incidents('incidents') order by id").fetchall()
    assert [i for (i,) in ids] == [1, 2, 3]
