"""Whitespace and character classes for Chinese page text."""

from __future__ import annotations

import re

# Han ideographs, CJK punctuation and full-width forms: between two of these a source line break
# is layout, not a word gap.
_CJK = (r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
        r"\uff00-\uffef")
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*[\r\n][\s]*(?=[{_CJK}])")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Collapse whitespace as a browser renders it, but drop line wraps inside Chinese text."""
    if not text:
        return ""
    text = _CONTROL.sub("", text)
    text = _CJK_BREAK.sub("", text)
    return _SPACES.sub(" ", text).strip()


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)


def visible_len(text: str) -> int:
    """Characters that are not whitespace: the unit every density measure here counts."""
    return len(text) - sum(1 for c in text if c.isspace())


# Punctuation that ends or splits a sentence: prose carries it, menus and link lists do not.
_PUNCT_IN_WORDS = re.compile(r"(?<!\d)[，。！？；：、,.!?;:…](?!\d)")


def punct_count(text: str) -> int:
    """Sentence punctuation, not counting the separators inside numbers, dates and times."""
    return len(_PUNCT_IN_WORDS.findall(text))


def letter_count(text: str) -> int:
    """Han characters and letters: what prose is made of (digits, dates, symbols are not)."""
    return sum(1 for c in text if c.isalpha())
