"""Platform settings: one frozen model read from ``ANTT_*`` environment variables.

Every command and test builds its settings here, so a test can point the whole platform at its
own broker ports and data folder by passing overrides instead of touching the environment.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
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
    batch_within_s: float = Field(default=0.5, gt=0)

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.kafka_host}:{self.kafka_port}"

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
