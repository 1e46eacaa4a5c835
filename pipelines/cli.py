"""``antt``: the platform's command line. Every command has ``--help``; errors are one line."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from antt.settings import Settings

__all__ = ["main"]

log = logging.getLogger("antt")

Handler = Callable[[argparse.Namespace, Settings], int]


def _broker(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.broker import Broker

    broker = Broker(settings)
    if args.action == "start":
        print(broker.start(timeout_s=args.timeout))
    elif args.action == "stop":
        broker.stop()
        print(broker.status())
    elif args.action == "acls":
        broker.apply_security()
        print(f"Kafka users and ACLs applied at {broker.bootstrap}")
    else:
        status = broker.status()
        print(status)
        return 0 if status.running else 3
    return 0


def _topics(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.topics import create_topics

    created = create_topics(settings)
    print(f"created {len(created)} topic(s): {', '.join(created) or 'all existed'}")
    return 0


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.simulator import run

    return run(args, settings)


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    import faust

    from streams.app import create_app
    from streams.collector import tune_collector
    from streams.provenance import check_provenance
    from streams.pseudonym import Pseudonymiser

    # Refuse to start without a key, with another key than the landed pseudonyms', or on a topic
    # recreated since its files landed: one line each, before any event is taken.
    check_provenance(settings, Pseudonymiser(settings.pseudonym_secret))
    app = create_app(settings)
    tune_collector()
    worker = faust.Worker(app, loglevel=args.log_level, quiet=True)
    worker.execute_from_commandline()
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.status import run

    return run(args, settings)


def _reconcile(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.reconcile import format_balances, reconcile

    balances = reconcile(settings)
    print(format_balances(balances))
    failed = [b.topic for b in balances if b.status != "ok"]
    if failed:
        print(f"reconcile FAILED for: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("reconcile holds: produced = landed + rejected + duplicates for every topic")
    return 0


def _compact(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.compact import run

    return run(args, settings)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.demo import run_demo

    return run_demo(settings, args)


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.bench import run

    return run(args, settings)


def _dashboards(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.dashboards.cli import run

    return run(args, settings)


def _dq(args: argparse.Namespace, settings: Settings) -> int:
    from expectations.cli import run

    return run(args, settings)


def _lab(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.lab import run

    return run(args, settings)


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv``: the first word that is not an option or its value."""
    words = iter(argv)
    for word in words:
        if word in _VALUED_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


_VALUED_OPTIONS = frozenset({"--data-dir", "--kafka-port"})


