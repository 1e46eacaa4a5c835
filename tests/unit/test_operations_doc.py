"""docs/operations.md lists exactly the reason codes a rejection can carry."""

from __future__ import annotations

import re

from streams.contract.reasons import REASONS
from tests.conftest import REPO


def test_every_reason_code_is_documented_and_nothing_else() -> None:
    text = (REPO / "docs" / "operations.md").read_text()
    table = text[text.index("## Rejection reason codes") :]
    documented = re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE)
    assert len(documented) == len(set(documented))
    assert sorted(documented) == sorted(REASONS)
