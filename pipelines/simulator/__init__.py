"""A deterministic synthetic province published as events on the contract topics.

``generate(config)`` is the pure core (no clock, no broker); ``publish`` sends its output, and
live events after it, to Kafka; ``add_arguments``/``run`` mount it as ``antt simulate``.
"""

from __future__ import annotations

from pipelines.simulator.cli import add_arguments, run
from pipelines.simulator.config import SimulationConfig
from pipelines.simulator.generate import generate
from pipelines.simulator.messages import SimMessage
from pipelines.simulator.publish import SimulationReport, TopicCounts, count_messages, publish
from pipelines.simulator.world import World, build_world

__all__ = [
    "SimMessage",
    "SimulationConfig",
    "SimulationReport",
    "TopicCounts",
    "World",
    "add_arguments",
    "build_world",
    "count_messages",
    "generate",
    "publish",
    "run",
]
