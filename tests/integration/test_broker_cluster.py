"""A three-node KRaft cluster on loopback loses a node under load and loses no message.

The cluster is this module's own (free ports, a temporary data folder), not the session broker.
A producer with acks=all streams uniquely numbered messages to a topic with replication factor 3
and min.insync.replicas 2; one node, the leader of partition 0, is SIGKILLed a third of the way
through and stays down while the rest is produced. Everything is then read back: the count
produced equals the count consumed and every number appears exactly once.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import NodeNotReadyError, TopicAlreadyExistsError, UnknownBrokerIdError

from antt.kafka import client_options
from antt.settings import Settings
from pipelines.broker import Broker

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
NODES = 3
TOPIC = "cluster.durability"
PARTITIONS = 3
MESSAGES = 6000
KILL_AFTER = 2000
# A steady stream rather than one burst: the kill lands while sends are in flight.
CHUNK = 100
PAUSE_S = 0.02


def _free_port_block(size: int) -> int:
    """The first of ``size`` consecutive free ports: a node takes the pair base + 2(n-1)."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base: int = probe.getsockname()[1]
        if base + size > 65535:
            continue
        held: list[socket.socket] = []
        try:
            for port in range(base, base + size):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
    raise RuntimeError(f"no block of {size} free ports on 127.0.0.1")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    base = _free_port_block(2 * NODES)
    settings = Settings(
        nodes=NODES,
        kafka_port=base,
        controller_port=base + 1,
        data_dir=tmp_path_factory.mktemp("cluster"),
        cache_dir=REPO / ".antt" / "cache",
        partitions=PARTITIONS,
        replication=NODES,
    )
    broker = Broker(settings)
    try:
        broker.start(timeout_s=240)
        yield broker
    finally:
        broker.stop()
    assert not any(node.running for node in broker.status().nodes)


def test_the_cluster_has_three_voting_nodes_and_replicates_by_three(cluster: Broker) -> None:
    status = cluster.status()
    assert [(n.node_id, n.running) for n in status.nodes] == [(1, True), (2, True), (3, True)]
    assert status.bootstrap.count(",") == NODES - 1

    config = cluster.nodes[0].config_path.read_text()
    ports = [node.controller_port for node in cluster.nodes]
    voters = ",".join(f"{n}@127.0.0.1:{port}" for n, port in enumerate(ports, 1))
    for line in (
        f"controller.quorum.voters={voters}",
        "default.replication.factor=3",
        "min.insync.replicas=2",
        "offsets.topic.replication.factor=3",
        "transaction.state.log.replication.factor=3",
        "transaction.state.log.min.isr=2",
    ):
        assert line in config.splitlines(), line


def test_killing_a_node_under_load_loses_and_doubles_nothing(cluster: Broker) -> None:
    options = client_options(cluster.settings)
    victim = _leader_of_partition_zero(_create_topic(options))
    victim_pid = next(n.pid for n in cluster.status().nodes if n.node_id == victim)
    assert victim_pid is not None

    producer = KafkaProducer(
        acks="all",
        enable_idempotence=True,
        # Room to ride out the leader election that follows the kill.
        delivery_timeout_ms=120_000,
        request_timeout_ms=10_000,
        **options,
    )
    futures: list[Any] = []
    try:
        for start in range(0, MESSAGES, CHUNK):
            if start == KILL_AFTER:
                os.kill(victim_pid, signal.SIGKILL)
            for number in range(start, start + CHUNK):
                payload = str(number).encode()
                futures.append(producer.send(TOPIC, key=payload, value=payload))
            time.sleep(PAUSE_S)
        producer.flush(timeout=180)
        failures = [f.exception for f in futures if not f.succeeded()]
    finally:
        producer.close(timeout=30)
    assert failures == []
    assert len(futures) == MESSAGES

    # Everything after the kill was acknowledged by the two surviving nodes alone.
    running = {n.node_id: n.running for n in cluster.status().nodes}
    assert running == {n: n != victim for n in range(1, NODES + 1)}

    numbers = _read_all(options)
    assert len(numbers) == MESSAGES
    assert sorted(numbers) == list(range(MESSAGES))
    assert [n for n, seen in Counter(numbers).items() if seen > 1] == []

    # `antt broker start` on a cluster with a dead node restarts just that node.
    assert cluster.start(timeout_s=240).running
    assert {n.node_id for n in cluster.status().nodes if n.running} == {1, 2, 3}


def _create_topic(options: dict[str, Any]) -> dict[str, Any]:
    """Create the topic and return its description once every node replicates every partition.

    Right after creation a node that has not applied the new metadata yet answers a describe
    with no partitions, so the description is asked again until it is complete.
    """
    deadline = time.monotonic() + 60
    while True:
        admin = KafkaAdminClient(**options)
        try:
            wanted = {"num_partitions": PARTITIONS, "replication_factor": NODES}
            with suppress(TopicAlreadyExistsError):
                admin.create_topics({TOPIC: wanted}, timeout_ms=30_000)
            admin.wait_for_topics([TOPIC], timeout_ms=30_000)
            (described,) = admin.describe_topics([TOPIC])
            if _fully_replicated(described):
                return described
        except (UnknownBrokerIdError, NodeNotReadyError):
            # A fresh client can learn the controller's id from one metadata answer before
            # another one lists that broker; a new client a moment later sees all three.
            pass
        finally:
            admin.close()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{TOPIC} not replicated by {NODES} nodes within 60 s")
        time.sleep(1)


def _fully_replicated(described: dict[str, Any]) -> bool:
    partitions = described["partitions"]
    return len(partitions) == PARTITIONS and all(
        len(p["replica_nodes"]) == NODES and len(p["isr_nodes"]) == NODES and p["leader_id"] >= 0
        for p in partitions
    )


def _leader_of_partition_zero(described: dict[str, Any]) -> int:
    leader: int = next(p["leader_id"] for p in described["partitions"] if p["partition_index"] == 0)
    return leader


def _read_all(options: dict[str, Any]) -> list[int]:
    """Every message in the topic, read from the beginning without a consumer group."""
    consumer = KafkaConsumer(enable_auto_commit=False, **options)
    partitions = [TopicPartition(TOPIC, p) for p in range(PARTITIONS)]
    try:
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        numbers: list[int] = []
        deadline = time.monotonic() + 120
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            if time.monotonic() > deadline:
                raise TimeoutError(f"read {len(numbers)} of {sum(end.values())} messages")
            for records in consumer.poll(timeout_ms=1000).values():
                numbers.extend(int(r.value) for r in records)
    finally:
        consumer.close()
    assert sum(end.values()) == len(numbers)
    return numbers
