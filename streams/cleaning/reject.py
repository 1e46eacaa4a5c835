"""How a cleaner says no: a reason code from the contract and a message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass

from streams.contract.reasons import ReasonCode

__all__ = ["Reject", "Rejection"]


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a record was not accepted."""

    reasons: tuple[ReasonCode, ...]
    message: str


class Reject(Exception):
    """Raised inside a cleaner to stop at the first fault; the batch turns it into a Rejection."""

    def __init__(self, reason: ReasonCode, message: str) -> None:
        super().__init__(message)
        self.rejection = Rejection((reason,), message)
