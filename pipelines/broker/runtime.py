"""A real single-node Kafka broker for dev machines and tests, run straight from Maven jars.

Dev machines have Java and Maven but no Docker engine, so the broker is the Apache Kafka server
jar itself, fetched once from Maven Central into the cache and started in KRaft combined mode
(broker and controller in one JVM). Everything it writes lives under ``Settings.data_dir``, so a
test session can run its own broker on its own ports beside the developer's.
"""

from __future__ import annotations

import base64
import fcntl
import logging
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from kafka import KafkaAdminClient

from antt.settings import Settings

__all__ = ["Broker", "BrokerError", "BrokerStatus"]

log = logging.getLogger(__name__)

_POM = Path(__file__).with_name("pom.xml")
_MAIN_CLASS = "kafka.Kafka"
_TAIL_LINES = 20
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# Kafka's Uuid.randomUuid() rejects ids whose base64 form starts with "-": they read as options.
_MAX_UUID_TRIES = 100


class BrokerError(RuntimeError):
    """The local broker cannot be fetched, started or reached; the message says what to do."""


@dataclass(frozen=True, slots=True)
class BrokerStatus:
    running: bool
    pid: int | None
    bootstrap: str
    log_path: Path

    def __str__(self) -> str:
        if self.running:
            return f"Kafka running at {self.bootstrap} (pid {self.pid}); log {self.log_path}"
        return f"Kafka not running at {self.bootstrap}; log {self.log_path}"


