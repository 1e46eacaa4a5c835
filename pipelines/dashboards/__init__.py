"""Leadership's offline dashboards: static HTML pages with plotly.js inside, and a PDF briefing.

``antt dashboards export --out DIR`` writes them (``cli``); ``export_dashboards`` is the API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["ExportResult", "export_dashboards"]

if TYPE_CHECKING:
    from pipelines.dashboards.export import ExportResult, export_dashboards


def __getattr__(name: str) -> Any:
    # Loaded on use, so that ``antt --help`` does not import plotly and DuckDB.
    if name in __all__:
        from pipelines.dashboards import export

        return getattr(export, name)
    raise AttributeError(f"module 'pipelines.dashboards' has no attribute {name!r}")
