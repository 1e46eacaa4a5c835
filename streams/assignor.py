"""Faust's partition assignor, except that a global table's changelog need not be in the metadata.

The group leader gives every member each partition of a global table's changelog. Faust reads
their number from the leader's cluster metadata, and a changelog topic created a moment before
the first join (a new consumer group) may not be there yet: Faust's assignor then raises
KeyError. aiokafka hands that error to the consumer's next poll and waits until it is read, but
Faust polls only once partitions are assigned, so the worker hangs for good, out of its group,
without a line in its log. A table's changelog has the partitions the table declares (Faust
creates it so), so that number stands in until the metadata catches up.
"""

from __future__ import annotations

from collections.abc import Mapping

from faust.assignor import PartitionAssignor
from faust.assignor.partition_assignor import ClientAssignmentMapping

__all__ = ["ChangelogAssignor"]


class ChangelogAssignor(PartitionAssignor):
    """Assigns a global changelog missing from the metadata by the table's own partition count."""

    def _global_table_standby_assignments(
        self,
        assignments: ClientAssignmentMapping,
        partitions_by_topic: Mapping[str, int],
    ) -> ClientAssignmentMapping:
        known = dict(partitions_by_topic)
        for table in self._table_manager.data.values():
            if table.is_global:
                declared = table.partitions or self.app.conf.topic_partitions
                known.setdefault(table._changelog_topic_name(), declared)
        return super()._global_table_standby_assignments(assignments, known)
