"""How figures are written for Vietnamese readers: one home for every notebook, export and summary.

Police reports group thousands with a dot and use a decimal comma ("2.704 vụ", "−5,43%"), write
dates DD/MM/YYYY, compare "so với cùng kỳ" as a signed change ("giảm 237 vụ (−9,02%)"), and an
export never shows a count of persons from 1 to 4 for one group ("<5").
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

__all__ = [
    "MINUS",
    "SMALL_COUNT_LIMIT",
    "SUPPRESSED",
    "format_change",
    "format_count",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_int",
    "format_pct",
    "is_suppressed",
]

MINUS: Final = "\u2212"  # a real minus sign, as reports print it, not a hyphen
SMALL_COUNT_LIMIT: Final = 5
SUPPRESSED: Final = "<5"
EMPTY: Final = "—"


def format_int(value: int | float | Decimal | None) -> str:
    """``2704`` → ``"2.704"``; None → ``"—"``; negative numbers carry a real minus sign."""
    if value is None:
        return EMPTY
    number = int(value)
    text = f"{abs(number):,}".replace(",", ".")
    return f"{MINUS}{text}" if number < 0 else text


def format_decimal(value: float | Decimal | None, *, digits: int = 2, signed: bool = False) -> str:
    """``20258.45`` → ``"20.258,45"`` (a rate such as crimes per 100,000 residents)."""
    if value is None:
        return EMPTY
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    body = f"{abs(exact):,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if exact < 0:
        return f"{MINUS}{body}"
    return f"+{body}" if signed and exact > 0 else body


def format_pct(value: float | Decimal | None, *, digits: int = 2, signed: bool = False) -> str:
    """``81.8`` → ``"81,80%"``; with ``signed`` a change reads ``"+3,10%"`` or ``"−9,02%"``."""
    if value is None:
        return EMPTY
    return f"{format_decimal(value, digits=digits, signed=signed)}%"


def is_suppressed(count: int | None) -> bool:
    """A count of persons from 1 to 4 could single somebody out in an export."""
    return count is not None and 0 < count < SMALL_COUNT_LIMIT


def format_count(value: int | None, *, persons: bool = True) -> str:
    """A count for an export: counts of persons from 1 to 4 become ``"<5"``."""
    if persons and value is not None and is_suppressed(int(value)):
        return SUPPRESSED
    return format_int(value)


def format_date(value: dt.date | None) -> str:
    """``2025-12-14`` → ``"14/12/2025"``."""
    return EMPTY if value is None else f"{value:%d/%m/%Y}"


def format_datetime(value: dt.datetime | None) -> str:
    """``"14/12/2025 08:05"`` in the value's own time zone (pass a local time)."""
    return EMPTY if value is None else f"{value:%d/%m/%Y %H:%M}"


def format_change(current: int | None, previous: int | None, unit: str = "vụ") -> str:
    """The change against the same period a year earlier, as reports write it.

    ``(2387, 2626)`` → ``"giảm 239 vụ (−9,10%)"``; ``(52, 50)`` → ``"tăng 2 vụ (+4,00%)"``.

    Without a previous figure there is nothing to compare; from zero only the count is given.
    """
    if current is None or previous is None:
        return "chưa có số liệu cùng kỳ"
    change = current - previous
    if change == 0:
        return "bằng cùng kỳ"
    verb = "tăng" if change > 0 else "giảm"
    text = f"{verb} {format_int(abs(change))} {unit}"
    if previous == 0:
        return text
    pct = Decimal(change) * 100 / Decimal(previous)
    return f"{text} ({format_pct(pct, signed=True)})"
