"""A real Kafka broker or cluster for dev machines and tests, run straight from Maven jars.

Dev machines have Java and Maven but no Docker engine, so the broker is the Apache Kafka server
jar itself, fetched once from Maven Central into the cache and started in KRaft combined mode
(broker and controller in one JVM). ``Settings.nodes`` > 1 starts that many such JVMs on
loopback, one data folder and port pair each, forming one controller quorum: replication factor 3
and min.insync.replicas 2 from three nodes on. ``Settings.kafka_secure`` puts SASL/SCRAM and
ACLs (``pipelines.broker.acl``) in front of every client. Everything it writes lives under
``Settings.data_dir``, so a test session can run its own broker on its own ports beside the
developer's.
"""

from __future__ import annotations

import base64
import fcntl
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from kafka import KafkaAdminClient
from kafka.admin import ScramMechanism, UserScramCredentialUpsertion

from antt.kafka import SASL_MECHANISM, client_options
from antt.settings import Settings
from pipelines.broker.acl import ADMIN, PRINCIPALS, apply_grants, platform_grants

__all__ = ["Broker", "BrokerError", "BrokerStatus", "NodeStatus"]

log = logging.getLogger(__name__)

_POM = Path(__file__).with_name("pom.xml")
_MAIN_CLASS = "kafka.Kafka"
_TAIL_LINES = 20
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# Kafka's Uuid.randomUuid() rejects ids whose base64 form starts with "-": they read as options.
_MAX_UUID_TRIES = 100
# A partition keeps at most this many copies, whatever the node count.
_MAX_REPLICAS = 3


class BrokerError(RuntimeError):
    """The local broker cannot be fetched, started or reached; the message says what to do."""


@dataclass(frozen=True, slots=True)
class NodeStatus:
    node_id: int
    running: bool
    pid: int | None
    port: int
    log_path: Path


@dataclass(frozen=True, slots=True)
class BrokerStatus:
    running: bool
    pid: int | None
    bootstrap: str
    log_path: Path
    nodes: tuple[NodeStatus, ...] = ()

    def __str__(self) -> str:
        if len(self.nodes) > 1:
            up = sum(node.running for node in self.nodes)
            lines = [f"Kafka cluster at {self.bootstrap}: {up} of {len(self.nodes)} nodes running"]
            lines += [
                f"  node {n.node_id} port {n.port}: "
                + (f"running (pid {n.pid})" if n.running else "not running")
                + f"; log {n.log_path}"
                for n in self.nodes
            ]
            return "\n".join(lines)
        if self.running:
            return f"Kafka running at {self.bootstrap} (pid {self.pid}); log {self.log_path}"
        return f"Kafka not running at {self.bootstrap}; log {self.log_path}"


@dataclass(frozen=True, slots=True)
class _Node:
    """One KRaft node (broker and controller in one JVM): its id, ports and files."""

    node_id: int
    port: int
    controller_port: int
    home: Path
    log_path: Path
    out_path: Path

    @property
    def data_path(self) -> Path:
        return self.home / "data"

    @property
    def pid_file(self) -> Path:
        return self.home / "kafka.pid"

    @property
    def config_path(self) -> Path:
        return self.home / "server.properties"

    @property
    def log4j_path(self) -> Path:
        return self.home / "log4j.properties"

    @property
    def formatted(self) -> bool:
        return (self.data_path / "meta.properties").exists()


