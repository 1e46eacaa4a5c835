"""The current (post-July-2025) wards of the whole country, from the `vietnam-provinces` package."""

from __future__ import annotations

from functools import cache

from vietnam_provinces import Ward

__all__ = ["ward_provinces"]


@cache
def ward_provinces() -> dict[str, int]:
    """Every current ward code (5-digit string) mapped to its province code."""
    return {f"{ward.code.value:05d}": int(ward.province_code.value) for ward in Ward.iter_all()}
