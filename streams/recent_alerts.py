"""Raises each alert once: a re-sent event would otherwise raise its alert again."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from streams.cleaning.context import Row
from streams.processing import Outcome

__all__ = ["RecentAlerts"]


class RecentAlerts:
    """The ids of the last ``capacity`` alerts raised by this process; older ones are forgotten.

    Per process and in memory: the duty officer needs an alert once, and a rare repeat after a
    restart is better than a hit missed because a durable store was unavailable.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._raised: OrderedDict[str, None] = OrderedDict()

    def fresh(self, alerts: Iterable[tuple[Outcome, Row]]) -> list[tuple[Outcome, Row]]:
        """The alerts not raised before, remembered as raised from now on."""
        new = []
        for outcome, alert in alerts:
            if alert["alert_id"] in self._raised:
                continue
            self._raised[alert["alert_id"]] = None
            if len(self._raised) > self._capacity:
                self._raised.popitem(last=False)
            new.append((outcome, alert))
        return new
