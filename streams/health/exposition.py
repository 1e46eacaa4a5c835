"""The Prometheus text exposition format (version 0.0.4): written by the worker, read by status.

Small enough to write by hand, which keeps the worker free of a metrics library and its global
registry: a scrape renders the worker's current counts, nothing is kept twice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["CONTENT_TYPE", "Family", "MetricType", "Samples", "parse", "render"]

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"

MetricType = Literal["counter", "gauge"]
# name -> [(labels, value)], as ``parse`` returns them
Samples = dict[str, list[tuple[dict[str, str], float]]]

_NAME: Final = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL: Final = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_LABEL_ESCAPES: Final = {"\\": "\\\\", '"': '\\"', "\n": "\\n"}
_UNESCAPE: Final = {"\\": "\\", '"': '"', "n": "\n"}


@dataclass(frozen=True, slots=True)
class Family:
    """One metric: its samples share the name, help text and type."""

    name: str
    help: str
    type: MetricType
    samples: tuple[tuple[Mapping[str, str], float], ...]

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"not a Prometheus metric name: {self.name!r}")
        for labels, _ in self.samples:
            bad = [name for name in labels if not _LABEL.fullmatch(name) or name.startswith("__")]
            if bad:
                raise ValueError(f"{self.name}: not Prometheus label names: {bad}")


def _value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


def _escape_label(value: str) -> str:
    return "".join(_LABEL_ESCAPES.get(c, c) for c in value)


def render(families: Iterable[Family]) -> str:
    """The exposition text: ``# HELP`` and ``# TYPE`` lines, then one line per sample."""
    lines: list[str] = []
    for family in families:
        help_text = family.help.replace("\\", "\\\\").replace("\n", "\\n")
        lines.append(f"# HELP {family.name} {help_text}")
        lines.append(f"# TYPE {family.name} {family.type}")
        for labels, value in family.samples:
            pairs = ",".join(f'{k}="{_escape_label(v)}"' for k, v in labels.items())
            lines.append(f"{family.name}{{{pairs}}} {_value(value)}" if pairs else
                         f"{family.name} {_value(value)}")  # fmt: skip
    return "\n".join(lines) + "\n"


def _labels(text: str, start: int) -> tuple[dict[str, str], int]:
    """Labels from ``text[start]`` (just after "{") to the closing "}"; returns the index after."""
    labels: dict[str, str] = {}
    i = start
    while True:
        while text[i] in ", ":
            i += 1
        if text[i] == "}":
            return labels, i + 1
        eq = text.index("=", i)
        name = text[i:eq].strip()
        if text[eq + 1] != '"':
            raise ValueError(f"label {name!r} has no quoted value")
        i = eq + 2
        value: list[str] = []
        while text[i] != '"':
            if text[i] == "\\":
                i += 1
                value.append(_UNESCAPE.get(text[i], "\\" + text[i]))
            else:
                value.append(text[i])
            i += 1
        labels[name] = "".join(value)
        i += 1


def parse(text: str) -> Samples:
    """Every sample of an exposition, by metric name; comments and timestamps are dropped."""
    samples: Samples = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            name = _NAME.match(line)
            if name is None:
                raise ValueError("no metric name")
            labels: dict[str, str] = {}
            rest = name.end()
            if line[rest : rest + 1] == "{":
                labels, rest = _labels(line, rest + 1)
            value = float(line[rest:].split()[0])
        except (ValueError, IndexError) as exc:
            raise ValueError(f"line {number} is not a Prometheus sample: {line!r}: {exc}") from None
        samples.setdefault(name.group(), []).append((labels, value))
    return samples
