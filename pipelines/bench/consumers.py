"""The baselines the worker is measured against, each reading one backlog from its start.

Each consumer gets a consumer group of its own, so each reads the whole backlog. The aiokafka
baseline (the transport Faust uses) runs in this process: it is the floor of consuming and
decoding. The count-only Faust agent and the Quix Streams peer run as child processes with an
event loop and a core of their own, as the worker does; they write their timings to a file.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson
import pyarrow.parquet as pq
from aiokafka import AIOKafkaConsumer

from antt.kafka import client_options
from antt.settings import Settings
from pipelines.bench.faust_count import TransportName
from pipelines.bench.report import Timing
from pipelines.worker_process import settings_env

__all__ = [
    "REPOSITORY",
    "aiokafka_baseline",
    "bench_folder",
    "faust_count",
    "quix_camera",
    "quix_python",
]

REPOSITORY = Path(__file__).resolve().parents[2]
_CHILD_TIMEOUT_S = 1800


def bench_folder(settings: Settings) -> Path:
    """Where the benchmark keeps its peers' output and extra worker groups' data."""
    return settings.data_dir / "bench" / "throughput"


def aiokafka_baseline(settings: Settings, topic: str, events: int) -> Timing:
    """Consume ``events`` records of ``topic`` and decode each value with orjson."""
    return asyncio.run(_consume(settings, topic, events))


async def _consume(settings: Settings, topic: str, events: int) -> Timing:
    started = time.monotonic()
    consumer = AIOKafkaConsumer(
        topic,
        **client_options(settings),
        group_id=f"bench-aiokafka-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        count, first = 0, None
        while count < events:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    orjson.loads(record.value)
                count += len(records)
            if first is None and count:
                first = (time.monotonic(), count)
        assert first is not None
        return Timing(started, first[0], first[1], time.monotonic())
    finally:
        await consumer.stop()


def _child(name: str, command: list[str], env: dict[str, str], log: Path, folder: Path) -> Timing:
    """Run ``command`` in a new ``folder`` until it writes ``folder/result.json``; stop it then."""
    # The child runs in ``folder``: a path relative to ours (``--data-dir .antt/bench``) would
    # point elsewhere from there.
    folder = folder.resolve()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    result = folder / "result.json"
    started = time.monotonic()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [*command, str(result)], env=env, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = started + _CHILD_TIMEOUT_S
        while not result.exists():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not finish in {_CHILD_TIMEOUT_S} s; see {log}")
            time.sleep(0.1)
        timings = orjson.loads(result.read_bytes())
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return Timing(started, timings["first"], timings["first_count"], timings["done"])


def faust_count(
    settings: Settings, topic: str, events: int, transport: TransportName = "faust"
) -> Timing:
    """The count-only Faust agent over ``topic`` (``pipelines.bench.faust_count``)."""
    child = [sys.executable, "-m", "pipelines.bench.faust_count", f"--transport={transport}"]
    return _child(
        f"the count-only Faust agent ({transport} transport)",
        [*child, topic, str(events)],
        settings_env(settings),
        settings.log_dir / f"bench-faust-count-{transport}.log",
        bench_folder(settings) / f"faust-count-{transport}",
    )


def quix_python(configured: Path | None = None) -> Path | None:
    """The Python of the Quix Streams environment (``make bench-env``), if it is installed."""
    python = configured or REPOSITORY / ".venv-bench" / "bin" / "python"
    return python if python.exists() else None


def quix_camera(settings: Settings, python: Path, events: int) -> tuple[Timing, int]:
    """The Quix Streams camera job (``bench/quix_camera.py``); its timings and rows sunk."""
    folder = bench_folder(settings) / "quix"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "BENCH_PSEUDONYM_KEY": settings.pseudonym_secret.decode(),
    }
    timing = _child(
        "the Quix Streams job",
        [
            str(python),
            str(REPOSITORY / "bench" / "quix_camera.py"),
            f"--bootstrap={settings.bootstrap_servers}",
            f"--group=bench-quix-{uuid.uuid4().hex[:8]}",
            f"--events={events}",
        ],
        env,
        settings.log_dir / "bench-quix.log",
        folder,
    )
    rows = sum(pq.read_metadata(path).num_rows for path in (folder / "landing").rglob("*.parquet"))
    return timing, rows
