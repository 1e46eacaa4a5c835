"""The worker's garbage-collector settings: batch-sized generations, and the process's startup
objects frozen out of full collections."""

from __future__ import annotations

import gc

from streams.collector import THRESHOLDS, tune_collector


def test_tuning_sets_the_generations_and_freezes_what_exists() -> None:
    before = gc.get_threshold()
    try:
        tune_collector()
        assert gc.get_threshold() == THRESHOLDS == (10_000, 10, 10)
        # Every object alive now (this test's module among them) is out of the collector's walk.
        assert gc.get_freeze_count() >= len(gc.get_objects(generation=None)) // 2
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    assert gc.get_freeze_count() == 0
