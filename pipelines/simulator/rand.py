"""Seeded randomness: one named stream per component, weighted draws, Poisson counts, times of day.

Each component draws from its own ``random.Random`` seeded by (seed, name), so changing how one
component draws does not shift every other component's output. String seeds are hashed with
SHA-512 by ``random``, independent of PYTHONHASHSEED, so runs agree across processes.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import Final, Generic, TypeVar

from pipelines.simulator.clock import DAY, HOUR, YEAR

__all__ = [
    "Weighted",
    "derive",
    "growth_integral",
    "growth_time",
    "hours",
    "poisson",
    "time_of_day",
]

T = TypeVar("T")


def derive(seed: int, *names: object) -> random.Random:
    """The random stream of one component."""
    return random.Random("/".join(str(part) for part in (seed, *names)))


class Weighted(Generic[T]):
    """A fixed weighted choice, drawn in O(log n) with one uniform number."""

    __slots__ = ("_cum", "_items", "_total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        if not pairs or any(w < 0 for _, w in pairs):
            raise ValueError("need at least one item and no negative weight")
        self._items: Final = tuple(item for item, _ in pairs)
        self._cum: Final = tuple(accumulate(w for _, w in pairs))
        self._total: Final = self._cum[-1]
        if self._total <= 0:
            raise ValueError("weights must not all be zero")

    def draw(self, rng: random.Random) -> T:
        index = bisect_right(self._cum, rng.random() * self._total)
        return self._items[min(index, len(self._items) - 1)]

    @property
    def items(self) -> tuple[T, ...]:
        return self._items

    @property
    def shares(self) -> tuple[float, ...]:
        """Each item's probability, in item order (for columnar draws of the same law)."""
        previous = (0.0, *self._cum[:-1])
        return tuple((c - p) / self._total for c, p in zip(self._cum, previous, strict=True))


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson count; Knuth's method when small, a rounded normal when large (error < 1%)."""
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit = math.exp(-lam)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def growth_time(rng: random.Random, start: int, end: int, yearly_change: float) -> int:
    """An instant in [start, end) drawn from a rate that changes by ``yearly_change`` a year.

    The rate is proportional to (1 + yearly_change) ** (t / year); inverting its integral gives
    the instant exactly, so any two consecutive years differ by the yearly change on average.
    """
    span = end - start
    k = math.log1p(yearly_change) / YEAR
    u = rng.random()
    if abs(k * span) < 1e-9:
        return start + int(u * span)
    offset = math.log1p(u * math.expm1(k * span)) / k
    return start + min(int(offset), span - 1)


def growth_integral(start: int, end: int, yearly_change: float, anchor: int) -> float:
    """Days' worth of a unit daily rate over [start, end), growing yearly, equal to 1 at anchor."""
    k = math.log1p(yearly_change) / YEAR
    if abs(k) < 1e-15:
        return (end - start) / DAY
    return (math.exp(k * (end - anchor)) - math.exp(k * (start - anchor))) / k / DAY


def time_of_day(rng: random.Random, midnight: int, hours: Weighted[int]) -> int:
    """An instant on the day starting at ``midnight``, its hour drawn from ``hours``."""
    return midnight + hours.draw(rng) * HOUR + rng.randrange(HOUR)


def hours(weights: Sequence[float]) -> Weighted[int]:
    """A 24-entry hour-of-day profile."""
    if len(weights) != 24:
        raise ValueError("an hour profile has 24 weights")
    return Weighted(list(zip(range(24), weights, strict=True)))
