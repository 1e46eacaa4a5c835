"""What the analysts' notebooks share: one warehouse session, ward names, Vietnamese tables.

A notebook stays a page of narrative and a few calls: it opens a :class:`NotebookSession` from its
parameters cell, reads indicators through :func:`warehouse.indicator`, and shows them with
Vietnamese headers and numbers (:func:`show`). Each notebook also ends with :func:`emit_summary`,
the figures it reports as machine-readable output, so that the tests can compare them with the
indicator API on the executed notebook.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

import duckdb
import polars as pl

from antt.settings import Settings
from warehouse.api import connect, local_today
from warehouse.vietnamese import (
    EMPTY,
    format_change,
    format_count,
    format_date,
    format_decimal,
    format_int,
    format_pct,
)

__all__ = [
    "AGE_BAND_LABELS",
    "CHECK_LABELS",
    "FEED_LABELS",
    "SUMMARY_MIME",
    "Column",
    "ColumnKind",
    "NotebookSession",
    "emit_summary",
    "jsonable",
    "open_session",
    "show",
    "to_html",
    "vietnamese_table",
]

# The executed notebook keeps this output under its own MIME type; JupyterLab shows the text form.
SUMMARY_MIME: Final = "application/vnd.antt.summary+json"

CHECK_LABELS: Final[Mapping[str, str]] = {
    "mass_petition": "có khiếu kiện đông người",
    "especially_serious_crime": "có tội phạm đặc biệt nghiêm trọng",
    "social_order_crime_increase": "tội phạm về trật tự xã hội tăng",
    "social_evil_increase": "tệ nạn xã hội tăng",
    "traffic_accident_increase": "tai nạn giao thông tăng",
}
AGE_BAND_LABELS: Final[Mapping[str, str]] = {
    "under_6": "Dưới 6 tuổi",
    "6_to_13": "Từ 6 đến dưới 14 tuổi",
    "14_plus": "Từ 14 tuổi trở lên",
    "all": "Tất cả",
}
FEED_LABELS: Final[Mapping[str, str]] = {
    "camera.events": "Camera an ninh",
    "lodging.checkins": "Lưu trú",
    "incident.reports": "Tin báo, tố giác",
    "population.updates": "Dân cư (Đề án 06)",
}

ColumnKind = Literal[
    "text", "int", "count", "pct", "signed_pct", "decimal", "date", "verdict", "yes_no", "change"
]
_VERDICTS: Final = {True: "Đạt", False: "Không đạt", None: "Chưa đánh giá"}
_YES_NO: Final = {True: "Có", False: "Không", None: EMPTY}


@dataclass(frozen=True)
class Column:
    """One column of a table for readers: where it comes from, its header, how it is written.

    ``count`` is a count of persons (1 to 4 shows "<5"); ``change`` writes ``source`` against
    ``reference`` as "giảm 3 vụ (−9,02%)"; ``labels`` translates codes (a list becomes "a; b").
    """

    source: str
    header: str
    kind: ColumnKind = "text"
    reference: str | None = None
    labels: Mapping[str, str] | None = None


@dataclass(frozen=True)
class NotebookSession:
    """The warehouse as one notebook sees it: a connection whose ``as_of`` and province are set."""

    con: duckdb.DuckDBPyConnection
    landing_dir: Path
    province_code: int
    province_name: str
    as_of: dt.date
    wards: pl.DataFrame  # ward_code, ward_name of the province, by name

    def named(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with ``ward_name`` first; the province row (no ward_code) is the province."""
        return (
            frame.join(self.wards, on="ward_code", how="left", nulls_equal=False)
            .with_columns(
                pl.when(pl.col("ward_code").is_null())
                .then(pl.lit(self.province_name))
                .otherwise(pl.col("ward_name"))
                .alias("ward_name")
            )
            .select("ward_name", pl.exclude("ward_name"))
        )


