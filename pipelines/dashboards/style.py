"""One look for every page and chart: palette, type sizes for a projector, and print rules.

Only system fonts: the pages open on office machines without internet, so nothing is fetched.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["CSS", "FONT", "PALETTE", "SERIES", "chart_layout"]

FONT: Final = "'Segoe UI', 'Noto Sans', Roboto, 'Helvetica Neue', Arial, sans-serif"

PALETTE: Final = {
    "primary": "#1d4e89",  # this year, the main figure
    "prior": "#9aa5b1",  # the same period a year earlier
    "good": "#2e7d32",
    "bad": "#c62828",
    "neutral": "#ef8f00",
    "target": "#6a1b9a",
    "ink": "#1b1f24",
    "muted": "#5b6570",
    "paper": "#ffffff",
    "page": "#f3f5f8",
}

# Categorical series (age bands, alert kinds) in a fixed order, so a colour means one thing.
SERIES: Final = ("#1d4e89", "#ef8f00", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457", "#5d4037")


def chart_layout(
    *, title: str, subtitle: str = "", height: int = 440, **extra: Any
) -> dict[str, Any]:
    """The layout every figure shares: Vietnamese separators (1.234,5), large type, our colours."""
    layout: dict[str, Any] = {
        "title": {
            "text": title,
            "subtitle": {"text": subtitle, "font": {"size": 15, "color": PALETTE["muted"]}},
            "x": 0.01,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 14},
            "font": {"size": 21, "color": PALETTE["ink"]},
        },
        "height": height,
        "separators": ",.",
        "font": {"family": FONT, "size": 16, "color": PALETTE["ink"]},
        "paper_bgcolor": PALETTE["paper"],
        "plot_bgcolor": PALETTE["paper"],
        "colorway": list(SERIES),
        "margin": {"l": 70, "r": 30, "t": 100, "b": 60},
        "legend": {"orientation": "h", "y": -0.18, "x": 0},
        "hoverlabel": {"font": {"family": FONT, "size": 16}},
    }
    layout.update(extra)
    return layout


CSS: Final = f"""
* {{ box-sizing: border-box; }}
body {{ margin: 0; font-family: {FONT}; font-size: 18px; color: {PALETTE["ink"]};
  background: {PALETTE["page"]}; }}
header {{ background: {PALETTE["primary"]}; color: #fff; padding: 14px 28px; }}
header h1 {{ margin: 0; font-size: 30px; }}
header .meta {{ margin-top: 4px; font-size: 17px; opacity: 0.92; }}
nav {{ display: flex; flex-wrap: wrap; gap: 6px; padding: 10px 28px; background: #fff;
  border-bottom: 1px solid #d5dbe3; }}
nav a {{ padding: 8px 16px; border-radius: 6px; color: {PALETTE["primary"]}; font-weight: 600;
  text-decoration: none; font-size: 18px; }}
nav a.active {{ background: {PALETTE["primary"]}; color: #fff; }}
main {{ padding: 18px 28px 40px; }}
h2 {{ font-size: 25px; margin: 26px 0 10px; }}
.status {{ display: inline-block; padding: 6px 14px; border-radius: 6px; font-weight: 600;
  background: #fff; border-left: 6px solid {PALETTE["muted"]}; }}
.status.good {{ border-color: {PALETTE["good"]}; }}
.status.bad {{ border-color: {PALETTE["bad"]}; }}
.status a {{ color: {PALETTE["primary"]}; margin-left: 10px; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr));
  gap: 14px; }}
.card {{ background: #fff; border-radius: 8px; padding: 14px 18px;
  border-top: 6px solid {PALETTE["muted"]}; box-shadow: 0 1px 3px rgba(0,0,0,0.12); }}
.card.good {{ border-top-color: {PALETTE["good"]}; }}
.card.bad {{ border-top-color: {PALETTE["bad"]}; }}
.card.neutral {{ border-top-color: {PALETTE["neutral"]}; }}
.card h3 {{ margin: 0 0 6px; font-size: 18px; color: {PALETTE["muted"]}; font-weight: 600; }}
.card .value {{ font-size: 38px; font-weight: 700; line-height: 1.15; }}
.card .detail {{ margin-top: 6px; font-size: 17px; }}
.card .verdict {{ margin-top: 6px; font-size: 17px; font-weight: 600; }}
.good .verdict {{ color: {PALETTE["good"]}; }}
.bad .verdict {{ color: {PALETTE["bad"]}; }}
.neutral .verdict {{ color: {PALETTE["neutral"]}; }}
.grid2 {{ display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }}
.panel {{ background: #fff; border-radius: 8px; padding: 8px; margin-top: 14px;
  box-shadow: 0 1px 3px rgba(0,0,0,0.12); min-width: 0; }}
table {{ border-collapse: collapse; width: 100%; background: #fff; font-size: 17px; }}
th, td {{ padding: 7px 10px; border-bottom: 1px solid #e1e6ec; text-align: left; }}
th {{ background: #e8edf3; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.good td.verdict {{ color: {PALETTE["good"]}; font-weight: 600; }}
tr.bad td.verdict {{ color: {PALETTE["bad"]}; font-weight: 600; }}
tr.neutral td.verdict {{ color: {PALETTE["neutral"]}; font-weight: 600; }}
.filter {{ margin: 10px 0; font-size: 18px; }}
.filter input {{ font-size: 18px; padding: 6px 10px; width: 320px; }}
.note {{ color: {PALETTE["muted"]}; font-size: 16px; margin: 8px 0; }}
footer {{ padding: 10px 28px 30px; color: {PALETTE["muted"]}; font-size: 15px; }}
@media screen and (max-width: 1100px) {{ .grid2 {{ grid-template-columns: 1fr; }} }}
@media print {{
  @page {{ size: A4 landscape; margin: 9mm; }}
  body {{ background: #fff; font-size: 12px; }}
  nav, .filter, .noprint {{ display: none; }}
  header {{ padding: 6px 10px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
  header h1 {{ font-size: 20px; }}
  header .meta {{ font-size: 12px; }}
  main {{ padding: 6px 10px; }}
  h2 {{ font-size: 16px; margin: 8px 0 4px; }}
  .cards {{ grid-template-columns: repeat(4, 1fr); gap: 6px; }}
  .card {{ padding: 6px 8px; box-shadow: none; border: 1px solid #ccd;
    -webkit-print-color-adjust: exact; print-color-adjust: exact; break-inside: avoid; }}
  .card h3, .card .detail, .card .verdict {{ font-size: 11px; }}
  .card .value {{ font-size: 20px; }}
  .panel {{ box-shadow: none; break-inside: avoid; margin-top: 6px; }}
  table {{ font-size: 11px; }}
  th, td {{ padding: 3px 6px; }}
  footer {{ font-size: 10px; padding: 4px 10px; }}
}}
"""
