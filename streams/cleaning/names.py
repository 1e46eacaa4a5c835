"""Vietnamese personal names: one canonical spelling, so the same person matches across streams.

Rules, in order: Unicode NFC (many sources send NFD), whitespace collapsed, each word capitalised
("nguyễn  văn AN" → "Nguyễn Văn An"), and the tone mark placed in the traditional ("old") style,
which is what the national population database and the `vietnam-provinces` unit names use:
"Hòa", "Thủy", "Khỏe" rather than "Hoà", "Thuỷ", "Khoẻ".
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Final

__all__ = ["normalise_name", "place_tone"]

# Combining tone marks: grave, acute, hook above, tilde, dot below.
_TONES: Final = frozenset("\u0300\u0301\u0309\u0303\u0323")
# Base vowels carrying a quality mark (circumflex, breve, horn) take the tone when present.
_MARKED: Final = frozenset("âăêôơư")
_VOWELS: Final = frozenset("aăâeêioôơuưy")


def _split_tone(word: str) -> tuple[str, str | None]:
    """The word without its tone mark (NFC) and the tone mark, if any."""
    tone: str | None = None
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", word):
        if char in _TONES:
            tone = char
        else:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_index(base: str) -> int | None:
    """Index of the letter that carries the tone in a toneless syllable, traditional style."""
    lower = base.lower()
    start = 0
    # "qu" and "gi" before another vowel are consonants: "quý", "giá".
    if lower.startswith("qu") or (
        lower.startswith("gi") and len(lower) > 2 and lower[2] in _VOWELS
    ):
        start = 2
    vowels = [i for i in range(start, len(lower)) if lower[i] in _VOWELS]
    if not vowels:
        vowels = [i for i in range(len(lower)) if lower[i] in _VOWELS]
        if not vowels:
            return None
    # Only the first contiguous run of vowels is the nucleus.
    run = [vowels[0]]
    for i in vowels[1:]:
        if i != run[-1] + 1:
            break
        run.append(i)
    marked = [i for i in run if lower[i] in _MARKED]
    if marked:
        return marked[-1]  # "ươ" takes the tone on "ơ"
    has_final_consonant = run[-1] < len(lower) - 1
    if len(run) == 1:
        return run[0]
    if has_final_consonant or len(run) == 3:
        return run[-1] if has_final_consonant else run[1]
    return run[0]


def place_tone(word: str) -> str:
    """The word with its tone mark on the vowel that traditional orthography puts it on."""
    base, tone = _split_tone(word)
    if tone is None:
        return base
    index = _tone_index(base)
    if index is None:
        return unicodedata.normalize("NFC", unicodedata.normalize("NFD", word))
    decomposed = unicodedata.normalize("NFD", base[index]) + tone
    return unicodedata.normalize("NFC", base[:index] + decomposed + base[index + 1 :])


def normalise_name(raw: str) -> str:
    """The canonical spelling of a full name; empty when the name is blank."""
    words = unicodedata.normalize("NFC", raw).split()
    return " ".join(_canonical_word(word) for word in words)


# Names are made of few distinct words (family, middle and given names), and placing the tone
# was the costliest step of cleaning a population update (docs/performance.md).
@functools.lru_cache(maxsize=65_536)
def _canonical_word(word: str) -> str:
    return place_tone(word[:1].upper() + word[1:].lower())
