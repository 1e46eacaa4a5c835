"""Phone numbers in E.164; the 11-digit mobile prefixes retired in 2018 become 10-digit ones."""

from __future__ import annotations

import re
from typing import Final

import phonenumbers

__all__ = ["normalise_phone"]

# Decision of the Ministry of Information and Communications (2018): old 4-digit mobile prefixes
# became 3-digit ones. Registries still hold numbers in the old form.
_OLD_MOBILE_PREFIXES: Final[dict[str, str]] = {
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039", "0186": "056", "0188": "058",
    "0199": "059",
}  # fmt: skip


def normalise_phone(raw: str) -> str | None:
    """The number in E.164 (``+84912345678``); None when it is not a valid number."""
    text = re.sub(r"[\s().-]", "", raw)
    if text.startswith("+84") or (text.startswith("84") and len(text) >= 11):
        text = "0" + text[3:] if text.startswith("+") else "0" + text[2:]
    if len(text) == 11 and text[:4] in _OLD_MOBILE_PREFIXES:
        text = _OLD_MOBILE_PREFIXES[text[:4]] + text[4:]
    try:
        parsed = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
