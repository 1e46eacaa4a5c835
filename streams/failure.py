"""Crash-only failure handling: a step that leaves a batch unlanded ends the process, loudly.

Faust restarts an agent whose loop raised, and the restarted agent lands and commits nothing
while the process stays up and keeps logging progress: a stall no supervisor notices. So every
step of an agent's work runs inside ``step``: an exception there is logged as one line naming the
topic and the step, and the process exits at once with ``EXIT_TEMPFAIL`` without acknowledging
anything. The supervisor restarts the worker, which replays the batch; the landing zone makes the
replay land nothing twice.

A step that learns the worker is stopping (SIGTERM) while it waits raises ``StopRequested``: the
process then exits 0 at once, abandoning the batch in hand unacknowledged. Faust's own shutdown
would wait for that batch to be acknowledged, for as long as the wait lasts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

__all__ = ["EXIT_TEMPFAIL", "StopRequested", "exit_now", "step"]

log = logging.getLogger(__name__)

EXIT_TEMPFAIL = 75  # EX_TEMPFAIL: a supervisor restarts the worker and the batch is replayed


class StopRequested(Exception):
    """The worker is stopping while a step waits: the batch in hand is to be abandoned."""


def exit_now(topic: str, name: str, exc: BaseException) -> NoReturn:
    """Log one line naming the topic and the step, then end the process without cleanup."""
    log.critical(
        "worker stopping (exit %d): %s: step '%s' failed: %s: %s; nothing of the batch in hand "
        "is acknowledged, a restart replays it",
        EXIT_TEMPFAIL,
        topic,
        name,
        type(exc).__name__,
        exc,
    )
    # os._exit, not sys.exit: Faust catches what an agent raises, and an orderly shutdown can
    # wait minutes on a broker that is away.
    os._exit(EXIT_TEMPFAIL)


@contextmanager
def step(topic: str, name: str) -> Iterator[None]:
    """Run one step of a topic's work; any exception ends the process (see the module doc)."""
    try:
        yield
    except StopRequested:
        log.warning(
            "worker stopping: %s: the batch in hand is abandoned during step '%s' (not "
            "acknowledged, so it is replayed after a restart)",
            topic,
            name,
        )
        os._exit(0)
    except Exception as exc:
        exit_now(topic, name, exc)
