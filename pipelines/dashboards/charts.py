"""The dashboards' charts: weekly trends against last year, rankings, shares against a target.

Charts that count persons drop values from 1 to 4 (a chart cannot print "<5"); a trace left with
no value at all is not drawn, so that no chart is shown without data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import plotly.graph_objects as go
import polars as pl

from pipelines.dashboards.style import PALETTE, SERIES, chart_layout
from warehouse.vietnamese import format_date, format_int, format_pct, is_suppressed

__all__ = [
    "grouped_bars",
    "pct_bars",
    "ranking",
    "selectable_bars",
    "stacked_months",
    "weekly_trend",
]

_DATE_AXIS = {"tickformat": "%d/%m/%Y", "showgrid": True, "gridcolor": "#e6eaef"}
_VALUE_AXIS = {"showgrid": True, "gridcolor": "#e6eaef", "rangemode": "tozero"}


# Room above the plot, under the title and subtitle, for a dropdown.
_MENU_ROOM: Final = {"margin": {"l": 70, "r": 30, "t": 150, "b": 60}}


def _private(values: Sequence[int | None], persons: bool) -> list[int | None]:
    return [None if persons and is_suppressed(v) else v for v in values]


def _menu(
    labels: Sequence[str],
    per_option: int,
    *,
    label: str,
    layouts: Sequence[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A dropdown showing ``per_option`` traces at a time, the first option's initially.

    ``layouts``, one per option, are layout changes the option makes along with its traces.
    """
    total = len(labels) * per_option
    buttons = [
        {
            "label": name,
            "method": "update",
            "args": [
                {"visible": [i // per_option == n for i in range(total)]},
                *([layouts[n]] if layouts is not None else []),
            ],
        }
        for n, name in enumerate(labels)
    ]
    return {
        "buttons": buttons,
        "direction": "down",
        "x": 1.0,
        "xanchor": "right",
        "y": 1.02,
        "yanchor": "bottom",
        "showactive": True,
        "font": {"size": 16},
        "name": label,
    }


def _count_ticks(values: Sequence[int | None]) -> int | None:
    """A tick every 1 where the largest count is small: plotly would otherwise mark 0.5 steps."""
    largest = max((v for v in values if v is not None), default=0)
    return 1 if largest <= 5 else None


def _target_line(figure: go.Figure, target: float) -> None:
    figure.add_hline(
        y=target,
        line={"color": PALETTE["target"], "dash": "dash", "width": 2},
        annotation_text=f"Mục tiêu {format_pct(target, digits=0)}",
        annotation_position="top right",
    )


def weekly_trend(
    weekly: pl.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    persons: bool = False,
    first: str | None = None,
) -> go.Figure:
    """This year's weekly line and last year's same weeks, one pair per group with a dropdown.

    ``weekly`` has columns group, week_start, current, prior_year (``queries._weekly``);
    ``first`` is the group shown when the page opens.
    """
    groups = list(dict.fromkeys(weekly["group"].to_list()))
    if first in groups:
        groups.remove(first)
        groups.insert(0, first)
    figure = go.Figure()
    hover = f"Tuần từ %{{x|%d/%m/%Y}}: %{{y:,}} {unit}<extra>%{{fullData.name}}</extra>"
    ticks = []
    for n, group in enumerate(groups):
        rows = weekly.filter(pl.col("group") == group).sort("week_start")
        weeks = rows["week_start"].to_list()
        shown = {s: _private(rows[s].to_list(), persons) for s in ("current", "prior_year")}
        ticks.append({"yaxis.dtick": _count_ticks(shown["current"] + shown["prior_year"])})
        for series, name, colour, dash in (
            ("current", "Năm nay", PALETTE["primary"], "solid"),
            ("prior_year", "Cùng kỳ năm trước", PALETTE["prior"], "dot"),
        ):
            figure.add_trace(
                go.Scatter(
                    x=weeks,
                    y=shown[series],
                    name=name,
                    mode="lines+markers",
                    line={"color": colour, "width": 3, "dash": dash},
                    marker={"size": 5},
                    visible=n == 0,
                    hovertemplate=hover,
                )
            )
    first_ticks = ticks[0]["yaxis.dtick"] if ticks else None
    yaxis = {**_VALUE_AXIS, "title": unit, "dtick": first_ticks}
    extra: dict[str, Any] = {"xaxis": _DATE_AXIS, "yaxis": yaxis}
    if len(groups) > 1:
        extra.update(_MENU_ROOM, updatemenus=[_menu(groups, 2, label="Nhóm", layouts=ticks)])
    figure.update_layout(chart_layout(title=title, subtitle=subtitle, **extra))
    return figure


def ranking(
    names: Sequence[str],
    values: Sequence[float],
    texts: Sequence[str],
    *,
    title: str,
    subtitle: str,
    axis: str,
    higher_is_better: bool | None,
) -> go.Figure:
    """Horizontal bars in the given order, each labelled with its text.

    With ``higher_is_better`` the values are changes: green on the better side of zero, red on
    the other, on an axis symmetric about zero, and each label sits on the empty side of its bar
    so that no label runs into the ward names. Without it the bars are shares in one colour,
    labelled inside.
    """
    bar: dict[str, Any] = {"x": list(values), "y": list(names), "orientation": "h"}
    bar["hovertemplate"] = "%{y}: %{customdata}<extra></extra>"
    bar["customdata"] = list(texts)
    layout: dict[str, Any] = {}
    if higher_is_better is None:
        bar.update(text=list(texts), textposition="inside", marker={"color": PALETTE["primary"]})
        x_range = None
    else:
        bar["marker"] = {
            "color": [
                PALETTE["good"] if (v >= 0) == higher_is_better else PALETTE["bad"] for v in values
            ]
        }
        widest = max((abs(v) for v in values), default=0) or 1
        x_range = [-widest * 1.05, widest * 1.05]
        layout["annotations"] = [
            {
                "x": 0,
                "y": name,
                "text": text,
                "showarrow": False,
                "xanchor": "left" if value < 0 else "right",
                "xshift": 6 if value < 0 else -6,
            }
            for name, value, text in zip(names, values, texts, strict=True)
        ]
    figure = go.Figure(go.Bar(**bar))
    figure.update_layout(
        chart_layout(
            title=title,
            subtitle=subtitle,
            height=max(360, 140 + 40 * len(names)),
            xaxis={
                **_VALUE_AXIS,
                "title": axis,
                "zeroline": True,
                "zerolinecolor": "#555",
                **({"range": x_range} if x_range else {}),
            },
            yaxis={"autorange": "reversed", "automargin": True},
            margin={"l": 170, "r": 30, "t": 100, "b": 60},
            showlegend=False,
            **layout,
        )
    )
    return figure


def pct_bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    subtitle: str = "",
    target: float | None = None,
) -> go.Figure:
    """Percentages as bars, labelled in Vietnamese format, with the target as a line."""
    figure = go.Figure(
        go.Bar(
            x=list(labels),
            y=list(values),
            text=[format_pct(v) for v in values],
            textposition="outside",
            marker={"color": PALETTE["primary"]},
            hovertemplate="%{x}: %{text}<extra></extra>",
            showlegend=False,
        )
    )
    if target is not None:
        _target_line(figure, target)
    figure.update_layout(
        chart_layout(
            title=title,
            subtitle=subtitle,
            yaxis={**_VALUE_AXIS, "range": [0, 112], "ticksuffix": "%"},
        )
    )
    return figure


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
    *,
    title: str,
    subtitle: str = "",
    unit: str,
    persons: bool = False,
    colours: Sequence[str] = (PALETTE["primary"], PALETTE["prior"]),
) -> go.Figure:
    """Counts side by side per label, e.g. each reporting year and the same dates a year earlier.

    With ``persons`` the values from 1 to 4 are left out, and a series left empty is not drawn.
    """
    figure = go.Figure()
    for (name, counts), colour in zip(series, colours, strict=False):
        values = _private(counts, persons)
        if not any(v is not None for v in values):
            continue
        figure.add_trace(
            go.Bar(
                x=list(labels),
                y=list(values),
                name=name,
                marker={"color": colour},
                text=["" if v is None else format_int(v) for v in values],
                textposition="outside",
                hovertemplate=f"%{{x}}: %{{y:,}} {unit}<extra>{name}</extra>",
            )
        )
    figure.update_layout(
        chart_layout(
            title=title, subtitle=subtitle, barmode="group", yaxis={**_VALUE_AXIS, "title": unit}
        )
    )
    return figure


