"""The warehouse models' own statement of grain and key, parsed from their SQL file headers.

Every model file starts with ``-- grain: ...`` and ``-- key: ...``; the suites read them here
instead of repeating them, so a model that changes its grain changes its uniqueness check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from warehouse.project import model_files

__all__ = ["VALIDATED_LAYERS", "ModelHeader", "model_headers", "parse_header"]

# Staging, marts, aggregates and indicators: what analysts and dashboards read. The landed layer
# is checked through its files (expectations.cross) rather than view by view.
VALIDATED_LAYERS: Final = ("20_staging", "30_marts", "40_aggregates", "50_indicators")
_GRAIN: Final = re.compile(r"^--\s*grain:\s*(.+)$", re.MULTILINE)
_KEY: Final = re.compile(r"^--\s*key:\s*(.+)$", re.MULTILINE)
# "ward_code NULL for the province total": the one key column allowed to be NULL, on total rows.
_NULLABLE: Final = re.compile(r"\b([a-z_][a-z0-9_]*) NULL\b")


@dataclass(frozen=True, slots=True)
class ModelHeader:
    """What a model file says about itself."""

    view: str
    layer: str
    grain: str
    key: tuple[str, ...]
    nullable_key: frozenset[str]


def parse_header(view: str, layer: str, sql: str) -> ModelHeader:
    """The grain and key a model's SQL states; ValueError names the file that states none."""
    grain, key = _GRAIN.search(sql), _KEY.search(sql)
    if grain is None or key is None:
        raise ValueError(f"{layer}/{view}.sql states no '-- grain:' or '-- key:' line")
    columns = tuple(part.strip() for part in key.group(1).strip().strip("()").split(","))
    nullable = frozenset(_NULLABLE.findall(grain.group(1))) & frozenset(columns)
    return ModelHeader(view, layer, grain.group(1).strip(), columns, nullable)


def model_headers() -> dict[str, ModelHeader]:
    """The header of every model in the validated layers, by view name."""
    headers: dict[str, ModelHeader] = {}
    for path in model_files():
        layer = path.parent.name
        if layer in VALIDATED_LAYERS:
            headers[path.stem] = parse_header(path.stem, layer, path.read_text(encoding="utf-8"))
    return headers
