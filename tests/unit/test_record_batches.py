"""Records go out in whole batches per partition, in order, and the last offsets come back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from antt.record_batches import send_batches
from tests.unit.batch_producer import BatchProducer


def _send(producer: BatchProducer, records: list[tuple[int, bytes | None, bytes]]) -> Any:
    return asyncio.run(send_batches(producer, "t", records))  # type: ignore[arg-type]


def test_full_batches_are_sent_and_each_partitions_last_offset_is_returned() -> None:
    producer = BatchProducer(capacity=2)
    records = [(0, b"a", b"1"), (1, b"b", b"2"), (0, b"c", b"3"), (0, b"d", b"4"), (1, None, b"5")]

    last = _send(producer, records)

    assert [(p, [v for _, v in batch]) for _, p, batch in producer.sent] == [
        (0, [b"1", b"3"]),  # full when the third record of partition 0 came
        (1, [b"2", b"5"]),
        (0, [b"4"]),
    ]
    assert last == {0: 102, 1: 101}  # 100, 101, 102 on 0; 100, 101 on 1


def test_a_record_no_batch_can_hold_is_an_error_not_a_loss() -> None:
    with pytest.raises(ValueError, match="1001 bytes does not fit"):
        _send(BatchProducer(), [(0, b"k", b"x" * 1001)])
