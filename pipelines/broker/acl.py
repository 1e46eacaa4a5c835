"""Who may do what on the platform's Kafka: the principals and their grants, defined once as data.

A secure broker (``Settings.kafka_secure``) denies everything not granted here
(``allow.everyone.if.no.acl.found=false``); ``admin`` is the super user that formats storage,
talks between brokers, creates topics and applies these grants. Kafka lets READ and WRITE imply
DESCRIBE, so grants name only the operations a principal performs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
)

from streams.contract.topics import ALERTS, DEADLETTER, SOURCE_TOPICS, TopicName

__all__ = [
    "ADMIN",
    "PRINCIPALS",
    "PRODUCER_TOPICS",
    "Grant",
    "Principal",
    "apply_grants",
    "platform_grants",
]

log = logging.getLogger(__name__)

Principal = Literal[
    "admin", "camera", "lodging", "incident", "population", "reference", "worker", "analyst"
]
Operation = Literal["read", "write", "create"]
Resource = Literal["topic", "group"]

ADMIN: Final[Principal] = "admin"
PRINCIPALS: Final[tuple[Principal, ...]] = (
    "admin", "camera", "lodging", "incident", "population", "reference", "worker", "analyst"
)  # fmt: skip

# Each source system publishes its own topics and nothing else.
PRODUCER_TOPICS: Final[Mapping[Principal, tuple[TopicName, ...]]] = {
    "camera": ("camera.events",),
    "lodging": ("lodging.checkins",),
    "incident": ("incident.reports",),
    "population": ("population.updates",),
    "reference": ("ref.cameras", "ref.facilities", "ref.watchlist"),
}

_OPERATIONS: Final[Mapping[Operation, ACLOperation]] = {
    "read": ACLOperation.READ,
    "write": ACLOperation.WRITE,
    "create": ACLOperation.CREATE,
}
_RESOURCES: Final[Mapping[Resource, ResourceType]] = {
    "topic": ResourceType.TOPIC,
    "group": ResourceType.GROUP,
}


@dataclass(frozen=True, slots=True)
class Grant:
    """``principal`` may do ``operation`` on the topic or group ``name`` (or every name with
    that prefix when ``prefixed``)."""

    principal: Principal
    operation: Operation
    resource: Resource
    name: str
    prefixed: bool = False

    def to_acl(self) -> ACL:
        pattern = (
            ACLResourcePatternType.PREFIXED if self.prefixed else ACLResourcePatternType.LITERAL
        )
        return ACL(
            principal=f"User:{self.principal}",
            host="*",
            operation=_OPERATIONS[self.operation],
            permission_type=ACLPermissionType.ALLOW,
            resource_pattern=ResourcePattern(_RESOURCES[self.resource], self.name, pattern),
        )


def platform_grants(app_id: str) -> tuple[Grant, ...]:
    """Every grant of the platform whose stream worker is the Faust app ``app_id``.

    The worker reads the source topics in consumer groups named ``<app_id>...`` (the reference
    follower reads them without a group), writes alerts and dead letters, and owns the internal
    topics Faust creates under the ``<app_id>-`` prefix (registry changelog, assignor topic).
    The analyst principal has no grant at all: analysts read the landing zone, which holds
    pseudonyms, never a topic, which holds raw identities.
    """
    producers = [
        Grant(principal, "write", "topic", topic)
        for principal, topics in PRODUCER_TOPICS.items()
        for topic in topics
    ]
    worker: list[Grant] = [
        *(Grant("worker", "read", "topic", spec.name) for spec in SOURCE_TOPICS),
        *(Grant("worker", "write", "topic", spec.name) for spec in (ALERTS, DEADLETTER)),
        # Prefixed, so a second deployment of the worker ("antt-v2", a test's "antt-1f2e")
        # needs no grant of its own.
        Grant("worker", "read", "group", app_id, prefixed=True),
        *(
            Grant("worker", operation, "topic", f"{app_id}-", prefixed=True)
            for operation in ("create", "read", "write")
        ),
    ]
    return (*producers, *worker)


def apply_grants(admin: KafkaAdminClient, grants: Iterable[Grant]) -> None:
    """Makes the broker's ACLs exactly ``grants``: missing ones created, any other deleted.

    Deleting what is not listed is the point: a grant removed from this module, or one added by
    hand, must not linger on a running site.
    """
    wanted = {_acl_key(grant.to_acl()): grant.to_acl() for grant in grants}
    present = {_acl_key(acl): acl for acl in _described(admin)}
    stale = [acl for key, acl in present.items() if key not in wanted]
    missing = [acl for key, acl in wanted.items() if key not in present]
    if stale:
        for _filter, _matched, error in admin.delete_acls([_exact_filter(a) for a in stale]):
            if error.errno:
                raise RuntimeError(f"could not delete a stale Kafka ACL: {error.__name__}")
    if missing:
        failed = admin.create_acls(missing)["failed"]
        if failed:
            raise RuntimeError(f"could not create {len(failed)} Kafka ACL(s): {failed[0]}")
    log.info(
        "Kafka ACLs: %d in force (%d created, %d stale deleted)",
        len(wanted),
        len(missing),
        len(stale),
    )


def _described(admin: KafkaAdminClient) -> list[ACL]:
    everything = ACLFilter(
        principal=None,
        host=None,
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )
    acls, error = admin.describe_acls(everything)
    if error.errno:
        raise RuntimeError(f"could not list the broker's Kafka ACLs: {error.__name__}")
    return list(acls)


def _exact_filter(acl: ACL) -> ACLFilter:
    pattern = acl.resource_pattern
    return ACLFilter(
        principal=acl.principal,
        host=acl.host,
        operation=acl.operation,
        permission_type=acl.permission_type,
        resource_pattern=ResourcePatternFilter(
            pattern.resource_type, pattern.resource_name, pattern.pattern_type
        ),
    )


def _acl_key(acl: ACL) -> tuple[object, ...]:
    pattern = acl.resource_pattern
    return (
        acl.principal,
        acl.host,
        int(acl.operation),
        int(acl.permission_type),
        int(pattern.resource_type),
        pattern.resource_name,
        int(pattern.pattern_type),
    )
