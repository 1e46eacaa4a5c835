"""The ``antt dq`` command: ``run`` validates the warehouse, ``list`` names the suites."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from antt.settings import Settings
from expectations.facts import DEFAULT_MAX_AGE_HOURS

__all__ = ["DOCS_FOLDER", "add_arguments", "check_for_demo", "run"]

# Where `antt demo` writes the report, under its data folder.
DOCS_FOLDER: Final = "dq-docs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``antt dq`` arguments (GX is not imported here)."""
    parser.add_argument("action", choices=["run", "list"], help="run the suites, or list them")
    parser.add_argument("--suite", metavar="NAME", help="run this suite only (see `antt dq list`)")
    parser.add_argument(
        "--docs", type=Path, metavar="DIR", help="write the offline HTML report to DIR/index.html"
    )
    parser.add_argument(
        "--max-age-hours",
        type=float,
        default=DEFAULT_MAX_AGE_HOURS,
        help="a feed whose newest landed row is older is stale (default %(default)g)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when no critical expectation failed, 1 naming the first one that did."""
    from expectations.models import model_headers
    from expectations.run import CROSS_SUITES, run_quality

    if args.action == "list":
        print("\n".join([*model_headers(), *CROSS_SUITES]))
        return 0
    try:
        outcome = run_quality(
            settings, suite=args.suite, docs_dir=args.docs, max_age_hours=args.max_age_hours
        )
    except ValueError as exc:
        print(f"antt dq: {exc}", file=sys.stderr)
        return 2
    failures = outcome.critical_failures
    passed = sum(r.success for r in outcome.results)
    print(f"{passed} of {len(outcome.results)} expectations passed (run {outcome.run_id})")
    if failures:
        print(f"antt dq: {outcome.failure_line()}", file=sys.stderr)
        return 1
    return 0


def check_for_demo(settings: Settings) -> str:
    """``antt dq run --docs <data_dir>/dq-docs``; RuntimeError names a critical failure."""
    from expectations.run import run_quality

    outcome = run_quality(settings, docs_dir=settings.data_dir / DOCS_FOLDER)
    if outcome.critical_failures:
        raise RuntimeError(outcome.failure_line())
    passed = sum(r.success for r in outcome.results)
    return f"{passed} of {len(outcome.results)} expectations passed; report {outcome.docs}"
