"""Text normalisation that every matcher relies on.

Mirror sites republish lfxww stories in traditional characters with pinyin glosses inserted
(網(wǎng)) and full-width digits (１．６６万亩); matching runs on simplified, half-width text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_PINYIN_GLOSS = re.compile(
    r"[(（]\s*[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}[1-5]?\s*[)）]", re.IGNORECASE)
_STRAY_TAGS = re.compile(r"\?/p>|</?p>|&nbsp;?")
_INLINE_SPACE = re.compile(r"[ \t\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")

# Full-width forms to fold to ASCII; Chinese punctuation (，。：；！？（）) is kept as is because
# sentence splitting and the site rules read it.
_KEEP_FULLWIDTH = set("，。：；！？（）【】“”‘’、《》")


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


# Simplified words a traditional converter maps to the wrong form (复 has three traditional
# forms), which t2s then keeps because the wrong form is valid simplified too.
_MISCONVERTED = {"批覆": "批复", "答覆": "答复", "回覆": "回复"}
_MISCONVERTED_RE = re.compile("|".join(_MISCONVERTED))


def to_simplified(text: str) -> str:
    return _MISCONVERTED_RE.sub(lambda m: _MISCONVERTED[m.group(0)], _t2s().convert(text))


def fold_width(text: str) -> str:
    """Full-width letters, digits and ASCII symbols to half-width (１．６６ -> 1.66)."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E and ch not in _KEEP_FULLWIDTH:
            out.append(chr(code - 0xFEE0))
        elif ch == "\u3000":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _strip_artefacts(text: str) -> str:
    """Remove stray tags and pinyin glosses until none is left: removing one can join the
    pieces of another (``?/?/p>p>``, ``网(wa(wǎng)ng)``)."""
    while True:
        text, strays = _STRAY_TAGS.subn("", text)
        text, glosses = _PINYIN_GLOSS.subn("", text)
        if not (strays or glosses):
            return text


def normalise_text(text: str) -> str:
    """Simplified, half-width, artefact-free text with one space between words at most.

    Normalising normalised text changes nothing, so text stored normalised and evidence cut
    from it by the linker always agree.
    """
    # Width first: a full-width artefact (＆ｎｂｓｐ；, （ｗａｎｇ）) is the same artefact.
    text = fold_width(unicodedata.normalize("NFC", text))
    text = _strip_artefacts(text)
    text = unicodedata.normalize("NFC", text)  # a removal can bring a letter to its accent
    text = to_simplified(text)
    lines = []
    for line in text.replace("\r", "\n").split("\n"):
        line = _INLINE_SPACE.sub(" ", line).strip()
        line = _CJK_GAP.sub("", line)
        if line:
            lines.append(line)
    return "\n".join(lines)
