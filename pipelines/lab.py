"""``antt lab``: JupyterLab on 127.0.0.1 over a landing zone, for the analysts' notebooks.

The server runs in the foreground with the project's Jupyter configuration (``jupyter/``: the
jupytext contents manager, so ``notebooks/*.py`` open as notebooks) and ``ANTT_DATA_DIR`` set to
this command's data folder, which is where the notebooks' ``landing_dir`` parameter defaults to.
The token is generated here and handed over in the environment, so that the URL printed first is
the one that works, and no other local user can read it from the process list.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Final

from antt.settings import Settings

__all__ = ["CONFIG_FILE", "NOTEBOOK_DIR", "add_arguments", "lab_command", "run"]

_REPO: Final = Path(__file__).resolve().parents[1]
CONFIG_FILE: Final = _REPO / "jupyter" / "jupyter_server_config.py"
NOTEBOOK_DIR: Final = _REPO / "notebooks"
_HOST: Final = "127.0.0.1"
_START_TIMEOUT_S: Final = 180


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8888, help="port on 127.0.0.1 (default 8888)")
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=NOTEBOOK_DIR,
        help="folder JupyterLab opens (default: the project's notebooks/)",
    )


def lab_command(port: int, notebooks: Path) -> list[str]:
    """The JupyterLab server command, in this interpreter, so that kernels run in this venv."""
    # Jupyter refuses root unless told; containers and CI machines often are root.
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--config={CONFIG_FILE}",
        f"--ServerApp.ip={_HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={notebooks.resolve()}",
        "--no-browser",
        *as_root,
    ]


def run(args: argparse.Namespace, settings: Settings) -> int:
    landing = settings.landing_dir.resolve()
    if not landing.is_dir():
        raise RuntimeError(f"no landing zone at {landing}: run `make demo` first (`make lab` does)")
    if not args.notebooks.is_dir():
        raise RuntimeError(f"no notebook folder at {args.notebooks}")
    _check_port_free(args.port)
    token = secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "ANTT_DATA_DIR": str(settings.data_dir.resolve()),
        "ANTT_PROVINCE_CODE": str(settings.province_code),
        "JUPYTER_TOKEN": token,
    }
    server = subprocess.Popen(lab_command(args.port, args.notebooks), env=env)
    # A service manager stops us with SIGTERM: unwind through ``finally`` so the server stops too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        print(f"starting JupyterLab over {landing} ...", flush=True)
        _wait_until_serving(server, args.port, token)
        print("JupyterLab is ready; stop it with Ctrl-C. Open:", flush=True)
        print(f"    http://{_HOST}:{args.port}/lab?token={token}", flush=True)
        return server.wait()
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)


def _wait_until_serving(server: subprocess.Popen[bytes], port: int, token: str) -> None:
    status = f"http://{_HOST}:{port}/api/status"
    request = urllib.request.Request(status, headers={"Authorization": f"token {token}"})
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {server.returncode} (see above)")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass  # not listening yet
        time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer on port {port} within {_START_TIMEOUT_S} s")


def _check_port_free(port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind((_HOST, port))
        except OSError:
            raise RuntimeError(f"port {port} on {_HOST} is in use: pass --port") from None
