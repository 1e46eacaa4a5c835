"""Kafka client options from Settings: where the brokers are and how a client proves who it is.

Every client in the codebase (kafka-python, aiokafka, Faust) is meant to take its connection
options from here, so that turning on SASL/SCRAM (``Settings.kafka_secure``) or adding cluster
nodes changes one place. kafka-python and aiokafka share option names, so one dict serves both.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from antt.settings import Settings

if TYPE_CHECKING:
    from faust.types.auth import CredentialsT

__all__ = ["SASL_MECHANISM", "client_options", "faust_options", "password_file"]

SASL_MECHANISM: Final = "SCRAM-SHA-512"

# kafka-python warns on every SCRAM connection without TLS; SCRAM never sends the password (a
# salted proof instead), and the broker listens on loopback or a private network, so the warning
# would only bury real ones in every log.
logging.getLogger("kafka.net.sasl.scram").setLevel(logging.ERROR)


class _Password(str):
    """A password whose repr is masked: clients log their whole options dict at debug level
    (kafka-python's admin client does), and a dict shows its values by repr."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'***'"


def password_file(settings: Settings) -> Path:
    """The file holding the client principal's password (its first line is the password)."""
    if settings.kafka_password_file is not None:
        return settings.kafka_password_file
    if settings.kafka_username is None:
        raise RuntimeError(
            "the broker is secure but no Kafka principal is set: set ANTT_KAFKA_USERNAME "
            "(and ANTT_KAFKA_PASSWORD_FILE unless the broker's secrets folder is local)"
        )
    return settings.kafka_secrets / f"{settings.kafka_username}.password"


def _password(settings: Settings) -> str:
    path = password_file(settings)
    try:
        password = path.read_text().strip()
    except OSError as exc:
        # The path is not secret; the reason (missing, unreadable) is what an operator needs.
        raise RuntimeError(f"cannot read the Kafka password file {path}: {exc.strerror}") from None
    if not password:
        raise RuntimeError(f"the Kafka password file {path} is empty")
    return _Password(password)


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for kafka-python and aiokafka clients (producer, consumer, admin)."""
    options: dict[str, Any] = {"bootstrap_servers": settings.bootstrap_servers}
    if settings.kafka_secure:
        options.update(
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism=SASL_MECHANISM,
            sasl_plain_username=settings.kafka_username,
            sasl_plain_password=_password(settings),
        )
    return options


def faust_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``faust.App``: every node's URL and, when secure, SASL credentials.

    Faust separates broker URLs with ";", not ",", so the list is given as a list of URLs.
    """
    options: dict[str, Any] = {
        "broker": [f"kafka://{server}" for server in settings.bootstrap_servers.split(",")]
    }
    if settings.kafka_secure:
        options["broker_credentials"] = _faust_credentials(settings)
    return options


def _faust_credentials(settings: Settings) -> CredentialsT:
    # Imported here: faust is heavy, and only the worker needs it.
    from faust import SASLCredentials
    from faust.types.auth import SASLMechanism

    return SASLCredentials(
        username=settings.kafka_username,
        password=_password(settings),
        mechanism=SASLMechanism.SCRAM_SHA_512,
    )
