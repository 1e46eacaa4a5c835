"""How large a message each topic accepts: whatever a source accepts, its dead letter must too.

A dead letter carries the source record's key as its own key, and the key and value again in
base64 (4 bytes for every 3) inside a small JSON envelope. If it did not fit, the batch could not
be made durable, the worker would exit, and the replay would fail the same way: a crash loop on
one message.
"""

from __future__ import annotations

from typing import Final

__all__ = ["DEADLETTER_MAX_BYTES", "SOURCE_MAX_BYTES"]

# Kafka's own default (message.max.bytes), stated on every source topic so the bound is ours.
SOURCE_MAX_BYTES: Final = 1_048_588
# Generous: the envelope's other fields and the rejection message are a few hundred bytes.
_ENVELOPE_BYTES: Final = 64 * 1024
DEADLETTER_MAX_BYTES: Final = SOURCE_MAX_BYTES + (4 * SOURCE_MAX_BYTES + 2) // 3 + _ENVELOPE_BYTES
