"""Golden pseudonym vectors: a fixed key and inputs with their fixed outputs.

The outputs were computed independently with ``openssl dgst -sha256 -hmac <key>`` over
``<domain>:<material>`` (first 32 hex digits). If one changes, every landed pseudonym stops
matching the ones made before: that is a key rotation (docs/operations.md), never a refactoring.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.provenance import KEY_FILE, ProvenanceError, check_key
from streams.pseudonym import Domain, Pseudonymiser
from warehouse.landing.zone import LandingZone

KEY = b"golden-vector-key-0123456789abcdef"

GOLDEN: list[tuple[Domain, str, str]] = [
    ("person", "VN:093095001234", "ae011ee6146aa0d3bef6999df6fdc563"),
    ("person", "PASSPORT:C1234567", "fcd84d28dd16fe3453eb697506c4a335"),
    ("plate", "65B123456", "8a62ed58cb11082393ae4b0ab4318d9c"),
    # The same characters as a person identifier: each domain hashes under its own label.
    ("person", "65B123456", "586657afbfdb3fb25851f7b117b5d8b2"),
]


@pytest.mark.parametrize(("domain", "material", "expected"), GOLDEN)
def test_golden_vectors(domain: Domain, material: str, expected: str) -> None:
    assert Pseudonymiser(KEY)(domain, material) == expected


def test_the_fingerprint_is_a_fixed_hmac_of_a_label_not_a_pseudonym() -> None:
    pseudonymise = Pseudonymiser(KEY)
    assert pseudonymise.fingerprint() == "dc4b3595592068d2c34fec17366320c5"
    assert Pseudonymiser(b"another-key-0123456789abcdef-xyz").fingerprint() == (
        "c4acbdf407204316342578992fcc0bb0"
    )
    assert pseudonymise.fingerprint() not in {expected for _, _, expected in GOLDEN}


def test_the_landing_zone_refuses_a_second_key(tmp_path: Path) -> None:
    zone = LandingZone(tmp_path)
    check_key(zone, Pseudonymiser(KEY))
    recorded = (tmp_path / "_meta" / KEY_FILE).read_text()
    assert "dc4b3595592068d2c34fec17366320c5" in recorded
    assert KEY.decode() not in recorded
    check_key(zone, Pseudonymiser(KEY))  # the same key again: fine
    with pytest.raises(ProvenanceError) as refused:
        check_key(zone, Pseudonymiser(b"another-key-0123456789abcdef-xyz"))
    message = str(refused.value)
    assert "\n" not in message
    assert "c4acbdf407204316342578992fcc0bb0" in message
    assert "dc4b3595592068d2c34fec17366320c5" in message
    assert "docs/operations.md" in message
