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
from typing import Literal

__all__ = ["Pseudonymiser"]

Domain = Literal["person", "plate"]

_FINGERPRINT_LABEL = b"antt:pseudonym-key-fingerprint:v1"


class Pseudonymiser:
    """Turns identifiers into 128-bit hex pseudonyms under one secret key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, domain: Domain, material: str) -> str:
        digest = hmac.new(self._key, f"{domain}:{material}".encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def fingerprint(self) -> str:
        """A 128-bit hex id of the key; neither the key nor any pseudonym can be derived from it."""
        return hmac.new(self._key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:32]
