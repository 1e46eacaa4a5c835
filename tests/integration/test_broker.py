"""The real local broker: lifecycle, topic creation and a message round trip.

The broker here is this module's own, on free ports and a temporary data folder, so it runs
beside the session broker and a developer's `antt broker start`. A broker that cannot start is a
failure, never a skip: a skipped suite would hide a machine that cannot run the platform.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType

from antt.settings import Settings
from pipelines.broker import Broker, BrokerError
from pipelines.topics import create_topics, group_offsets, topic_offsets
from streams.contract.topics import TOPICS

pytestmark = pytest.mark.integration

PARTITIONS = 2
REPO = Path(__file__).resolve().parents[2]


def _free_ports(count: int) -> list[int]:
    # Hold every socket until all are bound, so the ports differ from each other.
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _settings(data_dir: Path) -> Settings:
    kafka_port, controller_port = _free_ports(2)
    return Settings(
        kafka_port=kafka_port,
        controller_port=controller_port,
        data_dir=data_dir,
        # The repo's jar cache, shared with the session broker and `antt broker start`.
        cache_dir=REPO / ".antt" / "cache",
        partitions=PARTITIONS,
    )


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return _settings(tmp_path_factory.mktemp("broker"))


@pytest.fixture(scope="module")
def broker(settings: Settings) -> Iterator[Broker]:
    broker = Broker(settings)
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()
    assert not broker.status().running


def test_start_runs_the_broker_and_is_idempotent(broker: Broker, settings: Settings) -> None:
    status = broker.status()
    assert status.running
    assert status.pid is not None
    assert status.bootstrap == settings.bootstrap_servers
    assert str(settings.kafka_port) in str(status)

    started = time.monotonic()
    again = broker.start()
    assert again.pid == status.pid
    assert time.monotonic() - started < 5


def test_create_topics_creates_the_contract_topics_once(broker: Broker, settings: Settings) -> None:
    created = create_topics(settings)
    assert created == [spec.name for spec in TOPICS]
    assert len(created) == 9

    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    try:
        described = {t["name"]: t for t in admin.describe_topics(created)}
        resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in created]
        configs = admin.describe_configs(resources)["topic"]
    finally:
        admin.close()
    for spec in TOPICS:
        assert len(described[spec.name]["partitions"]) == PARTITIONS, spec.name
        topic_config = _values(configs[spec.name])
        expected_policy = "compact" if spec.compacted else None
        assert topic_config.get("cleanup.policy") == expected_policy, spec.name
        kept_forever = not spec.compacted
        assert (topic_config.get("retention.ms") == "-1") == kept_forever, spec.name

    assert create_topics(settings) == []


def test_a_message_goes_round_trip(broker: Broker, settings: Settings) -> None:
    create_topics(settings)  # idempotent: this test must not depend on test order
    topic, group = "alerts", "antt-test-round-trip"
    producer = KafkaProducer(bootstrap_servers=settings.bootstrap_servers, acks="all")
    try:
        producer.send(topic, key=b"entry-1", value=b'{"alert_id": "a-1"}').get(timeout=30)
    finally:
        producer.close()

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    try:
        records: list[Any] = []
        deadline = time.monotonic() + 30
        while not records and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=1000).values():
                records.extend(batch)
        consumer.commit()
    finally:
        consumer.close()
    assert [(r.key, r.value) for r in records] == [(b"entry-1", b'{"alert_id": "a-1"}')]

    offsets = topic_offsets(settings, [topic])[topic]
    assert sorted(offsets) == list(range(PARTITIONS))
    assert sum(latest - earliest for earliest, latest in offsets.values()) == 1
    assert group_offsets(settings, group)[topic][records[0].partition] == 1
    assert group_offsets(settings, "antt-test-no-such-group") == {}


def test_stop_then_start_again_on_the_same_data(broker: Broker, settings: Settings) -> None:
    create_topics(settings)
    assert broker.stop() is True
    status = broker.status()
    assert not status.running
    assert status.pid is None
    assert broker.stop() is False  # stopping a stopped broker is fine

    assert broker.start().running
    assert create_topics(settings) == []  # the topics survived the restart


def test_start_on_a_taken_port_names_the_port(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((settings.kafka_host, settings.kafka_port))
        listener.listen()
        with pytest.raises(BrokerError, match=f"port {settings.kafka_port} on 127.0.0.1"):
            Broker(settings).start()
    assert not Broker(settings).status().running


def _values(config: dict[str, Any]) -> dict[str, str]:
    """{name: value} from kafka-python's describe_configs entries."""
    result: dict[str, str] = {}
    for name, entry in config.items():
        value = entry.get("value") if isinstance(entry, dict) else entry
        result[name] = str(value)
    return result
