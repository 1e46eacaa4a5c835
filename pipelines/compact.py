"""``antt compact``: merge the landing zone's small files; operators schedule it (cron, a timer).

Safe while workers land files and analysts query: see ``warehouse/landing/compaction.py`` for
what it never touches and why a crash at any point leaves a zone that reads the same.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from antt.settings import Settings
from warehouse.landing.compaction import CompactionPolicy, compact

__all__ = ["add_arguments", "compact_for_demo", "run"]

_DEFAULTS = CompactionPolicy()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--grace-minutes",
        type=float,
        default=_DEFAULTS.grace.total_seconds() / 60,
        help="how long a merged-away file stays readable before a later run deletes it "
        "(default %(default)g; longer than any query analysts run)",
    )
    parser.add_argument(
        "--target-rows",
        type=int,
        default=_DEFAULTS.target_rows,
        help="rows at which a merged file stops growing (default %(default)d)",
    )


def _progress(done: int, total: int, table: str) -> None:
    sys.stdout.write(f"\r  merged {done:,} of {total:,} groups ({table:<20})")
    sys.stdout.flush()
    if done == total:
        sys.stdout.write("\n")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.grace_minutes < 0 or args.target_rows < 2:
        print("antt compact: --grace-minutes must be ≥ 0 and --target-rows ≥ 2", file=sys.stderr)
        return 2
    policy = CompactionPolicy(
        target_rows=args.target_rows, grace=dt.timedelta(minutes=args.grace_minutes)
    )
    report = compact(settings.landing_dir, policy, progress=_progress)
    print(report.summary(policy.grace))
    return 0


def compact_for_demo(settings: Settings) -> str:
    """Compact with no grace period (the demo runs it when no worker or reader is running)."""
    policy = CompactionPolicy(grace=dt.timedelta(0))
    return compact(settings.landing_dir, policy).summary(policy.grace)