def open_session(
    landing_dir: str | Path | None = None,
    *,
    as_of: str | dt.date | None = None,
    province_code: int | None = None,
) -> NotebookSession:
    """The notebook's warehouse, from its parameters cell (``None`` means the settings' default).

    ``landing_dir`` defaults to the settings' (``ANTT_DATA_DIR``/landing), ``as_of`` (ISO text or
    a date) to today in Vietnam. The connection's ``as_of`` and ``province_code`` variables are set,
    so that SQL typed in the notebook sees the same day and province as the indicators.
    """
    settings = Settings() if province_code is None else Settings(province_code=province_code)
    root = Path(landing_dir) if landing_dir else settings.landing_dir
    if not root.is_dir():
        raise FileNotFoundError(f"no landing zone at {root}: run `make demo` or set landing_dir")
    day = _as_date(as_of)
    con = connect(settings, landing_dir=root)
    try:
        for variable, value in (("as_of", day), ("province_code", settings.province_code)):
            con.execute(f"SET VARIABLE {variable} = ?", [value]).fetchall()
        wards = con.sql(
            "SELECT ward_code, ward_name, province_name FROM dim_wards WHERE province_code = ?"
            " ORDER BY ward_name",
            params=[settings.province_code],
        ).pl()
        if wards.is_empty():
            raise ValueError(f"province code {settings.province_code} has no wards")
    except BaseException:
        con.close()
        raise
    _configure_display()
    return NotebookSession(
        con=con,
        landing_dir=root,
        province_code=settings.province_code,
        province_name=str(wards["province_name"][0]),
        as_of=day,
        wards=wards.drop("province_name"),
    )


def vietnamese_table(frame: pl.DataFrame, columns: Sequence[Column]) -> pl.DataFrame:
    """``frame`` as text for readers: the given columns, in order, under Vietnamese headers."""
    return pl.DataFrame(
        {
            column.header: [_cell(row, column) for row in frame.iter_rows(named=True)]
            for column in columns
        },
        schema={column.header: pl.String for column in columns},
    )


def to_html(frame: pl.DataFrame) -> str:
    """A plain HTML table of a text frame, without the dtypes and quotes of polars' own view."""
    head = "".join(f"<th>{html.escape(name)}</th>" for name in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>"
        for row in frame.iter_rows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def show(frame: pl.DataFrame, columns: Sequence[Column]) -> None:
    """Display ``frame`` in the notebook as a Vietnamese table (HTML, with a text fallback)."""
    from IPython.display import display

    table = vietnamese_table(frame, columns)
    display({"text/html": to_html(table), "text/plain": str(table)}, raw=True)  # type: ignore[no-untyped-call]


def jsonable(value: Any) -> Any:
    """``value`` as JSON keeps it exactly: decimals as text ("−9.02" stays "-9.02"), ISO dates."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def emit_summary(notebook: str, figures: Mapping[str, Any]) -> None:
    """Output the figures a notebook reports, under :data:`SUMMARY_MIME`, for the tests to read."""
    from IPython.display import display

    payload = jsonable({"notebook": notebook, **figures})
    text = json.dumps(payload, ensure_ascii=False, indent=1)
    display({SUMMARY_MIME: payload, "text/plain": text}, raw=True)  # type: ignore[no-untyped-call]


def _as_date(value: str | dt.date | None) -> dt.date:
    if value is None or value == "":
        return local_today()
    if isinstance(value, dt.datetime):
        raise TypeError("as_of is a local calendar date, not a datetime")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"as_of must be a date written YYYY-MM-DD, not {value!r}") from None


def _cell(row: Mapping[str, Any], column: Column) -> str:
    value = row[column.source]
    match column.kind:
        case "int":
            return format_int(value)
        case "count":
            return format_count(value)
        case "pct":
            return format_pct(value)
        case "signed_pct":
            return format_pct(value, signed=True)
        case "decimal":
            return format_decimal(value)
        case "date":
            return format_date(value)
        case "verdict":
            return _VERDICTS[value]
        case "yes_no":
            return _YES_NO[value]
        case "change":
            if column.reference is None:
                raise ValueError(f"column {column.header!r} needs a reference to compare with")
            return format_change(value, row[column.reference])
        case "text":
            return _text(value, column.labels)


def _text(value: Any, labels: Mapping[str, str] | None) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, list):
        return "; ".join(_text(item, labels) for item in value) or EMPTY
    return labels.get(str(value), str(value)) if labels is not None else str(value)


def _configure_display() -> None:
    # Figures travel as Plotly's MIME bundle (JupyterLab renders it), not with plotly.js inlined
    # into every output; tables list every ward.
    import plotly.io as pio

    pio.renderers.default = "plotly_mimetype"
    pl.Config.set_tbl_rows(-1)
    pl.Config.set_tbl_hide_column_data_types(True)
    pl.Config.set_tbl_hide_dataframe_shape(True)
