"""``antt compact``: merge the landing zone's small files, once or every few minutes.

A process of its own, off the worker's hot path: ``--every`` keeps it running (the compose file's
``compactor`` service), or a timer runs it once. Safe while workers land files and analysts query:
see ``warehouse/landing/compaction.py`` for what it never touches and why a crash at any point
leaves a zone that reads the same. After merging, each run writes a new registry snapshot when
enough has landed since the last (``warehouse/snapshots.py``), which only makes the registry's
views faster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from antt.settings import Settings
from warehouse import snapshots
from warehouse.landing.compaction import CompactionPolicy, compact

__all__ = ["add_arguments", "compact_for_demo", "run"]

_DEFAULTS = CompactionPolicy()
_SNAPSHOTS = snapshots.SnapshotPolicy()


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
    parser.add_argument(
        "--snapshot-rows",
        type=int,
        default=_SNAPSHOTS.min_rows,
        help="registry copies landed since the last registry snapshot that call for a new one "
        "(default %(default)d; once the last is a day old, any copy does)",
    )
    parser.add_argument(
        "--every",
        type=float,
        metavar="MINUTES",
        help="keep running: compact again this many minutes after each run ends",
    )


def _progress(done: int, total: int, table: str) -> None:
    sys.stdout.write(f"\r  compacted {done:,} of {total:,} folders ({table:<20})")
    sys.stdout.flush()
    if done == total:
        sys.stdout.write("\n")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if (
        args.grace_minutes < 0
        or args.target_rows < 2
        or args.snapshot_rows < 1
        or (args.every or 1) <= 0
    ):
        print(
            "antt compact: --grace-minutes must be ≥ 0, --target-rows ≥ 2, --snapshot-rows ≥ 1, "
            "--every > 0",
            file=sys.stderr,
        )
        return 2
    policy = CompactionPolicy(
        target_rows=args.target_rows, grace=dt.timedelta(minutes=args.grace_minutes)
    )
    registry = snapshots.SnapshotPolicy(min_rows=args.snapshot_rows)
    while True:
        report = compact(settings.landing_dir, policy, progress=_progress)
        print(report.summary(policy.grace), flush=True)
        refreshed = snapshots.refresh(settings.landing_dir, registry, now=_now())
        print(refreshed.summary(), flush=True)
        if args.every is None:
            return 0
        time.sleep(args.every * 60)


def compact_for_demo(settings: Settings) -> str:
    """Compact with no grace period and snapshot the registry (no worker or reader runs)."""
    policy = CompactionPolicy(grace=dt.timedelta(0))
    merged = compact(settings.landing_dir, policy).summary(policy.grace)
    registry = snapshots.SnapshotPolicy(min_rows=1, grace=dt.timedelta(0))
    return f"{merged}; {snapshots.refresh(settings.landing_dir, registry, now=_now()).summary()}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
