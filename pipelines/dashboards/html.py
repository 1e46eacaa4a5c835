"""HTML building blocks shared by every page: the shell with its nav, cards, tables, charts.

Every text that comes from data is escaped here, so a page builder cannot forget it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Final, Literal

import plotly.graph_objects as go

__all__ = [
    "PAGES",
    "Card",
    "Cell",
    "Page",
    "Size",
    "Tone",
    "card_grid",
    "chart",
    "page",
    "table",
]

Tone = Literal["good", "bad", "neutral", "plain"]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the export: its file name and its title in the nav."""

    file: str
    title: str


PAGES: Final = (
    Page("index.html", "Tổng quan"),
    Page("crime.html", "Tội phạm và tiêu chí 19.2"),
    Page("project06.html", "Đề án 06"),
    Page("operations.html", "Camera, lưu trú và cảnh báo"),
    Page("petitions.html", "Đơn thư, kiến nghị"),
)
PLOTLY_JS: Final = "assets/plotly.min.js"
STYLESHEET: Final = "assets/dashboard.css"

# A few lines of script so that a long ward table can be narrowed by typing part of a ward name;
# accents are ignored, so "phuong" finds "Phường".
_FILTER_JS: Final = """
function anttFold(s){return s.normalize('NFD').replace(/[\\u0300-\\u036f]/g,'')
  .replace(/đ/g,'d').replace(/Đ/g,'D').toLowerCase();}
function anttFilter(input){const q=anttFold(input.value);
  document.getElementById(input.dataset.table).querySelectorAll('tbody tr').forEach(function(r){
    r.style.display=anttFold(r.cells[0].textContent).includes(q)?'':'none';});}
"""


@dataclass(frozen=True, slots=True)
class Size:
    """A chart's fixed size in CSS pixels, for print; on screen charts follow the window."""

    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Card:
    """A headline figure: what it is, the figure, its context and the verdict against a target."""

    title: str
    value: str
    detail: str = ""
    verdict: str = ""
    tone: Tone = "plain"


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell; numbers align right, and a verdict takes its row's colour."""

    text: str
    numeric: bool = False
    verdict: bool = False


def card_grid(cards: Sequence[Card]) -> str:
    parts = []
    for c in cards:
        detail = f'<div class="detail">{escape(c.detail)}</div>' if c.detail else ""
        verdict = f'<div class="verdict">{escape(c.verdict)}</div>' if c.verdict else ""
        parts.append(
            f'<section class="card {c.tone}"><h3>{escape(c.title)}</h3>'
            f'<div class="value">{escape(c.value)}</div>{detail}{verdict}</section>'
        )
    return f'<div class="cards">{"".join(parts)}</div>'


def table(
    table_id: str,
    headers: Sequence[Cell],
    rows: Sequence[tuple[Sequence[Cell], Tone]],
    *,
    filterable: bool = False,
) -> str:
    """A table; ``filterable`` adds a box that narrows rows by the first column (ward name)."""
    head = "".join(
        f'<th class="{"num" if h.numeric else ""}">{escape(h.text)}</th>' for h in headers
    )
    body = []
    for cells, tone in rows:
        tds = []
        for cell in cells:
            classes = ["num"] * cell.numeric + ["verdict"] * cell.verdict
            tds.append(f'<td class="{" ".join(classes)}">{escape(cell.text)}</td>')
        body.append(f'<tr class="{tone}">{"".join(tds)}</tr>')
    search = (
        f'<div class="filter"><label>Lọc theo tên xã, phường: <input type="search" '
        f'data-table="{table_id}" oninput="anttFilter(this)"></label></div>'
        if filterable
        else ""
    )
    return (
        f'{search}<table id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _has_points(figure: go.Figure) -> bool:
    return any(trace.y is not None and any(v is not None for v in trace.y) for trace in figure.data)


def chart(
    figure: go.Figure, div_id: str, fixed: Size | None = None, *, empty: str | None = None
) -> str:
    """A figure as a div and a script; plotly.js itself is loaded once per page from assets/.

    A figure without a single value becomes a note (``empty``, plain text, when given), so no
    page shows an empty chart.
    """
    if not _has_points(figure):
        title = str(figure.layout.title.text or "")
        note = escape(empty if empty is not None else f"{title}: chưa có số liệu.")
        return f'<div class="panel"><p class="note">{note}</p></div>'
    if fixed is not None:
        figure.update_layout(
            width=fixed.width,
            height=fixed.height,
            font_size=11,
            title_font_size=14,
            title_subtitle_font_size=10,
            margin_t=70,
        )
    html: str = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displayModeBar": False, "responsive": fixed is None},
    )
    return f'<div class="panel">{html}</div>'


def page(current: Page, *, heading: str, meta: str, body: str, footer: str) -> str:
    """A whole page: head with the shipped stylesheet and plotly.js, header, nav, body, footer.

    ``meta`` and ``body`` are HTML built from this module's escaped pieces.
    """
    nav = "".join(
        f'<a href="{p.file}" class="{"active" if p == current else ""}">{escape(p.title)}</a>'
        for p in PAGES
    )
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(current.title)} — {escape(heading)}</title>
<link rel="stylesheet" href="{STYLESHEET}">
<script src="{PLOTLY_JS}"></script>
<script>{_FILTER_JS}</script>
</head>
<body>
<header><h1>{escape(heading)} — {escape(current.title)}</h1><div class="meta">{meta}</div></header>
<nav>{nav}</nav>
<main>
{body}
</main>
<footer>{escape(footer)}</footer>
</body>
</html>
"""
