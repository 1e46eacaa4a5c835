"""The worker's check for dropped messages asks a real broker which missing offsets hold records."""

from __future__ import annotations

import asyncio

import pytest

from antt.kafka import client_options
from antt.settings import Settings
from streams.delivery import DeliveryCheck
from tests import factories as f
from tests.integration.kafka_io import Producer

pytestmark = pytest.mark.integration


def test_the_broker_says_which_missing_offsets_hold_records(
    platform: Settings, producer: Producer
) -> None:
    sent = [producer.event("camera.events", f.camera_event(f"cam-{i}")) for i in range(6)]
    [partition] = {s.partition for s in sent}  # one camera: one key, one partition
    offsets = [s.offset for s in sent]
    check = DeliveryCheck(client_options(platform), timeout_s=30)
    assert asyncio.run(check("camera.events", partition, [offsets[1], offsets[4]])) == [
        offsets[1],
        offsets[4],
    ]
    # Asked about offsets past the partition's end, it gives up within its timeout.
    impatient = DeliveryCheck(client_options(platform), timeout_s=2)
    with pytest.raises(TimeoutError):
        asyncio.run(impatient("camera.events", partition, [offsets[-1] + 5]))
