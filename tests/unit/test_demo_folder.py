"""``antt demo`` and ``antt bench`` wipe their data folder: they refuse one they did not create."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from antt.settings import Settings
from pipelines.broker import Broker
from pipelines.demo import DEMO_MARKER, DemoStepError, fresh_platform


class _Reached(Exception):
    """The reset went past the folder check (to the broker)."""


class _Broker:
    def stop(self) -> Any:
        raise _Reached


def _reset(folder: Path) -> None:
    settings = Settings(data_dir=folder, cache_dir=folder / "cache", demo_mode=True)
    fresh_platform(settings, cast(Broker, _Broker()))


def test_a_deployment_folder_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    landed = tmp_path / "landing" / "camera_events" / "_" / "p0000" / "x.parquet"
    landed.parent.mkdir(parents=True)
    landed.write_bytes(b"PAR1")
    with pytest.raises(DemoStepError) as refused:
        _reset(tmp_path)
    message = str(refused.value)
    assert "\n" not in message
    assert f"{tmp_path} is not a demo folder (it holds landing and no {DEMO_MARKER})" in message
    assert landed.read_bytes() == b"PAR1"
    assert not (tmp_path / DEMO_MARKER).exists()


def test_a_new_folder_becomes_the_demos_and_stays_its_own(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    (folder / "cache").mkdir(parents=True)  # the downloaded jars may live inside it
    with pytest.raises(DemoStepError) as reached:
        _reset(folder)
    assert isinstance(reached.value.__cause__, _Reached)
    assert (folder / DEMO_MARKER).exists()
    (folder / "landing").mkdir()
    with pytest.raises(DemoStepError) as again:  # a later run on its own folder goes ahead
        _reset(folder)
    assert isinstance(again.value.__cause__, _Reached)
