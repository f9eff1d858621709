"""Sentences with their paragraph, the unit the linker reads evidence in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.stage import is_future_at

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")


@dataclass(frozen=True)
class Sentence:
    text: str
    paragraph: int
    index: int
    plan_lead: bool = False  # continues a plan opened by an earlier clause (……将……；……)


def split_sentences(text: str) -> list[Sentence]:
    """Split normalised text into sentences, remembering the paragraph each came from."""
    sentences: list[Sentence] = []
    for p_index, paragraph in enumerate(text.split("\n")):
        carry = False
        for piece in _SENTENCE_END.split(paragraph):
            piece = piece.strip()
            if piece:
                sentences.append(Sentence(piece, p_index, len(sentences), carry))
                # A plan runs on through 、；-separated items and stops at a full stop.
                carry = piece.endswith(("；", ";")) and is_future_at(piece, len(piece), carry)
    return sentences
