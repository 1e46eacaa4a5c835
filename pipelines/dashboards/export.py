"""Writes the dashboard folder: pages, stylesheet and plotly.js, ready for a USB stick.

Everything a page loads is inside the folder and referenced by a relative path, so the pages work
from file:// with no network; the data-quality report is copied in when its folder is given.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from plotly.offline import get_plotlyjs

from antt.settings import Settings
from pipelines.dashboards.data import DashboardData, load
from pipelines.dashboards.html import PLOTLY_JS, STYLESHEET
from pipelines.dashboards.pages import build_pages, overview
from pipelines.dashboards.pdf import print_pdf
from pipelines.dashboards.style import CSS

__all__ = ["BRIEFING_PDF", "DQ_DOCS", "ExportResult", "export_dashboards"]

BRIEFING_PDF: Final = "tong-quan.pdf"
DQ_DOCS: Final = "chat-luong-du-lieu"


@dataclass(frozen=True, slots=True)
class ExportResult:
    folder: Path
    pages: tuple[Path, ...]
    pdf: Path | None
    seconds: float


def _dq_docs_href(out: Path, dq_docs: Path | None) -> str | None:
    """Copies the offline data-quality report into the export and returns its relative link."""
    if dq_docs is None:
        return None
    if not dq_docs.is_dir():
        raise RuntimeError(f"data-quality report folder not found: {dq_docs}")
    target = out / DQ_DOCS
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(dq_docs, target)
    index = next(iter(sorted(target.rglob("index.html"), key=lambda p: len(p.parts))), None)
    return (index or target).relative_to(out).as_posix()


def export_dashboards(
    settings: Settings,
    out: Path,
    *,
    as_of: dt.date,
    pdf: bool = False,
    dq_docs: Path | None = None,
) -> ExportResult:
    """Reads the warehouse as of ``as_of`` and writes every page (and the PDF) into ``out``."""
    started = time.monotonic()
    data = load(settings, as_of)
    out.mkdir(parents=True, exist_ok=True)
    (out / PLOTLY_JS).parent.mkdir(parents=True, exist_ok=True)
    (out / PLOTLY_JS).write_text(get_plotlyjs(), encoding="utf-8")
    (out / STYLESHEET).write_text(CSS, encoding="utf-8")
    written = []
    docs_href = _dq_docs_href(out, dq_docs)
    for name, html in build_pages(data, docs_href).items():
        (out / name).write_text(html, encoding="utf-8")
        written.append(out / name)
    briefing = _briefing(out, data, docs_href) if pdf else None
    return ExportResult(out, tuple(written), briefing, time.monotonic() - started)


def _briefing(out: Path, data: DashboardData, docs_href: str | None) -> Path:
    """The overview with its charts sized for paper, printed, then the print copy removed."""
    printable = out / ".overview-print.html"
    printable.write_text(overview(data, docs_href, briefing=True), encoding="utf-8")
    try:
        return print_pdf(printable, out / BRIEFING_PDF)
    finally:
        printable.unlink(missing_ok=True)
