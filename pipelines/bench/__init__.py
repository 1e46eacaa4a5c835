"""``antt bench``: benchmarks that run the real platform and measure a baseline in the same run.

Each benchmark is a module of this package with ``add_arguments(parser)`` and
``run(args, settings)``; ``pipelines.bench.cli`` registers it as a subcommand.
"""

from pipelines.bench.cli import add_arguments, run

__all__ = ["add_arguments", "run"]
