"""SASL/SCRAM and ACLs on a real broker: each party reaches exactly the topics it should.

The broker is this module's own (``--secure``, free ports, a temporary data folder), not the
session broker. The expected access below is written out by hand from the issue ("each producer
may write only its own topic", "analysts cannot read raw topics at all") rather than derived from
``pipelines.broker.acl``, so that a wrong grant there fails here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import GroupAuthorizationFailedError, TopicAuthorizationFailedError, for_code

from antt.kafka import client_options
from antt.settings import Settings
from pipelines.broker import Broker
from pipelines.topics import topic_configs
from pipelines.worker_process import WorkerProcess, settings_env
from streams.contract.topics import TOPICS

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
APP_ID = "antt-secure"
ALL_TOPICS = [spec.name for spec in TOPICS]
RAW_TOPICS = [spec.name for spec in TOPICS if spec.is_source]
OWN_TOPICS = {
    "camera": {"camera.events"},
    "lodging": {"lodging.checkins"},
    "incident": {"incident.reports"},
    "population": {"population.updates"},
    "reference": {"ref.cameras", "ref.facilities", "ref.watchlist"},
}


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    kafka_port, controller_port = _free_ports(2)
    settings = Settings(
        kafka_secure=True,
        kafka_port=kafka_port,
        controller_port=controller_port,
        data_dir=tmp_path_factory.mktemp("secure"),
        cache_dir=REPO / ".antt" / "cache",
        partitions=2,
        app_id=APP_ID,
    )
    # Our own code's log, at its most talkative, goes beside the broker's: it is scanned too.
    settings.log_dir.mkdir(parents=True)
    python_log = logging.FileHandler(settings.log_dir / "python.log")
    python_log.setLevel(logging.DEBUG)
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(python_log)
    root.setLevel(logging.DEBUG)
    broker = Broker(settings)
    try:
        broker.start(timeout_s=240)
        _create_topics(broker)
        yield broker
    finally:
        broker.stop()
        root.removeHandler(python_log)
        root.setLevel(previous_level)
        python_log.close()


def _as(broker: Broker, principal: str, **update: Any) -> dict[str, Any]:
    return client_options(
        broker.settings.model_copy(update={"kafka_username": principal, **update})
    )


def _create_topics(broker: Broker) -> None:
    admin = KafkaAdminClient(**client_options(broker.admin_settings))
    try:
        admin.create_topics(
            {
                spec.name: {
                    "num_partitions": 2,
                    "replication_factor": 1,
                    "configs": topic_configs(spec),
                }
                for spec in TOPICS
            },
            timeout_ms=30_000,
        )
        admin.wait_for_topics(ALL_TOPICS, timeout_ms=30_000)
    finally:
        admin.close()


def _try_send(options: dict[str, Any], topic: str) -> str:
    """'ok' when the broker acknowledged a message, else the error class's name."""
    producer = KafkaProducer(acks="all", max_block_ms=20_000, **options)
    try:
        producer.send(topic, key=b"k", value=f"{topic} {time.time_ns()}".encode()).get(20)
    except TopicAuthorizationFailedError as exc:
        return type(exc).__name__
    finally:
        producer.close()
    return "ok"


def test_each_producer_writes_its_own_topics_and_is_denied_every_other(secure: Broker) -> None:
    outcomes = {
        (principal, topic): _try_send(_as(secure, principal), topic)
        for principal in OWN_TOPICS
        for topic in ALL_TOPICS
    }
    expected = {
        (principal, topic): "ok" if topic in own else "TopicAuthorizationFailedError"
        for principal, own in OWN_TOPICS.items()
        for topic in ALL_TOPICS
    }
    assert outcomes == expected
    assert list(outcomes.values()).count("ok") == 7
    assert list(outcomes.values()).count("TopicAuthorizationFailedError") == 5 * 9 - 7


