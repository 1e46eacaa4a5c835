"""``antt bench throughput`` at a tiny size on the real broker: every consumer runs, none is timed.

The rates themselves are not asserted (they belong in docs/performance.md); what is asserted is
that every consumer read the whole backlog: the worker's rows are all visible to a reader (the
benchmark raises otherwise), every guest was found in the registry, and the registry's changelog
holds one write per resident.
"""

from __future__ import annotations

import re

import pytest

from antt.settings import Settings
from pipelines.bench.consumers import quix_python
from pipelines.bench.report import RATIOS
from pipelines.bench.throughput import Sizes, measure

pytestmark = pytest.mark.integration


def test_every_consumer_reads_the_whole_backlog(platform: Settings) -> None:
    sizes = Sizes(camera_events=2_000, residents=1_000, checkins=500, processes=(1, 2))
    lines: list[str] = []
    report = measure(platform, sizes, quix_python(), progress=lines.append)

    assert [(r.key, r.events) for r in report.runs] == [
        ("camera/aiokafka", 2_000),
        ("camera/faust-count", 2_000),
        ("camera/faust-count-worker", 2_000),
        ("camera/quix", 2_000),
        ("camera/worker x2", 2_000),
        ("camera/worker", 2_000),
        ("population/aiokafka", 1_000),
        ("population/faust-count", 1_000),
        ("population/faust-count-worker", 1_000),
        ("population/worker x2", 1_000),
        ("population/registry x2", 1_000),
        ("population/worker", 1_000),
        ("population/registry", 1_000),
        ("lodging/aiokafka", 500),
        ("lodging/faust-count", 500),
        ("lodging/faust-count-worker", 500),
        ("lodging/worker", 500),
    ]
    quix = report.run("camera/quix")
    assert quix is not None
    if quix_python() is None:
        # A fresh clone without `make bench-env`: the row says so, it is not left out.
        assert (quix.status, quix.timing) == ("not installed", None)
        assert "| camera | quix | 2,000 | – | – | – | not installed; make bench-env |" in (
            report.table().splitlines()
        )
    others = [r for r in report.runs if r is not quix]
    assert all(r.status == "measured" and r.timing is not None for r in others)
    shown = {ratio.label for ratio, _ in report.ratios()}
    assert shown == {r.label for r in RATIOS if "3 worker" not in r.label}
    assert report.context["sizes"] == {
        "camera_events": 2_000, "residents": 1_000, "checkins": 500, "processes": [1, 2]
    }  # fmt: skip
    assert "▶ camera: worker x2 …" in lines
    assert "▶ population: worker x2 …" in lines
    worker_runs = [r for r in others if r.consumer.startswith("worker")]
    memory = [re.search(r"peak resident memory ([\d,]+) MiB", r.note) for r in worker_runs]
    assert len(worker_runs) == 5 and all(m and int(m[1].replace(",", "")) > 50 for m in memory)
