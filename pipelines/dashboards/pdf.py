"""A printable briefing: headless Chromium prints a page of the export to PDF, offline."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Final

__all__ = ["CHROMIUM", "print_pdf"]

CHROMIUM: Final = Path("/usr/bin/chromium")
# Nothing but the page itself: no network, no updates, no profile of a real user.
_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--no-pdf-header-footer",
    "--window-size=1400,1000",
    # Lets plotly draw its charts before the page is printed.
    "--virtual-time-budget=10000",
    "--run-all-compositor-stages-before-draw",
)


def print_pdf(page: Path, pdf: Path, *, browser: Path = CHROMIUM, timeout_s: float = 120) -> Path:
    """Print ``page`` (a file of the export) to ``pdf`` with the page's own print CSS."""
    if not browser.exists() and shutil.which(str(browser)) is None:
        raise RuntimeError(
            f"cannot write the PDF: {browser} is missing (install Debian's chromium package)"
        )
    with tempfile.TemporaryDirectory(prefix="antt-chromium-") as profile:
        command = [
            str(browser),
            *_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf.resolve()}",
            page.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    if done.returncode != 0 or not pdf.exists():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"chromium could not print {page.name} to PDF: {last}")
    return pdf