def test_the_worker_reads_sources_writes_outputs_and_nothing_else(secure: Broker) -> None:
    camera = _as(secure, "camera")
    worker = _as(secure, "worker")
    sent = [f"camera-{n}-{time.time_ns()}".encode() for n in range(3)]
    producer = KafkaProducer(acks="all", **camera)
    try:
        for value in sent:
            producer.send("camera.events", value=value).get(20)
    finally:
        producer.close()

    # As its consumer group (the Faust app id), from the beginning, committing what it read.
    consumer = KafkaConsumer(
        "camera.events",
        group_id=APP_ID,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **worker,
    )
    try:
        read: list[bytes] = []
        deadline = time.monotonic() + 60
        while not set(sent) <= set(read) and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=1000).values():
                read.extend(r.value for r in records)
        consumer.commit()
    finally:
        consumer.close()
    assert sorted(v for v in read if v in sent) == sorted(sent)  # each exactly once

    assert {t: _try_send(worker, t) for t in ("deadletter", "alerts", "camera.events")} == {
        "deadletter": "ok",
        "alerts": "ok",
        "camera.events": "TopicAuthorizationFailedError",
    }
    with pytest.raises(GroupAuthorizationFailedError):
        _join_group(worker, "camera.events", "not-the-worker-group")
    # Faust creates its internal topics (registry changelog) under the app id, and only there.
    assert _create_topic(worker, f"{APP_ID}-population_registry-changelog") == "NoError"
    assert _create_topic(worker, "rogue.topic") == "TopicAuthorizationFailedError"


def test_the_analyst_cannot_read_any_topic(secure: Broker) -> None:
    analyst = _as(secure, "analyst")
    # Metadata hides every topic from the analyst; reading one is refused outright.
    consumer = KafkaConsumer(enable_auto_commit=False, **analyst)
    try:
        assert consumer.topics() == set()
    finally:
        consumer.close()
    refused = [topic for topic in ALL_TOPICS if _read_refused(analyst, topic)]
    assert refused == ALL_TOPICS
    assert set(RAW_TOPICS) <= set(refused)
    with pytest.raises(GroupAuthorizationFailedError):
        _join_group(analyst, "camera.events", APP_ID)
    assert _try_send(analyst, "alerts") == "TopicAuthorizationFailedError"


def test_a_wrong_password_fails_authentication(
    secure: Broker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = tmp_path / "camera.password"
    wrong.write_text("not-the-password\n")
    broker_log = secure.nodes[0].log_path
    failures_before = broker_log.read_text().count("Failed authentication with /127.0.0.1")

    with caplog.at_level(logging.ERROR, logger="aiokafka"):
        with pytest.raises(KafkaConnectionError):
            asyncio.run(_start_producer(_as(secure, "camera", kafka_password_file=wrong)))
        # The same principal with its real password gets in: the password alone made the change.
        asyncio.run(_start_producer(_as(secure, "camera")))
    reasons = [
        r.getMessage() for r in caplog.records if "SaslAuthenticationFailed" in r.getMessage()
    ]
    assert len(reasons) == 1
    assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in reasons[0]
    failures = broker_log.read_text().count("Failed authentication with /127.0.0.1")
    assert failures == failures_before + 1


def test_a_rotated_password_replaces_the_old_one(secure: Broker, tmp_path: Path) -> None:
    secret = secure.secrets_dir / "camera.password"
    old = tmp_path / "old-camera.password"
    old.write_text(secret.read_text())
    secret.write_text(f"rotated-{time.time_ns()}-camera-password\n")

    secure.apply_security()  # what `antt broker acls` does

    with pytest.raises(KafkaConnectionError):
        asyncio.run(_start_producer(_as(secure, "camera", kafka_password_file=old)))
    assert _try_send(_as(secure, "camera"), "camera.events") == "ok"


def test_no_secret_reaches_a_log_or_a_command_line(secure: Broker) -> None:
    secrets_dir = secure.secrets_dir
    passwords = {p.stem: p.read_text().strip() for p in secrets_dir.glob("*.password")}
    assert set(passwords) == {
        "admin", "camera", "lodging", "incident", "population", "reference", "worker", "analyst"
    }  # fmt: skip
    assert all(len(p) >= 32 for p in passwords.values())
    assert secrets_dir.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in secrets_dir.iterdir()} == {0o600}
    assert secure.nodes[0].config_path.stat().st_mode & 0o777 == 0o600

    # Something worth logging first: an authenticated client refused by the authorizer.
    assert _try_send(_as(secure, "analyst"), "camera.events") == "TopicAuthorizationFailedError"
    logs = [p for p in secure.log_dir.rglob("*") if p.is_file()]
    assert {p.name for p in logs} >= {"kafka.log", "kafka.out", "python.log"}
    texts = {p.name: p.read_text(errors="replace") for p in logs}
    assert "User:analyst is Denied operation" in texts["kafka.log"]
    assert "Kafka ACLs: 20 in force" in texts["python.log"]
    leaks = [
        (name, principal)
        for name, text in texts.items()
        for principal, password in passwords.items()
        if password in text
    ]
    assert leaks == []

    pid = secure.status().pid
    assert pid is not None
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    assert [p for p, pw in passwords.items() if pw in cmdline] == []


