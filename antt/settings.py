"""Platform settings: one frozen model read from ``ANTT_*`` environment variables.

Every command and test builds its settings here, so a test can point the whole platform at its
own broker ports and data folder by passing overrides instead of touching the environment.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEMO_PSEUDONYM_KEY", "Settings"]

# Used only when demo_mode is on, so that the demo and tests run on a fresh clone; a deployment
# without demo mode refuses to start unless it is given a key of its own.
DEMO_PSEUDONYM_KEY = "antt-demo-key-not-for-production"


class Settings(BaseSettings):
    """Where the broker listens, where data lives, and which province this deployment serves."""

    model_config = SettingsConfigDict(env_prefix="ANTT_", frozen=True, extra="forbid")

    kafka_host: str = "127.0.0.1"
    kafka_port: int = Field(default=19092, ge=1, le=65535)
    controller_port: int = Field(default=19093, ge=1, le=65535)
    kafka_version: str = "3.9.1"
    kafka_heap: str = "768m"
    # A cluster runs one JVM per node on the same machine: each gets less heap than a lone node.
    kafka_node_heap: str = "512m"
    # Node n (1-based) listens on kafka_port + 2(n-1) and controller_port + 2(n-1).
    nodes: int = Field(default=1, ge=1, le=5)
    # SASL_PLAINTEXT with SCRAM-SHA-512 and ACLs; the client principal and its password file.
    # Without a password file, a client reads <kafka secrets folder>/<username>.password; the
    # folder defaults to <data_dir>/broker/secrets, which `antt broker start --secure` fills.
    kafka_secure: bool = False
    kafka_username: str | None = None
    kafka_password_file: Path | None = None
    kafka_secrets_dir: Path | None = None
    partitions: int = Field(default=3, ge=1)
    replication: int = Field(default=1, ge=1)

    data_dir: Path = Path(".antt")
    cache_dir: Path = Path(".antt/cache")

    province_code: int = Field(
        default=92, description="Current (2025) province code; 92 is Cần Thơ"
    )
    app_id: str = "antt"

    demo_mode: bool = False
    pseudonym_key: SecretStr | None = None
    pseudonym_key_file: Path | None = None

    batch_max: int = Field(default=2000, ge=1)
    # How long a batch waits for more events once the previous one is handled. A watchlist hit
    # waits this, plus handling the batch before it and its own: at 1,000 camera events/s and
    # 0.5 s the alert p99 was 1.1-1.4 s, at 0.25 s 0.61-0.84 s (docs/performance.md). A backlog
    # fills batches to batch_max long before it, so throughput does not depend on it.
    batch_within_s: float = Field(default=0.25, gt=0)
    # How long a batch may wait for the reference topics to be read to their end (broker away)
    # before the worker gives up and exits 75, to be restarted by its supervisor.
    reference_timeout_s: float = Field(default=30.0, gt=0)
    # The worker's /metrics and /healthz, on 127.0.0.1 only; 0 takes a free port, written to
    # <data>/worker/slot-N/endpoint.json, where `antt status` finds it.
    metrics_port: int = Field(default=0, ge=0, le=65535)

    @model_validator(mode="after")
    def _ports_fit(self) -> Settings:
        ports = [port for pair in self.node_ports for port in pair]
        if len(set(ports)) != len(ports) or max(ports) > 65535:
            raise ValueError(f"the {self.nodes} node(s) need distinct ports <= 65535, got {ports}")
        return self

    @property
    def node_ports(self) -> tuple[tuple[int, int], ...]:
        """(client port, controller port) of each node, node 1 first."""
        return tuple(
            (self.kafka_port + 2 * n, self.controller_port + 2 * n) for n in range(self.nodes)
        )

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"{self.kafka_host}:{port}" for port, _ in self.node_ports)

    @property
    def kafka_secrets(self) -> Path:
        """The folder of ``<principal>.password`` files."""
        return self.kafka_secrets_dir or self.broker_dir / "secrets"

    @property
    def broker_dir(self) -> Path:
        return self.data_dir / "broker"

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def worker_state_dir(self) -> Path:
        return self.data_dir / "worker"

    @cached_property
    def pseudonym_secret(self) -> bytes:
        """The HMAC key for pseudonyms; raises when none is configured outside demo mode."""
        if self.pseudonym_key is not None:
            key = self.pseudonym_key.get_secret_value().encode()
        elif self.pseudonym_key_file is not None:
            key = self.pseudonym_key_file.read_bytes().strip()
        elif self.demo_mode:
            key = DEMO_PSEUDONYM_KEY.encode()
        else:
            raise RuntimeError(
                "no pseudonymisation key: set ANTT_PSEUDONYM_KEY or ANTT_PSEUDONYM_KEY_FILE "
                "(or ANTT_DEMO_MODE=1 for synthetic data only)"
            )
        if len(key) < 16:
            raise RuntimeError("the pseudonymisation key must be at least 16 bytes long")
        return key
