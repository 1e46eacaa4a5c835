"""``antt bench alerts`` at a tiny size on the real broker: every hit is measured on each path.

The latencies themselves are not asserted (they belong in docs/performance.md); what is asserted
is that each hit raised exactly one alert, became visible to a warehouse query, and was seen by
the consume-only baseline, so that every percentile is taken over the same events.
"""

from __future__ import annotations

import math

import pytest

from antt.settings import Settings
from pipelines.bench.alerts import measure

pytestmark = pytest.mark.integration


def test_every_hit_is_alerted_and_visible(platform: Settings) -> None:
    report = measure(platform, events=300, rate=150, hit_every=10)

    assert (report.events, report.hits, report.alerts_received) == (300, 30, 30)
    paths = (report.alert, report.freshness, report.consume_only_baseline)
    assert [p.count for p in paths] == [30, 30, 30]
    assert all(0 < p.p50_ms <= p.p99_ms <= p.max_ms for p in paths)
    assert not any(math.isnan(p.max_ms) for p in paths)
    table = report.table().splitlines()
    assert table[3].startswith("| visible to a warehouse query (freshness) | 30 | ")
