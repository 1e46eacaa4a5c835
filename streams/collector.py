"""How a stream processor's garbage collector runs: sized for batches, and blind to what lives as
long as the process.

Python's defaults (a collection of the youngest objects every 700 new containers, of all objects
every hundredth of those) suit programs that allocate a little at a time. A worker's batch of a
few thousand events allocates a few hundred thousand containers that live until the batch is
landed, in a process whose modules, Faust app and clients are themselves a few hundred thousand
objects. Measured on a registry bootstrap (200,000 updates, one worker; docs/performance.md):
with the defaults the collector ran 4,285 young and 36 full collections, the full ones about
160 ms each, 8.1 s of the worker's 79 s of CPU; with the settings below 2.5 s.

Only cycles wait for the collector; everything else is freed the moment its last reference goes,
so larger generations hold memory back only for garbage cycles, which the worker makes few of.
"""

from __future__ import annotations

import gc
from typing import Final

__all__ = ["THRESHOLDS", "tune_collector"]

# New containers before a young collection, young collections before a middle one, middle ones
# before a full one: a young generation the size of part of a batch, not of one event.
THRESHOLDS: Final = (10_000, 10, 10)


def tune_collector() -> None:
    """Call once, when the app is built and before it runs: what exists then (modules, the app)
    lives as long as the process, and full collections stop walking it."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
