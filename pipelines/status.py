"""``antt status``: the running workers of a data folder, read from their /metrics, as a table.

Each worker writes where its endpoint listens into its state slot (``streams.health.address``);
this command scrapes every live one twice, ``--interval`` seconds apart, so that it can show
events per second, and prints one table per worker. Exit 0 when every worker is healthy, 3 when
one is not (its /healthz answers 503, it does not answer, or it is still starting), and 1 with
one line when no worker runs on the data folder.
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass

from antt.settings import Settings
from streams.health.address import Endpoint, running_endpoints, starting_workers
from streams.health.exposition import Samples, parse

__all__ = ["Snapshot", "add_arguments", "format_status", "run", "scrape"]

_TIMEOUT_S = 5.0
EXIT_UNHEALTHY = 3


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One scrape of a worker: its samples, its health line, and when it was taken."""

    at: float
    samples: Samples
    healthy: bool
    health: str

    def total(self, name: str, **match: str) -> float:
        """The sum of ``name``'s samples whose labels include ``match``."""
        return sum(
            value
            for labels, value in self.samples.get(name, [])
            if all(labels.get(k) == v for k, v in match.items())
        )

    def value(self, name: str) -> float | None:
        found = self.samples.get(name)
        return found[0][1] if found else None


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:  # /healthz answers 503 with a reason
        return exc.code, exc.read().decode()


def scrape(endpoint: Endpoint) -> Snapshot:
    """Read /metrics and /healthz; raises OSError when the worker does not answer."""
    _, text = _get(f"{endpoint.url}/metrics")
    at = time.time()
    code, health = _get(f"{endpoint.url}/healthz")
    return Snapshot(at, parse(text), code == 200, health.strip())


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def _handled(snapshot: Snapshot, topic: str) -> float:
    return snapshot.total("antt_events_total", topic=topic)


def format_status(endpoint: Endpoint, before: Snapshot | None, now: Snapshot) -> str:
    """The table of one worker; events/s needs an earlier snapshot ``before``."""
    lines = [f"worker pid {endpoint.pid} ({endpoint.slot.name}) at {endpoint.url}: {now.health}"]
    lines.append(
        f"{'topic':<20}{'accepted':>10}{'rejected':>10}{'alerts':>8}{'lag':>8}"
        f"{'last batch':>14}{'events/s':>10}"
    )
    lagging = {labels["topic"] for labels, _ in now.samples.get("antt_consumer_lag", [])}
    landed_at = {
        labels["topic"]: value
        for labels, value in now.samples.get("antt_last_landed_batch_timestamp_seconds", [])
    }
    topics = dict.fromkeys(labels["topic"] for labels, _ in now.samples["antt_events_total"])
    for topic in topics:
        lag = f"{now.total('antt_consumer_lag', topic=topic):.0f}" if topic in lagging else "-"
        last = _age(now.at - landed_at[topic]) if topic in landed_at else "never"
        rate = "-"
        if before is not None and now.at > before.at:
            rate = f"{(_handled(now, topic) - _handled(before, topic)) / (now.at - before.at):.1f}"
        lines.append(
            f"{topic:<20}"
            f"{now.total('antt_events_total', topic=topic, outcome='accepted'):>10.0f}"
            f"{now.total('antt_events_total', topic=topic, outcome='rejected'):>10.0f}"
            f"{now.total('antt_alerts_total', topic=topic):>8.0f}"
            f"{lag:>8}{last:>14}{rate:>10}"
        )
    reasons: Counter[str] = Counter()
    for labels, value in now.samples.get("antt_rejections_total", []):
        reasons[labels["reason"]] += int(value)
    if reasons:
        lines.append("rejections: " + ", ".join(f"{r} {n}" for r, n in reasons.most_common()))
    registry = now.value("antt_registry_residents")
    memory = now.value("process_resident_memory_bytes")
    started = now.value("antt_worker_start_time_seconds")
    lines.append(
        f"registry: {'-' if registry is None else f'{registry:.0f}'} residents; "
        f"memory: {'-' if memory is None else f'{memory / 2**20:.0f}'} MiB; "
        f"up {'-' if started is None else _age(now.at - started).removesuffix(' ago')}"
    )
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``status`` options."""
    parser.description = (
        "Counts, consumer lag, last landed batch, events per second, registry size and memory "
        "of every worker running on the data folder, from its /metrics endpoint."
    )
    parser.epilog = (
        "exit 0: every worker is healthy; 3: one is not (its health line says why); "
        "1: no worker runs on the data folder"
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=2.0,
        help="seconds between the two scrapes that give events per second (default 2)",
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="refresh every --interval seconds until Ctrl-C",
    )


def _report(settings: Settings, before: dict[int, Snapshot]) -> tuple[str, int]:
    """The tables of every worker and the exit code; updates ``before`` with the new scrapes."""
    blocks, healthy = [], True
    for endpoint in running_endpoints(settings.worker_state_dir):
        try:
            now = scrape(endpoint)
        except (OSError, ValueError) as exc:
            name = f"worker pid {endpoint.pid} ({endpoint.slot.name})"
            blocks.append(f"{name} does not answer at {endpoint.url}: {exc}")
            healthy = False
            continue
        blocks.append(format_status(endpoint, before.get(endpoint.pid), now))
        healthy = healthy and now.healthy
        before[endpoint.pid] = now
    for slot, pid in starting_workers(settings.worker_state_dir):
        blocks.append(f"worker pid {pid} ({slot.name}): starting, no endpoint yet (recovering "
                      "its registry)")  # fmt: skip
        healthy = False
    if not blocks:
        raise RuntimeError(
            f"no worker is running on {settings.data_dir} (no live endpoint under "
            f"{settings.worker_state_dir}); start one with `antt worker`"
        )
    return "\n\n".join(blocks), 0 if healthy else EXIT_UNHEALTHY


def run(args: argparse.Namespace, settings: Settings) -> int:
    before: dict[int, Snapshot] = {}
    _report(settings, before)  # the first scrapes: the base of events per second
    while True:
        time.sleep(args.interval)
        text, code = _report(settings, before)
        if not args.watch:
            print(text)
            return code
        clear = "\033[H\033[2J" if sys.stdout.isatty() else ""
        print(f"{clear}{time.strftime('%H:%M:%S')}\n{text}\n", flush=True)
