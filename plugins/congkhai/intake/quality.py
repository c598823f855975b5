"""Is a value read from a document good enough to be printed in an official paper?

The subject (trích yếu) is printed in the posting minutes ("… về việc <subject>"): an emoji, OCR
garbage or a file name there is worse than asking a person. ``usable_subject`` is deliberately
simple — enough Latin (Vietnamese) letters, mostly words, not mostly symbols — so staff can
predict it: anything it refuses goes to ``review/`` with a note asking for ``subject:``.
"""

from __future__ import annotations

import unicodedata

#: At least this many letters (Vietnamese is Latin script: "Về việc" alone has 6).
MIN_LETTERS = 8
#: Letters among the visible characters (digits and common punctuation do not count against).
MIN_LETTER_RATIO = 0.6
#: Words (tokens of 2+ letters, punctuation around them allowed) among all tokens.
MIN_WORD_RATIO = 0.6

_NEUTRAL = set("0123456789.,;:-–—/()\"'“”‘’%&+")


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN")


def _is_word(token: str) -> bool:
    core = token.strip(".,;:()\"'“”‘’-–—")
    if core.isdigit() or (core and all(c.isdigit() or c in "/-." for c in core)):
        return True  # "2024", "15/QĐ-UBND" parts, "30/4"
    letters = sum(_is_latin_letter(c) for c in core)
    return letters >= 2 and letters >= 0.8 * len(core)


def usable_subject(text: str | None) -> bool:
    """True when ``text`` reads as a subject: NFC, 8+ Latin letters, mostly letters and mostly words."""
    if not text:
        return False
    text = unicodedata.normalize("NFC", text).strip()
    visible = [c for c in text if not c.isspace()]
    letters = sum(_is_latin_letter(c) for c in visible)
    if letters < MIN_LETTERS:
        return False
    counted = [c for c in visible if c not in _NEUTRAL]
    if letters < MIN_LETTER_RATIO * len(counted):
        return False
    tokens = text.split()
    words = sum(_is_word(t) for t in tokens)
    return words >= 2 and words >= MIN_WORD_RATIO * len(tokens)
