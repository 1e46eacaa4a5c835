"""The ``antt bench WHAT`` subcommands: one per benchmark module, each with its own ``--help``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Protocol

from antt.settings import Settings
from pipelines.bench import alerts, queries, throughput

__all__ = ["add_arguments", "run"]


class Benchmark(Protocol):
    """What a benchmark module provides."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, settings: Settings) -> int: ...


# Name, one-line help, module; register a new benchmark here.
_BENCHMARKS: tuple[tuple[str, str, Benchmark], ...] = (
    ("alerts", "watchlist alert latency against a consume-only baseline", alerts),
    ("queries", "warehouse query times over a landed year at a real size", queries),
    ("throughput", "events per second against count-only Faust, aiokafka and Quix", throughput),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    benchmarks = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
    for name, summary, module in _BENCHMARKS:
        sub = benchmarks.add_parser(
            name,
            help=summary,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        sub.set_defaults(benchmark=module.run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    benchmark: Callable[[argparse.Namespace, Settings], int] = args.benchmark
    return benchmark(args, settings)
