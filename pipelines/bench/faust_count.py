"""A Faust agent that only counts: the ceiling of Faust's own per-event machinery on this machine.

Run as a child process (``python -m pipelines.bench.faust_count TOPIC EVENTS RESULT``, settings
from ``ANTT_*`` variables) so that it has an event loop and a core of its own, like the worker.
The app is configured as ``streams.app.create_app`` configures the worker's (same Faust, same
broker, commit and session settings, same batches taken with ``take_events``); its agent does
nothing with the events but count them. ``--transport faust`` (the default) reads with Faust's
aiokafka transport as Faust ships it, ``--transport worker`` with the worker's
(``streams.transport``), which hands fetched messages to the agent at less cost, and with the
worker's garbage-collector settings (``streams.collector``). When ``EVENTS`` are counted it
writes its timings as JSON to ``RESULT``; the benchmark then stops it.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Literal, cast, get_args

import faust

from antt.settings import Settings
from streams.app import consumer_options
from streams.collector import tune_collector
from streams.transport import Transport

__all__ = ["TransportName", "main"]

TransportName = Literal["faust", "worker"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topic", help="the topic to count, read from its start")
    parser.add_argument("events", type=int, help="how many events make the backlog")
    parser.add_argument("result", help="where the timings go (JSON)")
    parser.add_argument("--transport", choices=get_args(TransportName), default="faust",
                        help="Faust's aiokafka transport as shipped, or the worker's "
                             "(with the worker's collector settings)")  # fmt: skip
    args = parser.parse_args()
    settings = Settings()
    app = faust.App(
        f"{settings.app_id}-count-{time.monotonic_ns()}",
        **consumer_options(settings),
        datadir=tempfile.mkdtemp(prefix="faust-count-"),
    )
    if args.transport == "worker":
        app.transport = Transport(app.conf.broker_consumer, app)
        tune_collector()
    topic = app.topic(args.topic, key_type=bytes, value_type=bytes, key_serializer="raw",
                      value_serializer="raw")  # fmt: skip
    counted = 0
    first: tuple[float, int] | None = None

    async def count(stream: faust.StreamT[bytes]) -> None:
        nonlocal counted, first
        batches = cast("faust.Stream[bytes]", stream).take_events(
            settings.batch_max, within=settings.batch_within_s
        )
        async for events in batches:
            counted += len(events)
            if first is None:
                first = (time.monotonic(), counted)
            if counted >= args.events:
                timings = {"first": first[0], "first_count": first[1], "done": time.monotonic()}
                partial = Path(f"{args.result}.partial")
                partial.write_text(json.dumps(timings))
                partial.replace(args.result)  # the benchmark waits for this file: whole or none

    app.agent(topic, name="count")(count)
    faust.Worker(app, loglevel="warning", quiet=True).execute_from_commandline()


if __name__ == "__main__":
    main()
