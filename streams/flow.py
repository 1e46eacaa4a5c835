"""Faust's flow control, except that resuming a flow that already flows keeps what is queued.

Faust clears every stream queue whenever it resumes the flow. During recovery it resumes twice:
once before it seeks the partitions back to their committed offsets, and again after the seek.
Messages fetched after the seek but still queued at the second resume are dropped and never
delivered again; Faust then commits past a hole of one offset, and a longer hole stops the
partition's commits for good. In the full test suite that happened in about one rebalance in
five. Keeping the queues at a resume that changes nothing keeps those messages; any copies
fetched before the seek arrive twice, and the worker lands the first and skips the rest.
"""

from __future__ import annotations

from mode.utils.queues import FlowControlEvent

__all__ = ["FlowKeptOnResume"]


class FlowKeptOnResume(FlowControlEvent):
    """Clears the queues when a suspended flow resumes, not when a flowing one is resumed."""

    def resume(self) -> None:
        if not self.is_active():
            super().resume()