class Broker:
    """Fetches, formats, starts and stops the local broker (or cluster) that ``settings`` describe.

    Every method is idempotent and safe after a crash: a pid file is trusted only while it names
    a live Kafka process for its node's folder, and storage is formatted only once. Starting a
    cluster with a dead node restarts that node. Stop and status find a cluster's nodes on disk,
    so they need no ``--nodes``.
    """

    def __init__(self, settings: Settings) -> None:
        # Absolute paths: the JVM gets them on its command line and a relative data_dir would
        # silently move with the caller's working directory.
        self.broker_dir = settings.broker_dir.resolve()
        on_disk = _cluster_nodes_on_disk(self.broker_dir)
        if settings.nodes == 1 and on_disk > 1:
            settings = settings.model_copy(update={"nodes": on_disk})
        self.settings = settings
        self.log_dir = settings.log_dir.resolve()
        self.secrets_dir = settings.kafka_secrets.resolve()
        self.kafka_home = settings.cache_dir.resolve() / "kafka" / settings.kafka_version
        self.libs_dir = self.kafka_home / "libs"
        self.nodes = tuple(self._node(n, ports) for n, ports in enumerate(settings.node_ports, 1))
        self._processes: dict[int, subprocess.Popen[bytes]] = {}

    def _node(self, node_id: int, ports: tuple[int, int]) -> _Node:
        if self.settings.nodes == 1:
            # The single-node layout predates clusters; existing data folders keep working.
            home, name = self.broker_dir, "kafka"
        else:
            home, name = self.broker_dir / f"node-{node_id}", f"kafka-{node_id}"
        return _Node(
            node_id,
            *ports,
            home=home,
            log_path=self.log_dir / f"{name}.log",
            out_path=self.log_dir / f"{name}.out",
        )

    @property
    def clustered(self) -> bool:
        return len(self.nodes) > 1

    # -- context manager: a test or script that starts a broker also stops it -------------

    def __enter__(self) -> Broker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- jars ------------------------------------------------------------------------------

    def ensure_jars(self) -> Path:
        """The folder of Kafka jars, fetched with Maven on first use; returns ``libs_dir``."""
        marker = self.kafka_home / "COMPLETE"
        if self._jars_complete(marker):
            return self.libs_dir
        mvn = shutil.which("mvn")
        if mvn is None:
            raise BrokerError(
                "Maven (mvn) is not on PATH: install it (apt-get install maven) so the Kafka "
                f"{self.settings.kafka_version} jars can be fetched from Maven Central"
            )
        self.kafka_home.mkdir(parents=True, exist_ok=True)
        # Two processes (a test session and `make demo`) may ask at once; one downloads.
        with _file_lock(self.kafka_home / ".lock"):
            if self._jars_complete(marker):
                return self.libs_dir
            self._download_jars(mvn, marker)
        return self.libs_dir

    def _jars_complete(self, marker: Path) -> bool:
        if not marker.is_file():
            return False
        names = marker.read_text().split()
        return bool(names) and all((self.libs_dir / name).is_file() for name in names)

    def _download_jars(self, mvn: str, marker: Path) -> None:
        version = self.settings.kafka_version
        staging = self.kafka_home / "libs.partial"
        mvn_log = self.kafka_home / "mvn.log"
        for stale in (staging, self.libs_dir):
            shutil.rmtree(stale, ignore_errors=True)
        marker.unlink(missing_ok=True)
        log.info("fetching Kafka %s jars from Maven Central into %s", version, self.libs_dir)
        started = time.monotonic()
        command = [
            mvn,
            "-B",
            # Short, plain log: its tail is what an operator sees when the download fails.
            "--no-transfer-progress",
            "-Dstyle.color=never",
            "-f",
            str(_POM),
            "dependency:copy-dependencies",
            f"-Dkafka.version={version}",
            f"-DoutputDirectory={staging}",
            "-DincludeScope=runtime",
        ]
        with mvn_log.open("wb") as out:
            result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
        jars = sorted(p.name for p in staging.glob("*.jar")) if staging.is_dir() else []
        if result.returncode != 0 or not any(n.startswith("kafka_2.13-") for n in jars):
            raise BrokerError(
                f"Maven could not fetch Kafka {version} (exit {result.returncode}); "
                f"full log: {mvn_log}\n{_tail(mvn_log)}"
            )
        # The rename and then the marker make a download that died half-way look absent.
        staging.rename(self.libs_dir)
        marker.write_text("\n".join(jars) + "\n")
        log.info("fetched %d jars in %.1f s", len(jars), time.monotonic() - started)

    # -- status ----------------------------------------------------------------------------

    def status(self) -> BrokerStatus:
        nodes = tuple(self._node_status(node) for node in self.nodes)
        first = nodes[0]
        return BrokerStatus(
            running=all(n.running for n in nodes),
            pid=first.pid,
            bootstrap=self.bootstrap,
            log_path=first.log_path,
            nodes=nodes,
        )

    def _node_status(self, node: _Node) -> NodeStatus:
        pid = self._live_pid(node)
        running = pid is not None and _port_answers(self.settings.kafka_host, node.port)
        return NodeStatus(node.node_id, running, pid, node.port, node.log_path)

    @property
    def bootstrap(self) -> str:
        return self.settings.bootstrap_servers

    @property
    def port(self) -> int:
        return self.nodes[0].port

    @property
    def admin_settings(self) -> Settings:
        """Settings for a client acting as the broker's super user (topics, ACLs, users)."""
        return self.settings.model_copy(
            update={
                "kafka_username": ADMIN,
                "kafka_password_file": self._secret_path(ADMIN),
            }
        )

    # -- start -----------------------------------------------------------------------------

    def start(self, timeout_s: float = 60) -> BrokerStatus:
        """Starts every node that is not running; returns once the cluster answers metadata
        requests with all its nodes (and, when secure, holds the platform's users and ACLs).

        ``timeout_s`` bounds the wait for started JVMs to answer, not the one-time jar download.
        """
        self.broker_dir.mkdir(parents=True, exist_ok=True)
        # Two callers starting the same data folder at once: the second waits, then finds the
        # first one's broker running instead of racing it for the ports and the log lock.
        with _file_lock(self.broker_dir / ".start.lock"):
            return self._start_locked(timeout_s)

    def _start_locked(self, timeout_s: float) -> BrokerStatus:
        self._check_layout()
        live = {node.node_id: self._live_pid(node) for node in self.nodes}
        dead = [node for node in self.nodes if live[node.node_id] is None]
        deadline = time.monotonic() + timeout_s
        if not dead:
            # Either it is up, or another caller started it a moment ago: wait for it either way.
            for node in self.nodes:
                self._wait_node(node, live[node.node_id] or 0, deadline, started_here=False)
            self._wait_cluster(deadline)
            self.apply_security()
            log.info("Kafka already running at %s", self.bootstrap)
            return self.status()

        java = _java()
        self.ensure_jars()
        for node in dead:
            node.pid_file.unlink(missing_ok=True)
            self._check_ports_free(node)
            self._check_data_dir_free(node)
        self._write_secrets()
        for node in self.nodes:
            self._write_config(node)
        self._format_storage_once(java)

        started = time.monotonic()
        log.info("starting Kafka %s at %s", self.settings.kafka_version, self.bootstrap)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # Every JVM first, then the waits: a cluster elects its controller only once a majority
        # of the quorum runs.
        pids = {node.node_id: self._spawn(java, node) for node in dead}
        try:
            for node in dead:
                self._wait_node(node, pids[node.node_id], deadline, started_here=True)
            self._wait_cluster(deadline)
            self.apply_security()
        except BaseException:
            for node in dead:
                self._kill_quietly(node, pids[node.node_id])
            raise
        log.info("Kafka ready at %s in %.1f s", self.bootstrap, time.monotonic() - started)
        return self.status()

    def _spawn(self, java: str, node: _Node) -> int:
        with node.out_path.open("ab") as out:
            process = subprocess.Popen(
                self._java_command(java, node, _MAIN_CLASS, str(node.config_path)),
                cwd=node.home,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Its own session: Ctrl-C in the terminal that ran `antt broker start` must not
                # reach the broker, and the broker outlives that command.
                start_new_session=True,
            )
        self._processes[process.pid] = process
        node.pid_file.write_text(f"{process.pid}\n")
        return process.pid

    def _check_layout(self) -> None:
        """Refuses a node count or security mode other than the one the storage was made with."""
        on_disk = _cluster_nodes_on_disk(self.broker_dir)
        single = (self.broker_dir / "data" / "meta.properties").exists()
        if (self.clustered and single) or (on_disk > 1 and on_disk != len(self.nodes)):
            made = f"{on_disk} nodes" if on_disk > 1 else "a single node"
            raise BrokerError(
                f"{self.broker_dir} holds a broker made with {made}, not {len(self.nodes)}; "
                "start it as it was made, or remove that folder to start afresh"
            )
        secrets_made = self.secrets_dir.is_dir()
        formatted = any(node.formatted for node in self.nodes)
        if formatted and secrets_made != self.settings.kafka_secure:
            raise BrokerError(
                f"{self.broker_dir} holds a broker made "
                + ("with" if secrets_made else "without")
                + " --secure (ANTT_KAFKA_SECURE); start it the same way, or remove that folder "
                "to start afresh"
            )

    def _check_ports_free(self, node: _Node) -> None:
        host = self.settings.kafka_host
        for port in (node.port, node.controller_port):
            if not _port_free(host, port):
                raise BrokerError(
                    f"port {port} on {host} is taken by another process; stop it or set "
                    "ANTT_KAFKA_PORT / ANTT_CONTROLLER_PORT to free ports"
                )

    def _check_data_dir_free(self, node: _Node) -> None:
        # Kafka holds a POSIX lock on <log.dirs>/.lock while it runs; the file itself survives a
        # crash harmlessly, but a live holder means a broker we have no pid for (pid file lost).
        lock_file = node.data_path / ".lock"
        if not lock_file.exists():
            return
        with lock_file.open("rb+") as handle:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise BrokerError(
                    f"{node.data_path} is in use by another Kafka process; stop it "
                    f"(see `pgrep -af {_MAIN_CLASS}`) before starting this broker"
                ) from None
            fcntl.lockf(handle, fcntl.LOCK_UN)

    # -- secrets ---------------------------------------------------------------------------

    def _secret_path(self, principal: str) -> Path:
        return self.secrets_dir / f"{principal}.password"

    def _write_secrets(self) -> None:
        """One random password per principal, created once, readable by this user only."""
        if not self.settings.kafka_secure:
            return
        self.secrets_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for principal in PRINCIPALS:
            path = self._secret_path(principal)
            if path.exists():
                continue
            # Hex: no character that a JAAS string or the storage tool's parser would read.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(24) + "\n")
        log.info("Kafka credentials of %d principals in %s", len(PRINCIPALS), self.secrets_dir)

    def _secret(self, principal: str) -> str:
        return self._secret_path(principal).read_text().strip()

    def apply_security(self) -> None:
        """Gives every platform principal the password in its file and the platform's ACLs.

        Run on every start; also on its own (`antt broker acls`) for a broker this class did not
        start, such as the compose file's, and after a password file was replaced (rotation).
        """
        if not self.settings.kafka_secure:
            return
        admin = KafkaAdminClient(client_id="antt-broker-setup", **self._admin_options())
        try:
            upserts = [
                UserScramCredentialUpsertion(p, ScramMechanism.SCRAM_SHA_512, self._secret(p))
                for p in PRINCIPALS
                if p != ADMIN  # the brokers themselves use its credential: set at format time
            ]
            errors = {u: e for u, e in admin.alter_user_scram_credentials(upserts).items() if e}
            if errors:
                raise BrokerError(f"could not set Kafka credentials: {errors}")
            apply_grants(admin, platform_grants(self.settings.app_id))
        finally:
            admin.close()

    def _admin_options(self) -> dict[str, Any]:
        return client_options(self.admin_settings)

    # -- configuration ---------------------------------------------------------------------

    def _write_config(self, node: _Node) -> None:
        node.home.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        _write_private(node.config_path, _properties_text(self.server_properties(node.node_id)))
        node.log4j_path.write_text(_log4j_text(node.log_path))

    def server_properties(self, node_id: int = 1) -> dict[str, str]:
        """The broker configuration of one node (passwords included, when secure)."""
        s = self.settings
        node = self.nodes[node_id - 1]
        replicas = min(len(self.nodes), _MAX_REPLICAS)
        # One node may be down (a restart, a crash) while every acknowledged write has a copy.
        min_isr = max(1, replicas - 1)
        listener = "SASL_PLAINTEXT" if s.kafka_secure else "PLAINTEXT"
        voters = ",".join(f"{n.node_id}@{s.kafka_host}:{n.controller_port}" for n in self.nodes)
        return {
            "process.roles": "broker,controller",
            "node.id": str(node.node_id),
            "controller.quorum.voters": voters,
            "listeners": (
                f"{listener}://{s.kafka_host}:{node.port},"
                f"CONTROLLER://{s.kafka_host}:{node.controller_port}"
            ),
            "advertised.listeners": f"{listener}://{s.kafka_host}:{node.port}",
            "inter.broker.listener.name": listener,
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": (f"CONTROLLER:{listener},{listener}:{listener}"),
            "log.dirs": str(node.data_path),
            "num.partitions": str(s.partitions),
            "default.replication.factor": str(replicas),
            "min.insync.replicas": str(min_isr),
            "offsets.topic.replication.factor": str(replicas),
            "transaction.state.log.replication.factor": str(replicas),
            "transaction.state.log.min.isr": str(min_isr),
            # Consumers in tests and the demo join one at a time; waiting 3 s for more is waste.
            "group.initial.rebalance.delay.ms": "0",
            # Topics come from the contract (pipelines.topics), never from a typo in a producer.
            "auto.create.topics.enable": "false",
            **(self._security_properties() if s.kafka_secure else {}),
        }

    def _security_properties(self) -> dict[str, str]:
        # Clients and brokers authenticate with SCRAM, whose credentials live in the metadata
        # log; the controller listener uses PLAIN with the admin password from this file,
        # because a controller must authenticate its peers before it has read that log.
        password = self._secret(ADMIN)
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
        plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
        return {
            "sasl.enabled.mechanisms": SASL_MECHANISM,
            "sasl.mechanism.inter.broker.protocol": SASL_MECHANISM,
            "sasl.mechanism.controller.protocol": "PLAIN",
            "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
            "listener.name.controller.plain.sasl.jaas.config": (
                f'{plain} required username="{ADMIN}" password="{password}" '
                f'user_{ADMIN}="{password}";'
            ),
            f"listener.name.sasl_plaintext.{SASL_MECHANISM.lower()}.sasl.jaas.config": (
                f'{scram} required username="{ADMIN}" password="{password}";'
            ),
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": f"User:{ADMIN}",
            "allow.everyone.if.no.acl.found": "false",
        }

    def _format_storage_once(self, java: str) -> None:
        unformatted = [node for node in self.nodes if not node.formatted]
        if not unformatted:
            return
        # Every node of a cluster carries the same cluster id; a node whose folder was wiped
        # rejoins with the id the others already have.
        cluster_id = (
            next((_meta_cluster_id(n) for n in self.nodes if n.formatted), None) or _kafka_uuid()
        )
        for node in unformatted:
            self._format(java, node, cluster_id)

    def _format(self, java: str, node: _Node, cluster_id: str) -> None:
        log.info("formatting Kafka storage in %s", node.data_path)
        args = ["format", "-t", cluster_id, "-c", str(node.config_path)]
        secret_values: list[str] = []
        if self.settings.kafka_secure:
            password = self._secret(ADMIN)
            secret_values.append(password)
            args += ["--add-scram", f"{SASL_MECHANISM}=[name={ADMIN},password={password}]"]
        # The main class and its arguments go in a private argument file that the java launcher
        # reads, so the admin password never shows on a command line (ps, /proc).
        argfile = node.home / "format.args"
        _write_private(argfile, "\n".join(["kafka.tools.StorageTool", *args]) + "\n")
        try:
            command = self._java_command(java, node, f"@{argfile}")
            result = subprocess.run(command, capture_output=True, text=True, check=False)
        finally:
            argfile.unlink(missing_ok=True)
        if result.returncode != 0:
            output = _redact(result.stdout + result.stderr, secret_values)
            raise BrokerError(
                f"formatting Kafka storage in {node.data_path} failed (exit {result.returncode}):"
                "\n" + "\n".join(output.strip().splitlines()[-_TAIL_LINES:])
            )

    def _java_command(self, java: str, node: _Node, *main: str) -> list[str]:
        heap = self.settings.kafka_node_heap if self.clustered else self.settings.kafka_heap
        return [
            java,
            f"-Xmx{heap}",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j.configuration={node.log4j_path.as_uri()}",
            "-cp",
            # The JVM expands the wildcard itself; no shell is involved.
            str(self.libs_dir / "*"),
            *main,
        ]

    # -- readiness -------------------------------------------------------------------------

    def _wait_node(self, node: _Node, pid: int, deadline: float, *, started_here: bool) -> None:
        while True:
            if not self._alive(pid):
                node.pid_file.unlink(missing_ok=True)
                raise BrokerError(
                    f"Kafka node {node.node_id} (pid {pid}) exited during startup; "
                    f"last log lines:\n{self._log_tail(node)}"
                )
            if _api_versions_answer(self.settings.kafka_host, node.port):
                return
            if time.monotonic() >= deadline:
                what = "started" if started_here else "already starting"
                raise BrokerError(
                    f"Kafka node {node.node_id} (pid {pid}, {what}) did not answer on port "
                    f"{node.port} in time; last log lines:\n{self._log_tail(node)}"
                )
            time.sleep(0.25)

    def _wait_cluster(self, deadline: float) -> None:
        options = self._admin_options() if self.settings.kafka_secure else {}
        options.setdefault("bootstrap_servers", self.bootstrap)
        while not _cluster_answers(options, len(self.nodes)):
            for node in self.nodes:
                pid = self._live_pid(node)
                if pid is None:
                    raise BrokerError(
                        f"Kafka node {node.node_id} exited while the cluster formed; "
                        f"last log lines:\n{self._log_tail(node)}"
                    )
            if time.monotonic() >= deadline:
                raise BrokerError(
                    f"Kafka at {self.bootstrap} did not answer metadata requests with all "
                    f"{len(self.nodes)} node(s) in time; last log lines:\n"
                    + "\n".join(self._log_tail(node) for node in self.nodes)
                )
            time.sleep(0.25)

    def _log_tail(self, node: _Node) -> str:
        parts = [f"{node.log_path}:\n{_tail(node.log_path)}"]
        out = _tail(node.out_path)
        if out:
            parts.append(f"{node.out_path}:\n{out}")
        return "\n".join(parts)

    # -- stop ------------------------------------------------------------------------------

    def stop(self, timeout_s: float = 30) -> bool:
        """Stops every node with a controlled shutdown; returns whether any was running."""
        pids = {node.node_id: self._live_pid(node) for node in self.nodes}
        for node in self.nodes:
            if pids[node.node_id] is None:
                node.pid_file.unlink(missing_ok=True)
        running = [node for node in self.nodes if pids[node.node_id] is not None]
        if not running:
            return False
        log.info("stopping Kafka at %s", self.bootstrap)
        started = time.monotonic()
        # SIGTERM runs Kafka's shutdown hook: controlled shutdown, logs flushed, lock released.
        # All nodes at once: a node stopped last would wait on a quorum already gone.
        for node in running:
            _signal(pids[node.node_id] or 0, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for node in running:
            pid = pids[node.node_id] or 0
            if not self._wait_exit(pid, max(0.0, deadline - time.monotonic())):
                log.warning("Kafka node %d (pid %d) ignored SIGTERM; killing it", node.node_id, pid)
                _signal(pid, signal.SIGKILL)
                self._wait_exit(pid, 10)
            node.pid_file.unlink(missing_ok=True)
            self._processes.pop(pid, None)
        log.info("Kafka stopped in %.1f s", time.monotonic() - started)
        return True

    def _kill_quietly(self, node: _Node, pid: int) -> None:
        _signal(pid, signal.SIGKILL)
        self._wait_exit(pid, 10)
        node.pid_file.unlink(missing_ok=True)
        self._processes.pop(pid, None)

    def _wait_exit(self, pid: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while self._alive(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    # -- processes -------------------------------------------------------------------------

    def _live_pid(self, node: _Node) -> int | None:
        """The pid in the node's pid file if it is a live Kafka for that node, else None."""
        try:
            pid = int(node.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        if not self._alive(pid):
            return None
        # After a reboot or crash the pid may belong to an unrelated process by now.
        cmdline = _cmdline(pid)
        if cmdline is not None and not (
            _MAIN_CLASS in cmdline and str(node.config_path) in cmdline
        ):
            return None
        return pid

    def _alive(self, pid: int) -> bool:
        process = self._processes.get(pid)
        if process is not None:
            # Our own child: poll() reaps it, or a dead broker would linger as a zombie.
            return process.poll() is None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not _is_zombie(pid)


def _cluster_nodes_on_disk(broker_dir: Path) -> int:
    return len(list(broker_dir.glob("node-*/server.properties")))


def _meta_cluster_id(node: _Node) -> str | None:
    for line in (node.data_path / "meta.properties").read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "cluster.id":
            return value.strip()
    return None


def _write_private(path: Path, text: str) -> None:
    """Writes a file only its owner can read: broker configs and arguments hold passwords."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # an older file keeps its mode through O_TRUNC


def _redact(text: str, secret_values: list[str]) -> str:
    for value in secret_values:
        text = text.replace(value, "***")
    return text


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise BrokerError(
            "java is not on PATH: install a Java 17 runtime "
            "(apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
        )
    return java


def _kafka_uuid() -> str:
    """A random cluster id in Kafka's format: 16 bytes, URL-safe base64 without padding."""
    for _ in range(_MAX_UUID_TRIES):
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not text.startswith("-"):
            return text
    raise AssertionError("unreachable: no usable random uuid")


def _properties_text(properties: dict[str, str]) -> str:
    header = "# Written by pipelines.broker on every start; edit Settings, not this file.\n"
    return header + "".join(f"{key}={value}\n" for key, value in properties.items())


def _log4j_text(log_path: Path) -> str:
    # Forward slashes and no backslash escapes: log4j reads this as a Java properties file.
    return "\n".join(
        [
            "# Written by pipelines.broker on every start.",
            "log4j.rootLogger=INFO, file",
            "log4j.appender.file=org.apache.log4j.RollingFileAppender",
            f"log4j.appender.file.File={log_path.as_posix()}",
            "log4j.appender.file.MaxFileSize=20MB",
            "log4j.appender.file.MaxBackupIndex=3",
            "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
            "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n",
            # Per-request and state-change chatter drowns the lines an operator needs.
            "log4j.logger.kafka.request.logger=WARN",
            "log4j.logger.state.change.logger=WARN",
            "log4j.logger.org.apache.kafka.clients=WARN",
            "",
        ]
    )


def _tail(path: Path, lines: int = _TAIL_LINES) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            # Enough bytes for the last lines of a log without reading a 20 MB file.
            handle.seek(max(0, handle.tell() - 64 * 1024))
            text = handle.read().decode(errors="replace")
    except OSError:
        return ""
    # Maven colours its output even in batch mode; escape codes only garble an error message.
    text = _ANSI_ESCAPE.sub("", text)
    return "\n".join(text.splitlines()[-lines:])


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Same flag the JVM sets, so a port in TIME_WAIT after our own stop counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _port_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _api_versions_answer(host: str, port: int) -> bool:
    """Whether the broker answers an ApiVersions request, i.e. processes requests.

    A raw request rather than a client: Kafka binds its port before it serves requests,
    and kafka-python leaks an I/O thread (and logs errors) for every client that fails to
    bootstrap, which a polling loop would pile up.
    """
    client_id = b"antt-broker-probe"
    correlation_id = 1
    # Request header v1 (api_key 18 = ApiVersions, version 0) with an empty v0 body.
    request = struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=2.0) as conn:
            conn.sendall(struct.pack(">i", len(request)) + request)
            header = _recv_exactly(conn, 4 + 4 + 2)
    except OSError:
        return False
    if header is None:
        return False
    _size, answered_id, error_code = struct.unpack(">iih", header)
    return bool(answered_id == correlation_id and error_code == 0)


def _recv_exactly(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _cluster_answers(options: Mapping[str, Any], nodes: int) -> bool:
    """Whether a real client can bootstrap, list topics and see all ``nodes`` brokers: the
    test every caller relies on (topics with replication factor 3 need all three)."""
    try:
        admin = KafkaAdminClient(
            client_id="antt-broker-probe",
            request_timeout_ms=5000,
            bootstrap_timeout_ms=5000,
            **options,
        )
    except Exception:  # kafka-python raises several unrelated types while a broker boots
        return False
    try:
        admin.list_topics()
        return len(admin.describe_cluster()["brokers"]) >= nodes
    except Exception:
        return False
    finally:
        admin.close()


def _signal(pid: int, signum: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signum)


def _cmdline(pid: int) -> str | None:
    """The process's command line, or None where /proc does not exist (macOS)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return None if not Path("/proc/self").exists() else ""
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode(errors="replace")


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state follows the parenthesised command name, which may itself contain spaces.
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


@contextmanager
def _file_lock(path: Path) -> Iterator[IO[bytes]]:
    with path.open("ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
