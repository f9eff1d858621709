"""Sentences with their paragraph, the unit the linker reads evidence in."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")


@dataclass(frozen=True)
class Sentence:
    text: str
    paragraph: int
    index: int


def split_sentences(text: str) -> list[Sentence]:
    """Split normalised text into sentences, remembering the paragraph each came from."""
    sentences: list[Sentence] = []
    for p_index, paragraph in enumerate(text.split("\n")):
        for piece in _SENTENCE_END.split(paragraph):
            piece = piece.strip()
            if piece:
                sentences.append(Sentence(piece, p_index, len(sentences)))
    return sentences
