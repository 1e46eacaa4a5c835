"""Keyed pseudonyms (HMAC-SHA256): the same person or plate gets the same pseudonym everywhere.

Without the key a pseudonym cannot be reversed or recomputed from a guessed ID number, which a
plain hash of a 12-digit number would allow. Each kind of identifier hashes under its own label,
so a plate and an ID number with the same characters never share a pseudonym.

``fingerprint`` identifies the key without revealing it (an HMAC of a fixed label): the landing
zone records it, so a worker given another key refuses to mix a second set of pseudonyms in.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Final, Literal

__all__ = ["Pseudonymiser"]

Domain = Literal["person", "plate"]

_FINGERPRINT_LABEL = b"antt:pseudonym-key-fingerprint:v1"
# The same plates pass many cameras and the same people check in again: a worker sees a bounded
# set of identifiers over and over, and an HMAC costs more than the lookup.
_CACHED: Final = 65536


class Pseudonymiser:
    """Turns identifiers into 128-bit hex pseudonyms under one secret key."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        # The key's pads hashed once: each pseudonym copies them instead of hashing the key again
        # and looking SHA-256 up in OpenSSL, as hmac.digest does on every call.
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)
        self._pseudonym = lru_cache(maxsize=_CACHED)(self._compute)

    def __call__(self, domain: Domain, material: str) -> str:
        return self._pseudonym(domain, material)

    def _compute(self, domain: Domain, material: str) -> str:
        mac = self._keyed.copy()
        mac.update(f"{domain}:{material}".encode())
        return mac.hexdigest()[:32]

    def fingerprint(self) -> str:
        """A 128-bit hex id of the key; neither the key nor any pseudonym can be derived from it."""
        return hmac.new(self._key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:32]
