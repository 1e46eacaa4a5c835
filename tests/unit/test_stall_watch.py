"""The stall watchdog: which samples count as progress, and when a partition is stalled."""

from __future__ import annotations

from streams.health.watchdog import StallWatch

TP = ("camera.events", 0)
OTHER = ("camera.events", 1)


def _watch_until(
    watch: StallWatch, until: int, committed: int, lag: int
) -> list[tuple[int, str | None]]:
    """Samples every 5 s from 0 to ``until``, with nothing landed: the verdicts given."""
    return [
        (now, watch.observe(float(now), {TP: committed}, {TP: lag}, {}, False))
        for now in range(0, until + 1, 5)
    ]


def test_a_partition_with_lag_and_no_commit_for_longer_than_the_limit_is_stalled() -> None:
    watch = StallWatch(limit_s=60)
    verdicts = _watch_until(watch, 70, committed=40, lag=12)
    assert [now for now, v in verdicts if v is not None] == [65, 70]
    assert verdicts[-1][1] == (
        "no progress for over 60 s, neither landed nor committed, "
        "on camera.events[0] (12 behind, at offset 40)"
    )


def test_commits_that_move_are_progress() -> None:
    watch = StallWatch(limit_s=60)
    for now in range(0, 300, 5):
        assert watch.observe(float(now), {TP: now}, {TP: 500}, {}, False) is None


def test_no_lag_is_progress_even_without_commits() -> None:
    watch = StallWatch(limit_s=60)
    assert all(v is None for _, v in _watch_until(watch, 300, committed=40, lag=0))


def test_a_landed_batch_is_progress_while_commits_lag_behind() -> None:
    watch = StallWatch(limit_s=60)
    stalled_at = []
    for now in range(0, 200, 5):
        landed_at = {"camera.events": 100.0} if now >= 100 else {}
        if watch.observe(float(now), {TP: 40}, {TP: 12}, landed_at, False) is not None:
            stalled_at.append(now)
    # Stalled from 65 s on; the batch landed at 100 s clears it until 160 s.
    assert stalled_at == [65, 70, 75, 80, 85, 90, 95, 165, 170, 175, 180, 185, 190, 195]


def test_a_rebalance_counts_as_progress_for_every_partition() -> None:
    watch = StallWatch(limit_s=60)
    for now in range(0, 200, 5):
        rebalancing = now < 150  # a long registry recovery
        assert watch.observe(float(now), {TP: 40}, {TP: 12}, {}, rebalancing) is None
    assert watch.observe(211.0, {TP: 40}, {TP: 12}, {}, False) is not None


def test_a_gap_between_samples_starts_the_watch_again() -> None:
    # The probe failed for minutes (the broker away): the watch restarts from the next sample.
    watch = StallWatch(limit_s=60)
    assert watch.observe(0.0, {TP: 40}, {TP: 12}, {}, False) is None
    for now in range(300, 365, 5):
        assert watch.observe(float(now), {TP: 40}, {TP: 12}, {}, False) is None
    assert watch.observe(365.0, {TP: 40}, {TP: 12}, {}, False) is not None


def test_only_the_stalled_partition_is_named_and_a_returning_one_starts_afresh() -> None:
    watch = StallWatch(limit_s=60)
    for now in range(0, 65, 5):
        watch.observe(float(now), {TP: 40, OTHER: now}, {TP: 3, OTHER: 9}, {}, False)
    verdict = watch.observe(65.0, {TP: 40, OTHER: 65}, {TP: 3, OTHER: 9}, {}, False)
    assert verdict is not None and "camera.events[0]" in verdict
    assert "camera.events[1]" not in verdict
    # Revoked, then assigned again: its clock starts at its return.
    assert watch.observe(70.0, {OTHER: 70}, {OTHER: 9}, {}, False) is None
    assert watch.observe(75.0, {TP: 40, OTHER: 75}, {TP: 3, OTHER: 9}, {}, False) is None
