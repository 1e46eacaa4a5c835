"""Run the Faust worker as a child process, the way a supervisor would, and wait for it to catch up.

The demo and the integration tests use this, so the worker they exercise is the real command
(``antt worker``) with its own process, signals and offsets, not an in-process imitation.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from antt.settings import Settings
from pipelines.reconcile import TopicBalance, reconcile

__all__ = ["WorkerProcess", "settings_env"]


def settings_env(settings: Settings) -> dict[str, str]:
    """Environment variables that rebuild ``settings`` in a child process."""
    env = dict(os.environ)
    for name, value in settings.model_dump(exclude_none=True).items():
        if name == "pseudonym_key":
            value = value.get_secret_value()
        env[f"ANTT_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


class WorkerProcess:
    """``antt worker`` in the background, logging to ``<log_dir>/<name>.log``.

    Several workers on one data folder (one consumer group) take distinct names.
    """

    def __init__(self, settings: Settings, name: str = "worker") -> None:
        self.settings = settings
        self.log_path: Path = settings.log_dir / f"{name}.log"
        self.pid_path: Path = settings.log_dir / f"{name}.pid"
        self._process: subprocess.Popen[bytes] | None = None

    def stop_stale(self) -> bool:
        """Stop a worker a crashed run left behind on this data folder; True if there was one.

        A stale worker keeps its consumer group membership and would take partitions, and land
        files, in the next run on the same folder.
        """
        try:
            pid = int(self.pid_path.read_text())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return False
        if b"pipelines.cli\x00worker" not in cmdline:
            return False
        os.kill(pid, signal.SIGKILL)
        self.pid_path.unlink(missing_ok=True)
        return True

    def start(self) -> None:
        self.settings.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "pipelines.cli", "worker"],
                env=settings_env(self.settings),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_path.write_text(str(self._process.pid))

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the worker is not started")
        return self._process.pid

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def peak_memory_mib(self) -> float:
        """The running worker's peak resident memory so far (the kernel's high-water mark)."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmHWM for worker process {self.pid}")

    def kill(self) -> None:
        """SIGKILL: the crash a fault test wants, with no chance to commit or clean up."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            assert self._process is not None
            self._process.wait()

    def stop(self, timeout_s: float = 30) -> int | None:
        """SIGTERM and wait for a clean shutdown; SIGKILL after the timeout."""
        if self._process is None:
            return None
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        return self._process.returncode

    def wait_until_reconciled(
        self,
        timeout_s: float,
        on_progress: Callable[[list[TopicBalance]], None] | None = None,
    ) -> list[TopicBalance]:
        """Poll reconcile until every topic is ``ok``; raises on timeout or a dead worker."""
        deadline = time.monotonic() + timeout_s
        while True:
            balances = reconcile(self.settings)
            if on_progress is not None:
                on_progress(balances)
            if all(b.status == "ok" for b in balances):
                return balances
            if not self.alive():
                raise RuntimeError(f"the worker exited early; see {self.log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the worker did not catch up within {timeout_s:.0f} s; see {self.log_path}"
                )
            time.sleep(1.0)