# The worker's shape in miniature: an agent on a source topic that writes dead letters and a
# global table (whose changelog Faust creates under the app id), connected by antt.kafka.
FAUST_APP = """
import faust
from antt.kafka import faust_options
from antt.settings import Settings

settings = Settings()
app = faust.App(
    settings.app_id, **faust_options(settings), store="rocksdb://",
    datadir=str(settings.worker_state_dir), topic_partitions=2, topic_replication_factor=1,
    consumer_auto_offset_reset="earliest", producer_acks=-1, web_enabled=False,
)
raw = dict(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
deadletter = app.topic("deadletter", **raw)
registry = app.GlobalTable("population_registry", key_type=str, value_type=str)

@app.agent(app.topic("population.updates", **raw))
async def register(stream):
    async for event in stream.events():
        registry[event.key.decode()] = event.value.decode()
        await deadletter.send(key=event.key, value=b"seen " + event.value)

app.main()
"""


def test_a_faust_app_as_the_worker_principal_has_all_it_needs(
    secure: Broker, tmp_path: Path
) -> None:
    settings = secure.settings.model_copy(
        update={"kafka_username": "worker", "app_id": f"{APP_ID}-faust", "data_dir": tmp_path}
    )
    broker_log = secure.nodes[0].log_path
    denied = "Principal = User:worker is Denied"
    denied_before = broker_log.read_text().count(denied)
    run = time.time_ns()
    keys = [f"resident-{n}-{run}".encode() for n in range(5)]
    # Faust writes a str-keyed table's keys to its changelog as JSON strings.
    table_keys = [json.dumps(key.decode()).encode() for key in keys]
    producer = KafkaProducer(acks="all", **_as(secure, "population"))
    try:
        for key in keys:
            producer.send("population.updates", key=key, value=key).get(20)
    finally:
        producer.close()

    env = settings_env(settings)
    env.pop("ANTT_KAFKA_SECRETS_DIR", None)
    env["ANTT_KAFKA_PASSWORD_FILE"] = str(secure.secrets_dir / "worker.password")
    # Beside the broker's logs, so that the scan for secrets reads it too.
    log_path = secure.log_dir / "faust.log"
    with log_path.open("wb") as log:
        app = subprocess.Popen(
            [sys.executable, "-c", FAUST_APP, "worker", "--loglevel", "info"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
    try:
        admin = _as(secure, "admin")
        changelog = f"{settings.app_id}-population_registry-changelog"
        seen = _wait_for(admin, "deadletter", {b"seen " + key for key in keys}, app)
        registered = _wait_for(admin, changelog, set(table_keys), app, by_key=True)
    finally:
        app.terminate()
        app.wait(timeout=60)
    assert seen == {b"seen " + key for key in keys}
    assert registered == set(table_keys)
    assert broker_log.read_text().count(denied) == denied_before
    assert "Authenticated as worker via SCRAM-SHA-512" in log_path.read_text()


def test_the_platform_worker_runs_as_the_worker_principal(secure: Broker, tmp_path: Path) -> None:
    """`antt worker` itself, as `worker`: every source message (all malformed here, from the
    tests above and these) becomes exactly one dead letter, and the broker denies it nothing."""
    broker_log = secure.nodes[0].log_path
    denied = "Principal = User:worker is Denied"
    denied_before = broker_log.read_text().count(denied)
    producer = KafkaProducer(acks="all", **_as(secure, "camera"))
    try:
        for n in range(7):
            producer.send("camera.events", key=b"cam-1", value=b"{not json %d" % n).get(20)
    finally:
        producer.close()
    admin = _as(secure, "admin")
    sources = sum(len(_read_topic(admin, topic)) for topic in RAW_TOPICS)
    expected = len(_read_topic(admin, "deadletter")) + sources

    settings = secure.settings.model_copy(
        update={
            "kafka_username": "worker",
            "app_id": f"{APP_ID}-worker",
            "data_dir": tmp_path,
            "kafka_secrets_dir": secure.secrets_dir,
            "demo_mode": True,
        }
    )
    worker = WorkerProcess(settings)
    worker.start()
    try:
        deadline = time.monotonic() + 240
        letters = len(_read_topic(admin, "deadletter"))
        while letters < expected and worker.alive() and time.monotonic() < deadline:
            time.sleep(1)
            letters = len(_read_topic(admin, "deadletter"))
        alive = worker.alive()
    finally:
        worker.stop()
    assert sources >= 7
    assert (letters, alive) == (expected, True)
    assert broker_log.read_text().count(denied) == denied_before


def _wait_for(
    options: dict[str, Any],
    topic: str,
    wanted: set[bytes],
    app: subprocess.Popen[bytes],
    *,
    by_key: bool = False,
) -> set[bytes]:
    """The ``wanted`` values (or keys) found in ``topic`` once all are there or the app died."""
    deadline = time.monotonic() + 180
    found: set[bytes] = set()
    while found != wanted and app.poll() is None and time.monotonic() < deadline:
        records = _read_topic(options, topic)
        found = {key if by_key else value for key, value in records} & wanted
        time.sleep(1)
    return found


def _read_topic(options: dict[str, Any], topic: str) -> list[tuple[bytes, bytes]]:
    """Every (key, value) in ``topic`` up to its current end; none while it does not exist."""
    consumer = KafkaConsumer(enable_auto_commit=False, **options)
    try:
        if topic not in consumer.topics():
            return []
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        records: list[tuple[bytes, bytes]] = []
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=1000).values():
                records.extend((r.key, r.value) for r in batch)
    finally:
        consumer.close()
    return records


def _read_refused(options: dict[str, Any], topic: str) -> bool:
    """Whether the broker refuses, as unauthorised, to say where ``topic`` begins."""
    consumer = KafkaConsumer(enable_auto_commit=False, **options)
    try:
        consumer.beginning_offsets([TopicPartition(topic, 0)])
    except TopicAuthorizationFailedError:
        return True
    finally:
        consumer.close()
    return False


def _join_group(options: dict[str, Any], topic: str, group: str) -> None:
    consumer = KafkaConsumer(topic, group_id=group, enable_auto_commit=False, **options)
    try:
        consumer.poll(timeout_ms=10_000)
    finally:
        consumer.close()


def _create_topic(options: dict[str, Any], name: str) -> str:
    admin = KafkaAdminClient(**options)
    try:
        response = admin.create_topics(
            {name: {"num_partitions": 1, "replication_factor": 1}},
            timeout_ms=30_000,
            raise_errors=False,
        )
    finally:
        admin.close()
    (result,) = response["topics"]
    return str(for_code(result["error_code"]).__name__)


async def _start_producer(options: dict[str, Any]) -> None:
    producer = AIOKafkaProducer(request_timeout_ms=10_000, **options)
    try:
        await producer.start()
    finally:
        await producer.stop()
