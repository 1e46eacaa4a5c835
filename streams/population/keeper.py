"""Keeps the population registry up to date from cleaned ``population.updates`` messages."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from typing import TypeVar

from streams.cleaning.context import CleanContext
from streams.population.registry import Resident, apply_update
from streams.processing import Message, Outcome, clean_message

__all__ = ["RegistryKeeper"]

Source = TypeVar("Source")


class RegistryKeeper:
    """Folds accepted updates into ``residents`` (the app's Faust table, or a dict in tests)."""

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
        self._apply(clean_message(message, self._make_context()))

    def fold(
        self,
        batch: Sequence[tuple[Source, Message]],
        cleaned: Sequence[Outcome],
        write_as: Callable[[Source], None],
    ) -> None:
        """Fold a batch in order, reusing the outcomes the landing path already cleaned.

        A message without an outcome (skipped as already landed) is cleaned here: its landed
        file says nothing about whether its registry write reached the changelog before a crash,
        and folding an update twice leaves the record as once. ``write_as`` runs before each
        write: a Faust table writes a key to the changelog partition of the event it names.
        """
        outcomes = {(o.message.partition, o.message.offset): o for o in cleaned}
        ctx: CleanContext | None = None
        for source, message in batch:
            outcome = outcomes.get((message.partition, message.offset))
            if outcome is None:
                ctx = ctx or self._make_context()
                outcome = clean_message(message, ctx)
            write_as(source)
            self._apply(outcome)

    def _apply(self, outcome: Outcome) -> None:
        if outcome.row is None:
            return
        key = outcome.row["person_key"]
        self.residents[key] = apply_update(self.residents.get(key), outcome.row)
        self.registered += 1
