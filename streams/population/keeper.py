"""Keeps the population registry up to date, one ``population.updates`` message at a time."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping

from streams.cleaning.context import CleanContext
from streams.population.registry import Resident, apply_update
from streams.processing import Message, clean_message

__all__ = ["RegistryKeeper"]


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
        """Fold one population update into the registry; a rejected one changes nothing.

        Must run while Faust processes ``message``'s event: a Faust table writes each key to the
        changelog partition of the event being processed.
        """
        outcome = clean_message(message, self._make_context())
        if outcome.row is None:
            return
        key = outcome.row["person_key"]
        self.residents[key] = apply_update(self.residents.get(key), outcome.row)
        self.registered += 1
