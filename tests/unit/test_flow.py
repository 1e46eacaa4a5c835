"""Resuming a flow that already flows keeps the queued messages; resuming a suspended one clears."""

from __future__ import annotations

import asyncio

from mode.utils.queues import FlowControlEvent, FlowControlQueue

from streams.flow import FlowKeptOnResume


def _queued_after(flow: FlowControlEvent, suspend_first: bool) -> int:
    async def scenario() -> int:
        queue: FlowControlQueue[int] = FlowControlQueue(flow_control=flow, clear_on_resume=True)
        flow.resume()
        await queue.put(1)  # fetched after the seek, not yet taken by the agent
        if suspend_first:
            flow.suspend()
        flow.resume()  # recovery's second resume
        return queue.qsize()

    return asyncio.run(scenario())


def test_faust_own_flow_control_drops_what_is_queued_at_a_second_resume() -> None:
    assert _queued_after(FlowControlEvent(), suspend_first=False) == 0


def test_a_second_resume_keeps_what_is_queued() -> None:
    assert _queued_after(FlowKeptOnResume(), suspend_first=False) == 1


def test_resuming_a_suspended_flow_still_clears() -> None:
    assert _queued_after(FlowKeptOnResume(), suspend_first=True) == 0
