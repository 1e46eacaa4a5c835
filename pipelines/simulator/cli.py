"""``antt simulate``: options and the command that publishes a synthetic province."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from datetime import datetime

from antt.settings import Settings
from pipelines.simulator.config import ICT, REAL_CAMERA_TRAFFIC, SimulationConfig, real_residents
from pipelines.simulator.generate import generate
from pipelines.simulator.publish import TopicCounts, count_messages, publish, report_path

__all__ = ["add_arguments", "run"]


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _scale(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError("must be above 0 and at most 1")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 timestamp: {text!r}") from exc
    # An offset-less time is local time, as everywhere in the contract.
    return value if value.tzinfo is not None else value.replace(tzinfo=ICT)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``simulate`` options."""
    parser.add_argument(
        "--seed",
        type=int,
        default=2024,
        help="random seed; the same seed and --end-at give byte-identical messages",
    )
    parser.add_argument(
        "--days",
        type=int,
        default=400,
        help="days of history to backfill before --end-at (default 400, so that "
        "the previous year exists)",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--residents-per-ward",
        type=int,
        default=250,
        help="average residents simulated per ward (default 250, the demo's province); incidents, "
        "lodging facilities, cameras and their events scale with them",
    )
    size.add_argument(
        "--scale",
        type=_scale,
        default=None,
        help="a province at real size, or this share (0-1) of it: Cần Thơ has about 3.2 million "
        "residents, so --scale 0.001 simulates 3,200 exactly, with cameras that see what real "
        "cameras see (thousands of detections a day; keep --camera-days small)",
    )
    size.add_argument(
        "--residents",
        type=_positive,
        default=None,
        help="as --scale, with the number of residents given exactly (any province)",
    )
    parser.add_argument(
        "--camera-days",
        type=int,
        default=14,
        help="days of camera detections to backfill before --end-at (default 14)",
    )
    parser.add_argument(
        "--dirty-share",
        type=_share,
        default=0.0,
        help="share (0-1) of event messages carrying a fault the cleaning must "
        "fix or reject (default 0)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=50.0,
        help="live events per second after the backfill (default 50)",
    )
    parser.add_argument(
        "--live-seconds",
        type=float,
        default=0.0,
        help="how long to stream live events after the backfill (default 0: none)",
    )
    parser.add_argument(
        "--province",
        type=int,
        default=None,
        help="current (2025) province code to simulate (default: the "
        "deployment's ANTT_PROVINCE_CODE, 92 = Cần Thơ)",
    )
    parser.add_argument(
        "--end-at",
        type=_instant,
        default=None,
        help="end of the backfill, ISO 8601 (offset-less = local time); default: "
        "the start of the current hour",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="generate and count the backfill without connecting to Kafka",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")


def _config(args: argparse.Namespace, settings: Settings) -> SimulationConfig:
    end_at: datetime | None = args.end_at
    if end_at is None:
        # The hour, not the second: re-running within the hour reproduces the same messages.
        end_at = datetime.now(ICT).replace(minute=0, second=0, microsecond=0)
    province = args.province if args.province is not None else settings.province_code
    residents: int | None = args.residents
    if args.scale is not None:
        residents = real_residents(province, args.scale)
    return SimulationConfig(
        seed=args.seed,
        province_code=province,
        days=args.days,
        end_at=end_at,
        residents_per_ward=args.residents_per_ward,
        residents=residents,
        camera_traffic=1.0 if residents is None else REAL_CAMERA_TRAFFIC,
        camera_days=args.camera_days,
        dirty_share=args.dirty_share,
    )


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _table(topics: Mapping[str, TopicCounts]) -> str:
    lines = [
        f"{'topic':<20} {'produced':>9} {'accepted':>9} {'duplicate':>9} {'rejected':>9} "
        f"{'dirty':>7}"
    ]
    for topic, c in topics.items():
        lines.append(
            f"{topic:<20} {c.produced:>9} {c.accepted:>9} {c.duplicates:>9} "
            f"{c.rejected_total:>9} {c.dirty:>7}"
        )
    total = sum(c.produced for c in topics.values())
    lines.append(f"{'total':<20} {total:>9}")
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``antt simulate``; 0 on success, 1 when messages failed to send, 2 on bad options."""
    try:
        config = _config(args, settings)
    except ValueError as exc:
        print(f"antt simulate: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        started = time.perf_counter()
        counts = count_messages(generate(config, None if args.no_progress else _stderr))
        print(_table(counts))
        print(f"generated in {time.perf_counter() - started:.1f} s (dry run: nothing sent)")
        return 0

    from kafka.errors import KafkaError

    try:
        report = publish(
            settings,
            config,
            live_seconds=args.live_seconds,
            rate=args.rate,
            progress=not args.no_progress,
        )
    except ValueError as exc:
        print(f"antt simulate: {exc}", file=sys.stderr)
        return 2
    except KafkaError as exc:
        print(f"antt simulate: Kafka at {settings.bootstrap_servers}: {exc}", file=sys.stderr)
        return 1
    print(_table(report.topics))
    print(
        f"backfill {report.backfill_messages} + live {report.live_messages} messages in "
        f"{report.elapsed_s:.1f} s; report: {report_path(settings)}"
    )
    if report.send_errors:
        print(f"antt simulate: {report.send_errors} message(s) failed to send", file=sys.stderr)
        return 1
    return 0
