"""``antt demo``: the whole platform end to end on a synthetic province, then everything stopped.

Steps (each named in its error if it fails): broker, topics, worker, simulate, catch-up, compaction,
summary, dashboards. The demo starts from a clean data folder every time, so a second run, or a
run after a failed one, gives the same result; downloaded caches (Kafka jars, the virtual
environment) stay.

Because it wipes the folder's broker and landing zone, the demo (and the benchmark) works only in
a folder it created: it leaves a marker file there, and refuses a non-empty folder without one,
which is what a deployment's ``ANTT_DATA_DIR`` looks like.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from antt.settings import Settings
from pipelines.broker import Broker
from pipelines.reconcile import TopicBalance, format_balances, reconcile
from pipelines.topics import create_topics
from pipelines.worker_process import WorkerProcess

__all__ = ["DEMO_MARKER", "fresh_platform", "run_demo"]

DEMO_MARKER = ".antt-demo-folder"


class DemoStepError(RuntimeError):
    """A demo step failed; the message names the step."""


@contextmanager
def _step(name: str) -> Iterator[None]:
    started = time.monotonic()
    print(f"▶ {name} …", flush=True)
    try:
        yield
    except Exception as exc:
        raise DemoStepError(f"step '{name}' failed: {exc}") from exc
    print(f"✔ {name} ({time.monotonic() - started:.1f} s)", flush=True)


def _progress(balances: list[TopicBalance]) -> None:
    produced = sum(b.produced for b in balances)
    done = sum(b.landed + b.rejected + b.duplicates for b in balances)
    sys.stdout.write(f"\r  landed or rejected {done:,} of {produced:,} events")
    sys.stdout.flush()


def _claim_folder(settings: Settings) -> None:
    """Mark a new or empty data folder as the demo's; refuse one holding anything else."""
    folder, marker = settings.data_dir, settings.data_dir / DEMO_MARKER
    if marker.exists():
        return
    cache = settings.cache_dir.resolve()
    others = sorted(p.name for p in folder.glob("*") if p.resolve() != cache)
    if others:
        raise RuntimeError(
            f"{folder} is not a demo folder (it holds {', '.join(others[:3])} and no "
            f"{DEMO_MARKER}): the demo deletes its folder's broker and landing data, so give it "
            "a new or empty --data-dir"
        )
    folder.mkdir(parents=True, exist_ok=True)
    marker.write_text("made by antt demo / antt bench: each run deletes this folder's data\n")


def fresh_platform(settings: Settings, broker: Broker) -> None:
    """A running broker with empty contract topics and no landed data (caches are kept)."""
    with _step("reset data"):
        _claim_folder(settings)
        if WorkerProcess(settings).stop_stale():
            print("  stopped a worker left behind by an earlier run")
        broker.stop()
        for folder in (settings.broker_dir, settings.landing_dir, settings.worker_state_dir):
            shutil.rmtree(folder, ignore_errors=True)
        (settings.log_dir / "worker.log").unlink(missing_ok=True)
    with _step("start the Kafka broker"):
        print(f"  {broker.start(timeout_s=240)}")
    with _step("create topics"):
        create_topics(settings)


def run_demo(settings: Settings, args: argparse.Namespace) -> int:
    from expectations.cli import check_for_demo
    from pipelines.compact import compact_for_demo
    from pipelines.dashboards.cli import export_for_demo
    from pipelines.simulator import SimulationConfig, publish
    from pipelines.summary import print_summary

    broker = Broker(settings)
    worker = WorkerProcess(settings)
    started = time.monotonic()
    try:
        fresh_platform(settings, broker)
        with _step("start the stream worker"):
            worker.start()
            print(f"  worker pid {worker.pid}, log {worker.log_path}")
        with _step(f"simulate {args.days} days of history, then {args.live_seconds:.0f} s live"):
            config = SimulationConfig(
                seed=args.seed,
                days=args.days,
                dirty_share=args.dirty_share,
                end_at=datetime.now(UTC).replace(minute=0, second=0, microsecond=0),
                future_anchor=datetime.now(UTC),
            )
            report = publish(
                settings, config, live_seconds=args.live_seconds, rate=args.rate, progress=True
            )
            print(f"  published {report.backfill_messages + report.live_messages:,} messages")
        with _step("wait until everything produced has landed"):
            balances = worker.wait_until_reconciled(timeout_s=1200, on_progress=_progress)
            print()
        with _step("stop the stream worker"):
            worker.stop()
        with _step("compact the landing zone (antt compact), then reconcile again"):
            print(f"  {compact_for_demo(settings)}")
            balances = reconcile(settings)
            if any(b.status != "ok" for b in balances):
                raise RuntimeError("reconcile no longer holds after compaction")
        print()
        print(format_balances(balances))
        print_summary(settings)
        with _step("check data quality (antt dq run)"):
            print(f"  {check_for_demo(settings)}")
        with _step("export the dashboards"):
            print(f"  {export_for_demo(settings)}")
        print(f"\nDemo finished in {time.monotonic() - started:.0f} s.")
        return 0
    except DemoStepError as exc:
        print(f"\nantt demo: {exc}", file=sys.stderr)
        return 1
    finally:
        worker.stop()
        broker.stop()
