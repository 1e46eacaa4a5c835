"""The SQL project: model files applied in order over the landing zone.

Files live in ``warehouse/sql/<NN>_<layer>/*.sql`` and run sorted by folder, then by name, so a
layer may only use the layers before it. The landing root is a ``{landing}`` placeholder, so the
same files serve every deployment and every test's temporary landing zone.

Each scan of a landed table lists its files when the query runs, so two scans of one table in one
query can see different files while a worker lands more. A model that needs one input twice reads
it through a ``MATERIALIZED`` CTE: one scan, one snapshot per query.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SQL_DIR", "model_files", "render"]

SQL_DIR = Path(__file__).with_name("sql")
_PLACEHOLDER = "{landing}"
# DuckDB reads these as glob syntax inside a path, which would silently change what a view reads.
_GLOB_CHARS = frozenset("*?[]{}")


def model_files() -> list[Path]:
    """Every SQL file, in the order it must be applied."""
    return sorted(SQL_DIR.glob("*/*.sql"))


def render(path: Path, landing: Path) -> str:
    """The SQL of ``path`` with the landing root filled in as a quoted-literal-safe path."""
    root = landing.resolve().as_posix()
    if _GLOB_CHARS.intersection(root):
        raise ValueError(f"the landing path {root!r} contains glob characters (*?[]{{}})")
    return path.read_text(encoding="utf-8").replace(_PLACEHOLDER, root.replace("'", "''"))
