"""The command line: every command has --help, and a command imports only what it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli import _command_in, main

REPO = Path(__file__).resolve().parents[2]

COMMANDS = ["broker", "topics", "simulate", "worker", "reconcile", "compact", "status", "demo",
            "bench", "dashboards", "dq", "lab"]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", "/nonexistent", command, "--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: antt {command}")


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["status"], "status"),
        (["--data-dir", "bench", "status"], "status"),
        (["--data-dir=demo", "-v", "bench", "alerts"], "bench"),
        (["--kafka-port", "19092", "simulate", "--days", "3"], "simulate"),
        (["--help"], None),
        ([], None),
    ],
)
def test_the_command_is_found_after_the_global_options(argv: list[str], command: str) -> None:
    assert _command_in(argv) == command


@pytest.mark.parametrize("argv", [["--help"], ["status", "--help"]])
def test_help_and_status_import_no_polars_kafka_or_gx(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from pipelines.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "heavy = {'polars', 'kafka', 'aiokafka', 'great_expectations', 'faust', 'duckdb'}\n"
        "print('heavy:', ','.join(sorted({m.split('.')[0] for m in sys.modules} & heavy)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "heavy: "
