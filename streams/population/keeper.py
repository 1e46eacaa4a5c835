"""Keeps the population registry up to date from cleaned ``population.updates`` messages."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from streams.cleaning.context import CleanContext
from streams.population import lookup
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


ReadMany = Callable[[Collection[str]], Mapping[str, Resident]]


class RegistryKeeper:
    """Folds accepted updates into person records read from ``residents`` (the app's Faust table,
    or a dict in tests), a batch's people at once (``streams.population.lookup``, or
    ``read_many`` when given)."""

    def __init__(
        self,
        residents: MutableMapping[str, Resident],
        make_context: Callable[[], CleanContext],
        read_many: ReadMany | None = None,
    ) -> None:
        self.residents = residents
        self.registered = 0
        self._make_context = make_context
        self._read_many = read_many or partial(lookup.read_many, residents)

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
        accepted = []
        for source, message in batch:
            outcome = outcomes.get((message.partition, message.offset))
            if outcome is None:
                ctx = ctx or self._make_context()
                outcome = clean_message(message, ctx)
            if outcome.row is not None:
                accepted.append((source, outcome.row))
        known = self._read_many({row["person_key"] for _, row in accepted})
        placed: dict[str, Placed[Source]] = {}
        for source, row in accepted:
            key = row["person_key"]
            before = placed[key].resident if key in placed else known.get(key)
            placed[key] = Placed(source, key, apply_update(before, row))
            self.registered += 1
        return list(placed.values())
