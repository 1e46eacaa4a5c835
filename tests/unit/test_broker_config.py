"""Broker settings without a broker: node ports, client options, grants, refused layouts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from antt.kafka import client_options, faust_options
from antt.settings import Settings
from pipelines.broker import Broker, BrokerError
from pipelines.broker.acl import PRINCIPALS, PRODUCER_TOPICS, platform_grants
from streams.contract.topics import SOURCE_TOPICS


def test_a_cluster_takes_consecutive_port_pairs_and_lists_every_node() -> None:
    settings = Settings(nodes=3, kafka_port=29092, controller_port=29093)
    assert settings.node_ports == ((29092, 29093), (29094, 29095), (29096, 29097))
    assert settings.bootstrap_servers == "127.0.0.1:29092,127.0.0.1:29094,127.0.0.1:29096"
    assert faust_options(settings) == {
        "broker": ["kafka://127.0.0.1:29092", "kafka://127.0.0.1:29094", "kafka://127.0.0.1:29096"]
    }
    assert Settings().bootstrap_servers == "127.0.0.1:19092"


def test_overlapping_node_ports_are_refused() -> None:
    with pytest.raises(ValidationError, match="distinct ports"):
        Settings(nodes=3, kafka_port=29092, controller_port=29094)


def test_secure_client_options_read_the_principals_file_and_mask_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, kafka_secure=True, kafka_username="camera")
    settings.kafka_secrets.mkdir(parents=True)
    (settings.kafka_secrets / "camera.password").write_text("s3cret-camera-password\n")
    options = client_options(settings)
    assert options == {
        "bootstrap_servers": "127.0.0.1:19092",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "camera",
        "sasl_plain_password": "s3cret-camera-password",
    }
    assert "s3cret" not in repr(options)
    assert "s3cret" not in str(options)
    assert client_options(Settings()) == {"bootstrap_servers": "127.0.0.1:19092"}


def test_secure_client_options_without_a_principal_or_file_say_so(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ANTT_KAFKA_USERNAME"):
        client_options(Settings(data_dir=tmp_path, kafka_secure=True))
    missing = tmp_path / "nowhere.password"
    with pytest.raises(RuntimeError, match=f"cannot read the Kafka password file {missing}"):
        client_options(
            Settings(kafka_secure=True, kafka_username="worker", kafka_password_file=missing)
        )


def test_every_source_topic_has_exactly_one_producer_and_the_analyst_nothing() -> None:
    grants = platform_grants("antt")
    writers = {
        spec.name: sorted(
            g.principal for g in grants if g.operation == "write" and g.name == spec.name
        )
        for spec in SOURCE_TOPICS
    }
    assert writers == {
        "camera.events": ["camera"],
        "lodging.checkins": ["lodging"],
        "incident.reports": ["incident"],
        "population.updates": ["population"],
        "ref.cameras": ["reference"],
        "ref.facilities": ["reference"],
        "ref.watchlist": ["reference"],
    }
    assert set(PRODUCER_TOPICS) | {"admin", "worker", "analyst"} == set(PRINCIPALS)
    assert [g for g in grants if g.principal in ("analyst", "admin")] == []
    prefixed = sorted((g.operation, g.resource, g.name) for g in grants if g.prefixed)
    assert prefixed == [
        ("create", "topic", "antt-"),
        ("read", "group", "antt"),
        ("read", "topic", "antt-"),
        ("write", "topic", "antt-"),
    ]


def test_a_folder_made_insecure_is_not_started_secure_and_vice_versa(tmp_path: Path) -> None:
    single = Settings(data_dir=tmp_path / "single", cache_dir=tmp_path / "cache")
    (single.broker_dir / "data").mkdir(parents=True)
    (single.broker_dir / "data" / "meta.properties").write_text("cluster.id=x\n")
    secure = single.model_copy(update={"kafka_secure": True})
    with pytest.raises(BrokerError, match="made without --secure"):
        Broker(secure).start()
    with pytest.raises(BrokerError, match="made with a single node, not 3"):
        Broker(Settings(nodes=3, data_dir=single.data_dir, cache_dir=single.cache_dir)).start()

    made_secure = secure.model_copy(update={"data_dir": tmp_path / "secure"})
    (made_secure.broker_dir / "data").mkdir(parents=True)
    (made_secure.broker_dir / "data" / "meta.properties").write_text("cluster.id=x\n")
    made_secure.kafka_secrets.mkdir(parents=True)
    with pytest.raises(BrokerError, match="made with --secure"):
        Broker(made_secure.model_copy(update={"kafka_secure": False})).start()


def test_stop_and_status_find_a_clusters_nodes_without_being_told(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, kafka_port=29092, controller_port=29093)
    for node in (1, 2, 3):
        (settings.broker_dir / f"node-{node}").mkdir(parents=True)
        (settings.broker_dir / f"node-{node}" / "server.properties").write_text("")
    broker = Broker(settings)
    assert [n.port for n in broker.status().nodes] == [29092, 29094, 29096]
    assert broker.stop() is False
    assert "0 of 3 nodes running" in str(broker.status())
