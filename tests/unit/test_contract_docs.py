"""docs/events.md is what integrators read: its examples must be the schemas' own, and valid."""

from __future__ import annotations

import json
import re
from pathlib import Path

from streams.contract.topics import TOPICS
from streams.contract.validate import load_schema, parse_event

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_every_topic_is_documented_with_its_schema_example() -> None:
    text = DOC.read_text(encoding="utf-8")
    for spec in TOPICS:
        section = text.split(f"### `{spec.name}`", 1)[1]
        example = json.loads(re.search(r"```json\n(.*?)\n```", section, re.S).group(1))  # type: ignore[union-attr]
        assert example == load_schema(spec.name)["examples"][0], spec.name
        assert parse_event(spec.name, json.dumps(example).encode()) == example
