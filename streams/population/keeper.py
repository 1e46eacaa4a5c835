"""Keeps the population registry up to date from cleaned ``population.updates`` messages."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from streams.cleaning.context import CleanContext
from streams.population.registry import Resident, apply_update
from streams.processing import Message, Outcome, clean_message

__all__ = ["Placed", "RegistryKeeper"]

Source = TypeVar("Source")


@dataclass(frozen=True, slots=True)
class Placed(Generic[Source]):
    """A person's record after a batch, and the last message of the batch that changed it."""

    source: Source
    key: str
    resident: Resident


class RegistryKeeper:
    """Folds accepted updates into person records read from ``residents`` (the app's Faust table,
    or a dict in tests)."""

    def __init__(
        self,
        residents: MutableMapping[str, Resident],
        make_context: Callable[[], CleanContext],
    ) -> None:
        self.residents = residents
        self.registered = 0
        self._make_context = make_context

    def register(self, message: Message) -> None:
        """Fold one population update into the registry; a rejected one changes nothing."""
        for placed in self.fold([(None, message)], []):
            self.residents[placed.key] = placed.resident

    def fold(
        self, batch: Sequence[tuple[Source, Message]], cleaned: Sequence[Outcome]
    ) -> list[Placed[Source]]:
        """Fold a batch in order, reusing the outcomes the landing path already cleaned: the
        record of every person the batch changed, once, to be written by the caller.

        A message without an outcome (skipped as already landed) is cleaned here: its landed
        file says nothing about whether its registry write reached the changelog before a crash,
        and folding an update twice leaves the record as once.
        """
        outcomes = {(o.message.partition, o.message.offset): o for o in cleaned}
        ctx: CleanContext | None = None
        placed: dict[str, Placed[Source]] = {}
        for source, message in batch:
            outcome = outcomes.get((message.partition, message.offset))
            if outcome is None:
                ctx = ctx or self._make_context()
                outcome = clean_message(message, ctx)
            if outcome.row is None:
                continue
            key = outcome.row["person_key"]
            before = placed[key].resident if key in placed else self.residents.get(key)
            placed[key] = Placed(source, key, apply_update(before, outcome.row))
            self.registered += 1
        return list(placed.values())
