"""The group leader assigns a global table's changelog even before its metadata lists the topic."""

from __future__ import annotations

import faust
import pytest
from faust.assignor import PartitionAssignor
from faust.assignor.client_assignment import ClientAssignment

from streams.assignor import ChangelogAssignor

CHANGELOG = "antt-test-population_registry-changelog"


def _assign(assignor_type: type[PartitionAssignor]) -> dict[str, ClientAssignment]:
    app = faust.App("antt-test", topic_partitions=3, PartitionAssignor=assignor_type)
    app.GlobalTable("population_registry", key_type=str, value_type=str)
    members = {m: ClientAssignment(actives={"camera.events": [n]}, standbys={})
               for n, m in enumerate(("worker-1", "worker-2"))}  # fmt: skip
    # The metadata knows the source topic, not the changelog created a moment ago.
    return dict(app.assignor._global_table_standby_assignments(members, {"camera.events": 3}))


def test_faust_own_assignor_fails_on_a_changelog_the_metadata_lacks() -> None:
    with pytest.raises(KeyError, match=CHANGELOG):
        _assign(PartitionAssignor)


def test_every_member_gets_every_changelog_partition_by_the_table_s_own_count() -> None:
    assignments = _assign(ChangelogAssignor)
    for member in ("worker-1", "worker-2"):
        assert assignments[member].actives[CHANGELOG] == [0, 1, 2]
        assert assignments[member].standbys[CHANGELOG] == [0, 1, 2]