def _mount(parser: argparse.ArgumentParser, module: str, command: str | None) -> None:
    """Add a subcommand's own arguments, importing its module only when that subcommand runs.

    The modules behind ``simulate``, ``bench``, ``dashboards`` and ``dq`` import polars, Kafka
    clients or Great Expectations; ``antt status`` or ``antt --help`` must not pay for them.
    """
    if parser.prog.rsplit(" ", 1)[-1] == command:
        importlib.import_module(module).add_arguments(parser)


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="antt",
        description="Provincial public-security analytics: Kafka broker, simulator, stream "
        "workers and the warehouse. Settings come from ANTT_* environment variables.",
    )
    parser.add_argument(
        "--data-dir", type=Path, help="where broker data, landed files and logs live"
    )
    parser.add_argument("--kafka-port", type=int, help="the broker's client port (default 19092)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    broker = commands.add_parser("broker", help="start, stop or check the local Kafka broker")
    broker.add_argument(
        "action",
        choices=["start", "stop", "status", "acls"],
        help="acls: give every principal the password in its file and apply the platform's ACLs "
        "to a running secure broker, as admin (for a broker started elsewhere, or a rotation)",
    )
    broker.add_argument("--timeout", type=float, default=90, help="seconds to wait for start")
    broker.add_argument(
        "--nodes",
        type=int,
        help="start a KRaft cluster of this many nodes on loopback (default 1; stop and status "
        "find a cluster's nodes by themselves)",
    )
    broker.add_argument(
        "--secure",
        action="store_true",
        help="SASL/SCRAM and ACLs for every client; passwords in <data-dir>/broker/secrets",
    )
    broker.set_defaults(handler=_broker)

    topics = commands.add_parser("topics", help="create the contract's topics (idempotent)")
    topics.add_argument("action", choices=["create"], nargs="?", default="create")
    topics.set_defaults(handler=_topics)

    simulate = commands.add_parser("simulate", help="publish a synthetic province to the topics")
    _mount(simulate, "pipelines.simulator", command)
    simulate.set_defaults(handler=_simulate)

    worker = commands.add_parser("worker", help="run the Faust stream workers in the foreground")
    worker.add_argument(
        "--log-level", default="info", choices=["crit", "error", "warn", "info", "debug"]
    )
    worker.set_defaults(handler=_worker)

    reconcile = commands.add_parser(
        "reconcile", help="check produced = landed + rejected + duplicates per topic"
    )
    reconcile.set_defaults(handler=_reconcile)

    compact = commands.add_parser(
        "compact", help="merge the landing zone's small files (safe while workers and readers run)"
    )
    _mount(compact, "pipelines.compact", command)
    compact.set_defaults(handler=_compact)

    status = commands.add_parser(
        "status", help="the running workers' counts, lag, health and memory, from their /metrics"
    )
    _mount(status, "pipelines.status", command)
    status.set_defaults(handler=_status)

    demo = commands.add_parser("demo", help="run the whole platform end to end on synthetic data")
    demo.add_argument(
        "--days",
        type=int,
        default=1100,
        help="days of history to backfill (default 1100: two whole reporting years, from 15 "
        "December, and the one in progress, so that a whole year is compared with the year before)",
    )
    demo.add_argument("--live-seconds", type=float, default=20, help="length of the live phase")
    demo.add_argument("--rate", type=float, default=200, help="live events per second")
    demo.add_argument("--dirty-share", type=float, default=0.02, help="share of dirty records")
    demo.add_argument("--seed", type=int, default=2024, help="simulator seed")
    demo.set_defaults(handler=_demo)

    bench = commands.add_parser(
        "bench", help="measure the platform against a baseline on its own broker and data"
    )
    _mount(bench, "pipelines.bench", command)
    bench.set_defaults(handler=_bench)

    dashboards = commands.add_parser(
        "dashboards", help="leadership's offline dashboards: HTML pages and a PDF briefing"
    )
    _mount(dashboards, "pipelines.dashboards.cli", command)
    dashboards.set_defaults(handler=_dashboards)

    dq = commands.add_parser(
        "dq", help="data-quality suites (Great Expectations) over the warehouse, with a report"
    )
    _mount(dq, "expectations.cli", command)
    dq.set_defaults(handler=_dq)

    lab = commands.add_parser(
        "lab", help="JupyterLab on 127.0.0.1 with the analysts' notebooks over the landing zone"
    )
    _mount(lab, "pipelines.lab", command)
    lab.set_defaults(handler=_lab)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    args = _parser(_command_in(words)).parse_args(words)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # kafka-python narrates every connection at INFO; operators need its warnings only.
    logging.getLogger("kafka").setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    overrides: dict[str, object] = {}
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    if args.kafka_port is not None:
        overrides["kafka_port"] = args.kafka_port
    if args.command in ("demo", "bench"):
        overrides["demo_mode"] = True
    if args.command == "broker":
        if args.nodes is not None:
            overrides["nodes"] = args.nodes
        if args.secure or args.action == "acls":
            overrides["kafka_secure"] = True
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
        handler: Handler = args.handler
        return handler(args, settings)
    except ValidationError as exc:
        print(
            f"antt: invalid setting: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}",
            file=sys.stderr,
        )
    except KeyboardInterrupt:
        print("antt: interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, OSError, TimeoutError) as exc:
        print(f"antt {args.command}: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
