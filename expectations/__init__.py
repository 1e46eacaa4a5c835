"""Data-quality suites over the warehouse, validated with Great Expectations (``antt dq run``).

The suites are built from ``facts.VIEWS`` (one entry per view), the grain and key each model's
SQL header states, and the event contract's enums. Importing this package does not import Great
Expectations: ``run_quality`` loads it when a run starts.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

# GX Core reports usage to its vendor unless told not to: set before any module here imports it,
# since police data platforms run offline and tell nobody what they validate.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

__all__ = ["QualityRun", "run_quality"]

if TYPE_CHECKING:
    from expectations.run import QualityRun, run_quality


def __getattr__(name: str) -> Any:
    if name in __all__:
        from expectations import run

        return getattr(run, name)
    raise AttributeError(f"module 'expectations' has no attribute {name!r}")
