"""Topic limits on the real broker: the dead-letter topic takes what the sources take, and a
topic created before those limits existed is brought up to them by ``antt topics``."""

from __future__ import annotations

import time
from typing import Any

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from antt.settings import Settings
from pipelines.topics import create_topics
from streams.contract.limits import DEADLETTER_MAX_BYTES, SOURCE_MAX_BYTES

pytestmark = pytest.mark.integration

Limits = dict[str, dict[str, str]]
LIMITS: Limits = {
    "deadletter": {"max.message.bytes": str(DEADLETTER_MAX_BYTES)},
    "camera.events": {
        "max.message.bytes": str(SOURCE_MAX_BYTES),
        "message.timestamp.after.max.ms": str(60 * 60 * 1000),
    },
}


def _limits_become(admin: Any, expected: Limits) -> Limits:
    """The topics' overridden limits once they equal ``expected``, or after 30 s.

    A config change reaches the broker's answers through its metadata log, a moment later.
    """
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in LIMITS]
    deadline = time.monotonic() + 30
    while True:
        described = admin.describe_configs(resources)["topic"]
        limits = {
            name: {key: described[name][key]["value"] for key in keys if key in described[name]}
            for name, keys in LIMITS.items()
        }
        if limits == expected or time.monotonic() > deadline:
            return limits
        time.sleep(0.5)


def test_existing_topics_get_the_contract_limits(platform: Settings) -> None:
    admin = KafkaAdminClient(bootstrap_servers=platform.bootstrap_servers)
    try:
        assert _limits_become(admin, LIMITS) == LIMITS
        # As a deployment made before the limits existed: back to the broker defaults.
        reset = admin.reset_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, n, configs=list(c))
                for n, c in LIMITS.items()
            ]
        )
        assert reset == {"topic": {"deadletter": "OK", "camera.events": "OK"}}
        unset: Limits = {name: {} for name in LIMITS}
        assert _limits_become(admin, unset) == unset
        assert create_topics(platform) == []  # nothing to create ...
        assert _limits_become(admin, LIMITS) == LIMITS  # ... but the limits are set again
    finally:
        admin.close()
