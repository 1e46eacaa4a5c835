"""The worker's camera job written in Quix Streams, the peer a Python team would pick instead.

Parse each ``camera.events`` message, canonicalise and pseudonymise the plate (the platform's own
``read_plate`` and ``Pseudonymiser``, so the per-event work is the same), look the camera's ward
up, and sink the rows to Parquet files named by topic, partition and first offset (Quix's
``LocalFileSink``, committed with the consumer offsets at each checkpoint). The camera table is
read from ``ref.cameras`` before the stream starts.

What it leaves out, compared with ``antt worker``: JSON Schema validation, dead letters with a
reason code, the watchlist, duplicate and replay handling, and an fsync before the commit.

Runs in ``.venv-bench`` (``make bench-env``) with the repository root on ``PYTHONPATH``;
``antt bench throughput`` starts it, with the pseudonymisation key in ``BENCH_PSEUDONYM_KEY``. It
writes its timings as JSON to ``RESULT`` when ``--events`` rows are sunk, and exits.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, TopicPartition
from quixstreams import Application
from quixstreams.sinks.community.file.formats import ParquetFormat
from quixstreams.sinks.community.file.local import LocalFileSink

from streams.cleaning.plates import read_plate
from streams.pseudonym import Pseudonymiser

Camera = dict[str, Any]


def read_cameras(bootstrap: str, group: str) -> dict[str, Camera]:
    """The latest version of every camera on ``ref.cameras``, read to the topic's end."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False}
    )
    try:
        metadata = consumer.list_topics("ref.cameras", timeout=30)
        partitions = [
            TopicPartition("ref.cameras", p, 0) for p in metadata.topics["ref.cameras"].partitions
        ]
        ends = {
            tp.partition: consumer.get_watermark_offsets(tp, timeout=30)[1] for tp in partitions
        }
        consumer.assign(partitions)
        cameras: dict[str, Camera] = {}
        pending = {p for p, end in ends.items() if end > 0}
        while pending:
            message = consumer.poll(1.0)
            if message is None or message.error():
                continue
            camera = json.loads(message.value())
            cameras[camera["camera_id"]] = camera
            if message.offset() + 1 >= ends[message.partition()]:
                pending.discard(message.partition())
        return cameras
    finally:
        consumer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--group", required=True, help="consumer group (a new one reads all)")
    parser.add_argument("--events", type=int, required=True, help="stop after this many rows")
    parser.add_argument("result", type=Path, help="where the timings go (JSON)")
    args = parser.parse_args()

    cameras = read_cameras(args.bootstrap, f"{args.group}-ref")
    pseudonymise = Pseudonymiser(os.environ["BENCH_PSEUDONYM_KEY"].encode())
    first: list[float] = []

    def clean(event: dict[str, Any]) -> dict[str, Any]:
        if not first:
            first.append(time.monotonic())
        camera = cameras[event["camera_id"]]
        plate = read_plate(event.get("plate"), event.get("vehicle_type"))
        return {
            "event_id": event["event_id"],
            "camera_id": event["camera_id"],
            "observed_at": datetime.fromisoformat(event["observed_at"]),
            "kind": event["kind"],
            "plate_status": plate.status,
            "plate_key": pseudonymise("plate", plate.compact) if plate.compact else None,
            "plate_locality": plate.locality,
            "vehicle_type": event.get("vehicle_type"),
            "confidence": float(event["confidence"]),
            "ward_code": camera["ward_code"],
            "camera_owner": camera["owner"],
            "camera_is_connected": camera["connected"],
        }

    app = Application(
        broker_address=args.bootstrap, consumer_group=args.group, auto_offset_reset="earliest"
    )
    events = app.dataframe(app.topic("camera.events", value_deserializer="json"))
    events = events.filter(lambda event: event.get("camera_id") in cameras).apply(clean)
    # A relative folder: the sink refuses paths with characters such as "-" in them.
    events.sink(LocalFileSink(directory="landing", format=ParquetFormat(compression="zstd")))
    app.run(count=args.events, collect=False)
    partial = args.result.with_name(f"{args.result.name}.partial")
    partial.write_text(json.dumps({"first": first[0], "first_count": 1, "done": time.monotonic()}))
    partial.replace(args.result)  # the benchmark waits for this file: whole or none


if __name__ == "__main__":
    main()
