"""The ``CleanContext`` of this moment, from the worker process's live state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from antt.settings import Settings
from streams.cleaning.context import CleanContext
from streams.population.registry import Resident
from streams.pseudonym import Pseudonymiser
from streams.reference.store import ReferenceStore
from streams.reference.wards import ward_provinces

__all__ = ["ContextFactory"]


class ContextFactory:
    """Builds a context over the reference store and the registry as they are when called."""

    def __init__(
        self, settings: Settings, store: ReferenceStore, residents: Mapping[str, Resident]
    ) -> None:
        self.store = store
        self.residents = residents
        self.pseudonymise = Pseudonymiser(settings.pseudonym_secret)
        self._province_code = settings.province_code
        self._wards = ward_provinces()

    def __call__(self) -> CleanContext:
        return CleanContext(
            now=datetime.now(UTC),
            province_code=self._province_code,
            wards=self._wards,
            cameras=self.store.cameras,
            facilities=self.store.facilities,
            watchlist=self.store.watchlist,
            residents=self.residents,
            pseudonymise=self.pseudonymise,
        )
