"""Notices a worker that has stopped making progress while work waits for it.

A worker can stall without any step failing: after some consumer-group rebalances under load,
Faust has been seen to keep a worker in its group, logging progress, while a partition with
messages waiting is neither landed nor committed. No exception is raised anywhere, so
``streams.failure`` never sees it, and no supervisor would restart a process that stays up.

``StallWatch`` judges from what the health sampler measures anyway: per assigned partition, the
group's committed offset and the lag. A partition makes progress when its committed offset moves,
when it has no lag, or when its topic lands a batch; a rebalance (and Faust's registry recovery,
which is part of it) counts as progress for every partition. A partition with lag and no progress
for ``limit_s`` is stalled, and the worker ends with exit 75 (``streams.failure``): the restart
resumes from the committed offsets, and the landing zone skips whatever had landed already.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["STALL_LIMIT_S", "StallWatch", "WorkerStalled"]

# Well above anything a healthy worker does without committing: a batch waits at most
# Settings.reference_timeout_s (30 s) for the reference topics, and offsets are committed every
# second once a batch has landed.
STALL_LIMIT_S: Final = 120.0
# Observations further apart than this (the broker away, the probe failing) say nothing about
# progress in between: the watch starts again rather than count the gap as a stall.
_GAP_S: Final = 30.0

Partition = tuple[str, int]


class WorkerStalled(RuntimeError):
    """Partitions with messages waiting made no progress for longer than the limit."""


class StallWatch:
    """Remembers when each assigned partition last made progress; says which ones stalled."""

    def __init__(self, limit_s: float = STALL_LIMIT_S) -> None:
        self.limit_s = limit_s
        self._committed: dict[Partition, int] = {}
        self._progress_at: dict[Partition, float] = {}
        self._observed_at: float | None = None

    def observe(
        self,
        now: float,
        committed: Mapping[Partition, int],
        lag: Mapping[Partition, int],
        landed_at: Mapping[str, float],
        rebalancing: bool,
    ) -> str | None:
        """Record one sample; a one-line description of the stalled partitions, or None."""
        restart = rebalancing or self._observed_at is None or now - self._observed_at > _GAP_S
        self._observed_at = now
        stalled = []
        for tp, behind in sorted(lag.items()):
            offset = committed.get(tp, -1)
            moved = self._committed.get(tp) != offset
            self._committed[tp] = offset
            if restart or moved or not behind:  # a partition seen first has moved
                self._progress_at[tp] = now
            idle = now - max(self._progress_at[tp], landed_at.get(tp[0], 0.0))
            if idle > self.limit_s:
                stalled.append(f"{tp[0]}[{tp[1]}] ({behind} behind, at offset {offset})")
        # Partitions no longer assigned start afresh if they come back.
        for tp in set(self._progress_at) - set(lag):
            del self._progress_at[tp]
            self._committed.pop(tp, None)
        if not stalled:
            return None
        return (
            f"no progress for over {self.limit_s:.0f} s, neither landed nor committed, "
            f"on {', '.join(stalled)}"
        )
