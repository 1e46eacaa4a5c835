"""The throughput report: each consumer's pass over a backlog, its rates, and their ratios.

Pure (no broker): the benchmark measures timings; this module turns them into rates, the ratios
the issue's targets are stated in, a Markdown table and JSON.

Two rates per run. The whole-run rate is events over the time from the consumer's start (process
launch, group join, and for the worker everything up to rows a reader can query) to done. The
steady rate leaves start-up and the reader out: events done after the first output (consumed,
or landed), over the time from that first output to the last. Ratios compare steady rates, which
is what a long backlog converges to.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["RATIOS", "Ratio", "Run", "ThroughputReport", "Timing"]

Status = Literal["measured", "not installed"]


@dataclass(frozen=True, slots=True)
class Timing:
    """Monotonic clock readings (``time.monotonic()``, comparable across processes on Linux)."""

    started: float  # the consumer was launched
    first: float  # its first output: the first events consumed, or rows landed
    first_count: int  # events done at ``first``
    done: float  # the result is usable: every event consumed, or every row visible to a reader
    last: float | None = (
        None  # the last output, when it comes before ``done`` (the last row landed)
    )

    def __post_init__(self) -> None:
        if not self.started <= self.first <= self.last_output <= self.done:
            raise ValueError(f"timings out of order: {self}")

    @property
    def last_output(self) -> float:
        return self.done if self.last is None else self.last


@dataclass(frozen=True, slots=True)
class Run:
    """One consumer's pass over one workload's backlog."""

    workload: str
    consumer: str
    events: int
    timing: Timing | None = None
    status: Status = "measured"
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.workload}/{self.consumer}"

    @property
    def seconds(self) -> float | None:
        return None if self.timing is None else self.timing.done - self.timing.started

    @property
    def rate(self) -> float | None:
        """Events per second over the whole run, start-up included."""
        seconds = self.seconds
        return None if seconds is None or seconds <= 0 else self.events / seconds

    @property
    def steady_rate(self) -> float | None:
        """Events per second from the first output to the last, start-up left out."""
        if self.timing is None:
            return None
        span = self.timing.last_output - self.timing.first
        remaining = self.events - self.timing.first_count
        return remaining / span if span > 0 and remaining > 0 else None


@dataclass(frozen=True, slots=True)
class Ratio:
    """``numerator``'s steady rate over ``denominator``'s (run keys), and the target if any."""

    label: str
    numerator: str
    denominator: str
    target: float | None = None


# The ratios the targets are stated in; a ratio whose runs are missing is not shown.
RATIOS: tuple[Ratio, ...] = (
    Ratio("camera: worker / count-only Faust", "camera/worker", "camera/faust-count", 0.80),
    Ratio(
        "camera: worker / count-only Faust, the worker's transport",
        "camera/worker",
        "camera/faust-count-worker",
    ),
    Ratio("camera: worker / Quix Streams", "camera/worker", "camera/quix"),
    Ratio("camera: count-only Faust / aiokafka", "camera/faust-count", "camera/aiokafka"),
    Ratio("camera: Quix Streams / aiokafka", "camera/quix", "camera/aiokafka"),
    Ratio("camera: 2 worker processes / 1", "camera/worker x2", "camera/worker"),
    Ratio("camera: 3 worker processes / 1", "camera/worker x3", "camera/worker"),
    Ratio("camera: 2 worker processes / Quix Streams", "camera/worker x2", "camera/quix", 1.0),
    Ratio("camera: 3 worker processes / Quix Streams", "camera/worker x3", "camera/quix", 1.0),
    Ratio("lodging: worker / count-only Faust", "lodging/worker", "lodging/faust-count"),
    Ratio(
        "lodging: worker / count-only Faust, the worker's transport",
        "lodging/worker",
        "lodging/faust-count-worker",
    ),
    Ratio("lodging: count-only Faust / aiokafka", "lodging/faust-count", "lodging/aiokafka"),
    Ratio(
        "population: registry / count-only Faust",
        "population/registry",
        "population/faust-count",
        0.75,
    ),
    Ratio(
        "population: registry / count-only Faust, the worker's transport",
        "population/registry",
        "population/faust-count-worker",
    ),
    Ratio("population: worker / count-only Faust", "population/worker", "population/faust-count"),
    Ratio(
        "population: registry, 2 worker processes / 1",
        "population/registry x2",
        "population/registry",
    ),
    Ratio(
        "population: registry, 3 worker processes / 1",
        "population/registry x3",
        "population/registry",
    ),
    Ratio(
        "population: count-only Faust / aiokafka", "population/faust-count", "population/aiokafka"
    ),
)


def _number(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


@dataclass(frozen=True, slots=True)
class ThroughputReport:
    """Every run of one benchmark, with the context a reader needs to trust the numbers."""

    runs: tuple[Run, ...]
    context: dict[str, Any]

    def run(self, key: str) -> Run | None:
        return next((r for r in self.runs if r.key == key), None)

    def ratio(self, ratio: Ratio) -> float | None:
        numerator, denominator = self.run(ratio.numerator), self.run(ratio.denominator)
        if numerator is None or denominator is None:
            return None
        top, bottom = numerator.steady_rate, denominator.steady_rate
        return None if top is None or bottom is None or bottom == 0 else top / bottom

    def ratios(self) -> list[tuple[Ratio, float | None]]:
        """Every ratio both of whose runs were part of this benchmark (measured or not)."""
        return [
            (ratio, self.ratio(ratio))
            for ratio in RATIOS
            if self.run(ratio.numerator) is not None and self.run(ratio.denominator) is not None
        ]

    def table(self) -> str:
        lines = [
            "| workload | consumer | events | seconds | events/s (whole run) | "
            "events/s (steady) | note |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in self.runs:
            note = r.note if r.status == "measured" else "; ".join(filter(None, [r.status, r.note]))
            lines.append(
                f"| {r.workload} | {r.consumer} | {r.events:,} | {_number(r.seconds, 1)} | "
                f"{_number(r.rate)} | {_number(r.steady_rate)} | {note} |"
            )
        lines += ["", "| ratio (steady rates) | value | target |", "|---|---|---|"]
        for ratio, value in self.ratios():
            shown = "–" if value is None else f"{value:.0%}"
            target = "" if ratio.target is None else f"≥ {ratio.target:.0%}"
            lines.append(f"| {ratio.label} | {shown} | {target} |")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "runs": [
                {
                    **asdict(r),
                    "seconds": r.seconds,
                    "rate": r.rate,
                    "steady_rate": r.steady_rate,
                }
                for r in self.runs
            ],
            "ratios": {ratio.label: value for ratio, value in self.ratios()},
        }
