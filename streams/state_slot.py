"""A state folder of its own for every worker process on a machine.

Faust keeps the registry in RocksDB under its data folder, and RocksDB lets one process open a
database: a second worker on the same folder blocks on the lock. Each worker process claims the
first numbered slot under the state root that no live process holds (``slot-0``, ``slot-1``, …)
by an exclusive ``flock`` on ``<slot>/owner.lock``, which names its pid. The kernel releases the
lock when the process ends, however it ends, so a restarted worker reuses its slot and its
RocksDB copy instead of rebuilding the registry from the changelog.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["StateSlot", "claim_state_slot"]

_MAX_SLOTS = 64


@dataclass(frozen=True, slots=True)
class StateSlot:
    """A claimed folder; the lock lives as long as ``fd`` is open (the process, normally)."""

    path: Path
    fd: int

    def release(self) -> None:
        os.close(self.fd)


def claim_state_slot(root: Path) -> StateSlot:
    """Claim the first free slot under ``root``; raises when every slot is held."""
    holders = []
    for number in range(_MAX_SLOTS):
        folder = root / f"slot-{number}"
        folder.mkdir(parents=True, exist_ok=True)
        lock = folder / "owner.lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holders.append(lock.read_text().strip() or "?")
            continue
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return StateSlot(folder, fd)
    raise RuntimeError(
        f"all {_MAX_SLOTS} worker state folders under {root} are held by running workers "
        f"(pids {', '.join(holders)})"
    )
