"""The suites' sources: every warehouse view has facts, headers parse, enums come from the contract.

These run without Great Expectations; the suites themselves are exercised on a real warehouse in
tests/integration/test_data_quality.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import warehouse
from expectations.contract import contract_enum
from expectations.facts import PSEUDONYM_PATTERN, RAW_IDENTIFIER_PATTERN, VIEWS
from expectations.models import VALIDATED_LAYERS, model_headers, parse_header
from streams.contract.validate import load_schema

REPO = Path(__file__).resolve().parents[2]
_VALIDATED_PREFIXES = ("stg_", "dim_", "fct_", "agg_", "ind_")


@pytest.fixture(scope="module")
def view_columns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    con = warehouse.connect(landing_dir=tmp_path_factory.mktemp("landing"))
    try:
        names = con.sql("select view_name from duckdb_views() where not internal").fetchall()
        return {name: set(con.sql(f"select * from {name} limit 0").columns) for (name,) in names}
    finally:
        con.close()


def test_every_analyst_view_of_the_warehouse_has_a_suite(view_columns: dict[str, set[str]]) -> None:
    analyst_views = {name for name in view_columns if name.startswith(_VALIDATED_PREFIXES)}
    assert analyst_views - set(VIEWS) == set(), "add an entry to expectations/facts.py VIEWS"
    assert set(VIEWS) - analyst_views == set(), "VIEWS names a view the warehouse does not have"
    assert set(model_headers()) == set(VIEWS)


def test_every_column_the_facts_name_exists_in_its_view(view_columns: dict[str, set[str]]) -> None:
    missing = []
    for view, facts in VIEWS.items():
        named = {
            *facts.not_null, *facts.pseudonyms, *facts.wards, *facts.instants,
            *facts.birth_dates, *facts.enums, *facts.counts, *facts.percentages,
            *facts.changes, *(column for pair in facts.at_least for column in pair),
            *model_headers()[view].key,
        }  # fmt: skip
        missing += [f"{view}.{column}" for column in sorted(named - view_columns[view])]
    assert missing == []


def test_headers_give_the_key_and_the_columns_null_on_total_rows() -> None:
    sql = (
        "-- ind_x: something.\n"
        "-- grain: one row per (ward_code, year), ward_code NULL for the province total\n"
        "-- key: (ward_code, year)\n"
        "create view ind_x as select 1"
    )
    header = parse_header("ind_x", "50_indicators", sql)
    assert header.key == ("ward_code", "year")
    assert header.nullable_key == frozenset({"ward_code"})
    single = parse_header("stg_y", "20_staging", "-- grain: one row per y\n-- key: y_id\n")
    assert single.key == ("y_id",)
    assert single.nullable_key == frozenset()


def test_a_model_without_grain_or_key_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match=re.escape("20_staging/stg_z.sql")):
        parse_header("stg_z", "20_staging", "-- key: z\ncreate view stg_z as select 1")


def test_every_validated_model_states_a_key() -> None:
    headers = model_headers()
    layers = {header.layer for header in headers.values()}
    assert layers == set(VALIDATED_LAYERS)
    assert all(header.key for header in headers.values())
    assert headers["ind_project06_coverage"].key == ("ward_code", "age_band")
    assert headers["ind_project06_coverage"].nullable_key == frozenset({"ward_code"})
    assert headers["fct_residents"].key == ("person_key",)


def test_enums_are_read_from_the_contract_without_null() -> None:
    schema = load_schema("incident.reports")
    assert contract_enum("incident.reports:status") == schema["properties"]["status"]["enum"]
    severity = [v for v in schema["properties"]["severity"]["enum"] if v is not None]
    assert contract_enum("incident.reports:severity") == severity
    assert None not in contract_enum("population.updates:vneid_level")
    assert contract_enum("lodging.checkins:guest.sex") == ["male", "female"]


def test_an_enum_the_contract_does_not_have_is_an_error() -> None:
    with pytest.raises(KeyError, match=re.escape("incident.reports:colour")):
        contract_enum("incident.reports:colour")


@pytest.mark.parametrize(
    "value",
    [
        "092201001234",  # CCCD
        "id 092201001234 given",
        "123456789",  # CMND
        "0912345678",
        "+84912345678",
        "091 234 5678",
        "51F-123.45",
        "29-H1 234.56",
        "29HA00233",
        "30A-1234",
    ],
)
def test_raw_identifiers_are_recognised(value: str) -> None:
    assert re.search(RAW_IDENTIFIER_PATTERN, value)


@pytest.mark.parametrize(
    "value",
    [
        "5162627099f88a1be9d1cfa6554f61fa",  # a pseudonym
        "012345678901234567890123456789ab",  # a pseudonym that starts with 30 digits
        "9f7c1a2b3c4d5e6f70819203",  # an alert id
        "INC-2026-000042",
        "cam-0000033",
        "CAM-31117-01",
        "FAC-31117-001",
        "20261123T154358-eb0240-0000072",
        "31117",
        "observed_at '2026-11-25T04:01:01+07:00' is more than 5 minutes ahead",
        "Khách sạn Hoa Mai",
    ],
)
def test_ids_codes_and_pseudonyms_are_not_raw_identifiers(value: str) -> None:
    assert not re.search(RAW_IDENTIFIER_PATTERN, value)


def test_the_pseudonym_format_is_the_streams_own() -> None:
    from streams.pseudonym import Pseudonymiser

    pseudonym = Pseudonymiser(b"k" * 32)("person", "092201001234")
    assert re.fullmatch(PSEUDONYM_PATTERN, pseudonym)
    assert not re.fullmatch(PSEUDONYM_PATTERN, "092201001234")


@pytest.mark.parametrize("module", ["warehouse", "streams.app", "pipelines.cli", "expectations"])
def test_importing_does_not_import_great_expectations(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "import warehouse; warehouse.connect\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] == 'great_expectations')\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
