"""The warehouse: the landing zone, and DuckDB views and indicators over it.

``connect`` and ``indicator`` load lazily, so that the streaming workers, which import
``warehouse.landing``, do not pay for importing DuckDB and polars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["INDICATORS", "IndicatorName", "PeriodKind", "YearBasis", "connect", "indicator"]

if TYPE_CHECKING:
    from warehouse.api import (
        INDICATORS,
        IndicatorName,
        PeriodKind,
        YearBasis,
        connect,
        indicator,
    )


def __getattr__(name: str) -> Any:
    if name in __all__:
        from warehouse import api

        return getattr(api, name)
    raise AttributeError(f"module 'warehouse' has no attribute {name!r}")
