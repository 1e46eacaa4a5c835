"""``antt dashboards export``: the command line of the offline dashboards."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from antt.settings import Settings
from warehouse.api import local_today

__all__ = ["add_arguments", "export_for_demo", "run"]


def _date(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD or DD/MM/YYYY)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="write the offline dashboards (HTML, plotly.js inside) into a folder",
        description="Writes index.html (the province overview) and one page per subject into "
        "OUT; the folder opens from file:// on a machine without internet.",
    )
    export.add_argument("--out", type=Path, required=True, help="the folder to write")
    export.add_argument(
        "--as-of",
        type=_date,
        default=None,
        help="the last local date the figures cover (default: today in Vietnam)",
    )
    export.add_argument(
        "--pdf", action="store_true", help="also print the overview to PDF with headless Chromium"
    )
    export.add_argument(
        "--dq-docs",
        type=Path,
        default=None,
        help="the offline data-quality report folder (antt dq run) to copy in and link",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.dashboards.export import export_dashboards

    as_of = args.as_of or local_today()
    print(f"exporting dashboards as of {as_of:%Y-%m-%d} from {settings.landing_dir} …", flush=True)
    result = export_dashboards(settings, args.out, as_of=as_of, pdf=args.pdf, dq_docs=args.dq_docs)
    print(f"wrote {len(result.pages)} pages to {result.folder} in {result.seconds:.1f} s")
    print(f"open {(result.folder / 'index.html').resolve().as_uri()}")
    if result.pdf is not None:
        print(f"briefing PDF: {result.pdf}")
    return 0


def export_for_demo(settings: Settings) -> str:
    """The demo's last step: the dashboards in ``<data_dir>/dashboards``, linking the report of
    the demo's data-quality step when there is one; says where they are."""
    from expectations.cli import DOCS_FOLDER
    from pipelines.dashboards.export import export_dashboards
    from pipelines.dashboards.pdf import CHROMIUM

    dq_docs = settings.data_dir / DOCS_FOLDER
    result = export_dashboards(
        settings,
        settings.data_dir / "dashboards",
        as_of=local_today(),
        pdf=CHROMIUM.exists(),
        dq_docs=dq_docs if dq_docs.is_dir() else None,
    )
    where = f"dashboards: {(result.folder / 'index.html').resolve().as_uri()}"
    if result.pdf is None:
        return f"{where} (no PDF briefing: {CHROMIUM} is missing)"
    return f"{where}, PDF briefing: {result.pdf.resolve()}"
