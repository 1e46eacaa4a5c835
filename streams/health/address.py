"""Where a running worker's endpoint listens: ``endpoint.json`` in the worker's state slot.

The worker writes it once its server listens (the port may be a free one the kernel chose);
``antt status`` reads every slot's file and keeps those whose process is still alive, since a
SIGKILLed worker leaves its file behind.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["ENDPOINT_FILE", "Endpoint", "running_endpoints", "starting_workers", "write_endpoint"]

ENDPOINT_FILE: Final = "endpoint.json"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A worker process and the loopback port of its /metrics and /healthz."""

    slot: Path
    pid: int
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def write_endpoint(slot: Path, port: int) -> Path:
    """Record this process's port in ``slot``, atomically (a reader never sees half a file)."""
    path = slot / ENDPOINT_FILE
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps({"pid": os.getpid(), "port": port}))
    partial.replace(path)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _is_worker(pid: int) -> bool:
    try:
        return b"\x00worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def running_endpoints(state_dir: Path) -> list[Endpoint]:
    """The endpoints of the live workers whose slots are under ``state_dir``, by slot."""
    found = []
    for path in sorted(state_dir.glob(f"slot-*/{ENDPOINT_FILE}")):
        try:
            record = json.loads(path.read_text())
            endpoint = Endpoint(path.parent, int(record["pid"]), int(record["port"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # being replaced, or left half-written by a crash: no worker to show
        if _alive(endpoint.pid):
            found.append(endpoint)
    return found


def starting_workers(state_dir: Path) -> list[tuple[Path, int]]:
    """(slot, pid) of live workers that hold a slot but listen nowhere yet (registry recovery).

    ``owner.lock`` names the pid of the slot's last holder (``streams.state_slot``); reading it
    takes no lock, so a worker starting meanwhile still gets its own slot.
    """
    listening = {e.pid for e in running_endpoints(state_dir)}
    found = []
    for lock in sorted(state_dir.glob("slot-*/owner.lock")):
        try:
            pid = int(lock.read_text().strip())
        except (OSError, ValueError):
            continue
        if pid not in listening and _alive(pid) and _is_worker(pid):
            found.append((lock.parent, pid))
    return found