def selectable_bars(
    options: Sequence[tuple[str, Sequence[str], Sequence[float]]],
    *,
    title: str,
    subtitle: str = "",
    target: float | None = None,
) -> go.Figure:
    """Percentage bars for one option at a time (the province, then each ward) with a dropdown."""
    figure = go.Figure()
    for n, (_, labels, values) in enumerate(options):
        figure.add_trace(
            go.Bar(
                x=list(labels),
                y=list(values),
                text=[format_pct(v) for v in values],
                textposition="outside",
                marker={"color": [SERIES[i % len(SERIES)] for i in range(len(labels))]},
                visible=n == 0,
                showlegend=False,
                hovertemplate="%{x}: %{text}<extra></extra>",
            )
        )
    if target is not None:
        _target_line(figure, target)
    figure.update_layout(
        chart_layout(
            title=title,
            subtitle=subtitle,
            height=460,
            yaxis={**_VALUE_AXIS, "range": [0, 112], "ticksuffix": "%"},
            updatemenus=[_menu([name for name, _, _ in options], 1, label="Địa bàn")],
            **_MENU_ROOM,
        )
    )
    return figure


def stacked_months(
    months: pl.DataFrame, *, title: str, subtitle: str = "", unit: str, labels: dict[str, str]
) -> go.Figure | None:
    """Monthly counts per kind, stacked; months with 1 to 4 are left out. None when nothing is left.

    ``months`` has columns kind, month_start, count; ``labels`` names each kind in Vietnamese.
    """
    figure = go.Figure()
    for kind in dict.fromkeys(months["kind"].to_list()):
        rows = months.filter(pl.col("kind") == kind).sort("month_start")
        values = _private(rows["count"].to_list(), persons=True)
        if not any(values):
            continue
        figure.add_trace(
            go.Bar(
                x=[f"{format_date(d)[3:]}" for d in rows["month_start"].to_list()],
                y=values,
                name=labels.get(kind, kind),
                hovertemplate=f"Tháng %{{x}}: %{{y:,}} {unit}<extra>%{{fullData.name}}</extra>",
            )
        )
    if not figure.data:
        return None
    figure.update_layout(
        chart_layout(
            title=title, subtitle=subtitle, barmode="stack", yaxis={**_VALUE_AXIS, "title": unit}
        )
    )
    return figure