class Broker:
    """Fetches, formats, starts and stops the local broker that ``settings`` describe.

    Every method is idempotent and safe after a crash: the pid file is trusted only while it
    names a live Kafka process for this data folder, and storage is formatted only once.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Absolute paths: the JVM gets them on its command line and a relative data_dir would
        # silently move with the caller's working directory.
        self.broker_dir = settings.broker_dir.resolve()
        self.data_path = self.broker_dir / "data"
        self.log_dir = settings.log_dir.resolve()
        self.log_path = self.log_dir / "kafka.log"
        self.out_path = self.log_dir / "kafka.out"
        self.pid_file = self.broker_dir / "kafka.pid"
        self.config_path = self.broker_dir / "server.properties"
        self.log4j_path = self.broker_dir / "log4j.properties"
        self.kafka_home = settings.cache_dir.resolve() / "kafka" / settings.kafka_version
        self.libs_dir = self.kafka_home / "libs"
        self._process: subprocess.Popen[bytes] | None = None

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
        pid = self._live_pid()
        running = pid is not None and _port_answers(self.settings.kafka_host, self.port)
        return BrokerStatus(running, pid, self.bootstrap, self.log_path)

    @property
    def bootstrap(self) -> str:
        return self.settings.bootstrap_servers

    @property
    def port(self) -> int:
        return self.settings.kafka_port

    # -- start -----------------------------------------------------------------------------

    def start(self, timeout_s: float = 60) -> BrokerStatus:
        """Starts the broker unless it already runs; returns once it answers metadata requests.

        ``timeout_s`` bounds the wait for a started JVM to answer, not the one-time jar download.
        """
        self.broker_dir.mkdir(parents=True, exist_ok=True)
        # Two callers starting the same data folder at once: the second waits, then finds the
        # first one's broker running instead of racing it for the ports and the log lock.
        with _file_lock(self.broker_dir / ".start.lock"):
            return self._start_locked(timeout_s)

    def _start_locked(self, timeout_s: float) -> BrokerStatus:
        pid = self._live_pid()
        if pid is not None:
            # Either it is up, or another caller started it a moment ago: wait for it either way.
            self._wait_ready(pid, timeout_s, started_here=False)
            log.info("Kafka already running at %s (pid %d)", self.bootstrap, pid)
            return self.status()
        self.pid_file.unlink(missing_ok=True)

        java = _java()
        self.ensure_jars()
        self._check_ports_free()
        self._check_data_dir_free()
        self._write_config()
        self._format_storage_once(java)

        started = time.monotonic()
        log.info("starting Kafka %s at %s", self.settings.kafka_version, self.bootstrap)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.out_path.open("ab") as out:
            self._process = subprocess.Popen(
                self._java_command(java, _MAIN_CLASS, str(self.config_path)),
                cwd=self.broker_dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Its own session: Ctrl-C in the terminal that ran `antt broker start` must not
                # reach the broker, and the broker outlives that command.
                start_new_session=True,
            )
        pid = self._process.pid
        self.pid_file.write_text(f"{pid}\n")
        try:
            self._wait_ready(pid, timeout_s, started_here=True)
        except BaseException:
            self._kill_quietly(pid)
            raise
        log.info(
            "Kafka ready at %s in %.1f s (pid %d)", self.bootstrap, time.monotonic() - started, pid
        )
        return self.status()

    def _check_ports_free(self) -> None:
        host = self.settings.kafka_host
        for port in (self.port, self.settings.controller_port):
            if not _port_free(host, port):
                raise BrokerError(
                    f"port {port} on {host} is taken by another process; stop it or set "
                    "ANTT_KAFKA_PORT / ANTT_CONTROLLER_PORT to free ports"
                )

    def _check_data_dir_free(self) -> None:
        # Kafka holds a POSIX lock on <log.dirs>/.lock while it runs; the file itself survives a
        # crash harmlessly, but a live holder means a broker we have no pid for (pid file lost).
        lock_file = self.data_path / ".lock"
        if not lock_file.exists():
            return
        with lock_file.open("rb+") as handle:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise BrokerError(
                    f"{self.data_path} is in use by another Kafka process; stop it "
                    f"(see `pgrep -af {_MAIN_CLASS}`) before starting this broker"
                ) from None
            fcntl.lockf(handle, fcntl.LOCK_UN)

    def _write_config(self) -> None:
        s = self.settings
        self.broker_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        properties = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{s.kafka_host}:{s.controller_port}",
            "listeners": (
                f"PLAINTEXT://{s.kafka_host}:{s.kafka_port},"
                f"CONTROLLER://{s.kafka_host}:{s.controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://{s.kafka_host}:{s.kafka_port}",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data_path),
            "num.partitions": str(s.partitions),
            # A single node cannot hold more than one replica of anything.
            "default.replication.factor": "1",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            # Consumers in tests and the demo join one at a time; waiting 3 s for more is waste.
            "group.initial.rebalance.delay.ms": "0",
            # Topics come from the contract (pipelines.topics), never from a typo in a producer.
            "auto.create.topics.enable": "false",
        }
        self.config_path.write_text(_properties_text(properties))
        self.log4j_path.write_text(_log4j_text(self.log_path))

    def _format_storage_once(self, java: str) -> None:
        if (self.data_path / "meta.properties").exists():
            return
        log.info("formatting Kafka storage in %s", self.data_path)
        command = self._java_command(
            java,
            "kafka.tools.StorageTool",
            "format",
            "-t",
            _kafka_uuid(),
            "-c",
            str(self.config_path),
        )
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip().splitlines()[-_TAIL_LINES:]
            raise BrokerError(
                f"formatting Kafka storage in {self.data_path} failed (exit {result.returncode}):\n"
                + "\n".join(output)
            )

    def _java_command(self, java: str, main_class: str, *args: str) -> list[str]:
        return [
            java,
            f"-Xmx{self.settings.kafka_heap}",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j.configuration={self.log4j_path.as_uri()}",
            "-cp",
            # The JVM expands the wildcard itself; no shell is involved.
            str(self.libs_dir / "*"),
            main_class,
            *args,
        ]

    def _wait_ready(self, pid: int, timeout_s: float, *, started_here: bool) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            if not self._alive(pid):
                self.pid_file.unlink(missing_ok=True)
                raise BrokerError(
                    f"Kafka (pid {pid}) exited during startup; last log lines:\n{self._log_tail()}"
                )
            if _api_versions_answer(self.settings.kafka_host, self.port) and _metadata_answers(
                self.bootstrap
            ):
                return
            if time.monotonic() >= deadline:
                what = "started" if started_here else "already starting"
                raise BrokerError(
                    f"Kafka (pid {pid}, {what}) did not answer at {self.bootstrap} within "
                    f"{timeout_s:.0f} s; last log lines:\n{self._log_tail()}"
                )
            time.sleep(0.25)

    def _log_tail(self) -> str:
        parts = [f"{self.log_path}:\n{_tail(self.log_path)}"]
        out = _tail(self.out_path)
        if out:
            parts.append(f"{self.out_path}:\n{out}")
        return "\n".join(parts)

    # -- stop ------------------------------------------------------------------------------

    def stop(self, timeout_s: float = 30) -> bool:
        """Stops the broker with a controlled shutdown; returns whether one was running."""
        pid = self._live_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        log.info("stopping Kafka at %s (pid %d)", self.bootstrap, pid)
        started = time.monotonic()
        # SIGTERM runs Kafka's shutdown hook: controlled shutdown, logs flushed, lock released.
        _signal(pid, signal.SIGTERM)
        if not self._wait_exit(pid, timeout_s):
            log.warning("Kafka (pid %d) ignored SIGTERM for %.0f s; killing it", pid, timeout_s)
            _signal(pid, signal.SIGKILL)
            self._wait_exit(pid, 10)
        self.pid_file.unlink(missing_ok=True)
        self._process = None
        log.info("Kafka stopped in %.1f s", time.monotonic() - started)
        return True

    def _kill_quietly(self, pid: int) -> None:
        _signal(pid, signal.SIGKILL)
        self._wait_exit(pid, 10)
        self.pid_file.unlink(missing_ok=True)
        self._process = None

    def _wait_exit(self, pid: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while self._alive(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    # -- processes -------------------------------------------------------------------------

    def _live_pid(self) -> int | None:
        """The pid in the pid file if it is a live Kafka for this data folder, else None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        if not self._alive(pid):
            return None
        # After a reboot or crash the pid may belong to an unrelated process by now.
        cmdline = _cmdline(pid)
        if cmdline is not None and not (
            _MAIN_CLASS in cmdline and str(self.config_path) in cmdline
        ):
            return None
        return pid

    def _alive(self, pid: int) -> bool:
        process = self._process
        if process is not None and process.pid == pid:
            # Our own child: poll() reaps it, or a dead broker would linger as a zombie.
            return process.poll() is None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not _is_zombie(pid)


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


def _metadata_answers(bootstrap: str) -> bool:
    """Whether a real client can bootstrap and list topics, the test every caller relies on."""
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="antt-broker-probe",
            request_timeout_ms=5000,
            bootstrap_timeout_ms=5000,
        )
    except Exception:  # kafka-python raises several unrelated types while a broker boots
        return False
    try:
        admin.list_topics()
    except Exception:
        return False
    finally:
        admin.close()
    return True


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
