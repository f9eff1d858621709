"""Bytes to text for pages whose declared charset is often missing or wrong.

Linfen's sites and the Chinese web of their era serve GB2312/GBK pages, sometimes labelled
utf-8, sometimes re-saved as UTF-8 under a stale `charset=gb2312`. GB2312 and GBK are decoded as
GB18030 (a superset: characters outside GB2312, like 喆 or 镕, come through instead of U+FFFD).
A declaration is only believed when the bytes decode under it without error.
"""

from __future__ import annotations

import codecs
import re

# Labels mapped to the codec that really decodes what is served under them (WHATWG's view:
# gb2312 and gbk are gb18030 on the web, latin-1 and ascii are windows-1252).
_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf8": "utf-8",
    "unicode": "utf-16",
}
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Where a page declares its charset; long old heads put the meta tag late, so look further
# than the 1024 bytes browsers pre-scan.
_PRESCAN = 16_384


def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when Python has no such codec."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return _ALIASES.get(codec, codec)


def declared_charsets(raw: bytes, content_type: str | None = None) -> list[str]:
    """Codecs the response claims, strongest first: HTTP header, then <meta>, then <?xml?>."""
    found: list[str] = []
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        if match:
            found.append(match.group(1))
    head = raw[:_PRESCAN]
    match = _META_CHARSET.search(head)
    if match:
        found.append(match.group(1).decode("ascii", "ignore"))
    match = _XML_ENCODING.search(head)
    if match:
        found.append(match.group(1).decode("ascii", "ignore"))
    codecs_found: list[str] = []
    for label in found:
        codec = normalise_charset(label)
        if codec and codec not in codecs_found:
            codecs_found.append(codec)
    return codecs_found


def _strict(raw: bytes, codec: str) -> str | None:
    """Decode without replacement; a character cut off at the very end (a truncated download,
    a size cap) is dropped rather than failing the codec."""
    try:
        return raw.decode(codec)
    except LookupError:
        return None
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and exc.start > 0:
            try:
                return raw[:exc.start].decode(codec)
            except UnicodeDecodeError:
                return None
        return None


def decode_html(raw: bytes, content_type: str | None = None) -> str:
    """Decode a fetched page; never raises.

    Order: a byte-order mark (unambiguous, so it wins), then the charset of the Content-Type
    header, then `<meta charset>` / `<meta http-equiv>`, then UTF-8, then GB18030; each is used
    only if the bytes decode under it strictly. A declared legacy charset yields to UTF-8 when
    the bytes are valid UTF-8 with non-ASCII content (pages re-saved as UTF-8 keep their old
    `charset=gb2312`; GB text is practically never valid UTF-8). Last resort: the first
    candidate with errors="replace".
    """
    if isinstance(raw, str):
        return raw
    if not raw:
        return ""
    raw = bytes(raw)
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            text = _strict(raw, codec)
            if text is not None:
                return text.lstrip("\ufeff")
            break
    declared = declared_charsets(raw, content_type)
    utf8 = _strict(raw, "utf-8")
    if utf8 is not None and not raw.isascii():
        # Valid UTF-8 with multi-byte sequences beats any single- or double-byte declaration;
        # a UTF-16/32 declaration without a BOM is the one case still worth trying first.
        wide = next((c for c in declared if c.startswith("utf-16") or c.startswith("utf-32")),
                    None)
        if wide:
            text = _strict(raw, wide)
            if text is not None and "\x00" not in text:
                return text
        return utf8
    for codec in declared:
        text = _strict(raw, codec)
        if text is not None:
            if codec == "cp1252" and not raw.isascii():
                # Old Chinese pages often declare iso-8859-1 over GB bytes.
                gb = _strict(raw, "gb18030")
                if gb is not None and _mostly_han(gb):
                    return gb
            return text
    if utf8 is not None:
        return utf8
    text = _strict(raw, "gb18030")
    if text is not None:
        return text
    return _least_damaged(raw, declared)


def _least_damaged(raw: bytes, declared: list[str]) -> str:
    """Broken bytes (a truncated GB sequence, a bad proxy): the decoding with fewest U+FFFD."""
    best: tuple[int, int, str] | None = None
    for rank, codec in enumerate([*declared, "gb18030", "utf-8"]):
        try:
            text = raw.decode(codec, errors="replace")
        except LookupError:
            continue
        if codec == "cp1252" and _mostly_han(raw[:4 * _SAMPLE].decode("gb18030", "replace")):
            continue
        key = (text.count("\ufffd"), rank, text)
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best else raw.decode("utf-8", errors="replace")


# Enough of a page to tell its script; reading all of a 20 MB page here took seconds.
_SAMPLE = 100_000


def _mostly_han(text: str) -> bool:
    """True when most non-ASCII characters of a decoded page are common CJK ideographs."""
    non_ascii = [c for c in text[:_SAMPLE] if ord(c) > 127]
    if len(non_ascii) < 10:
        return False
    han = sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
              or "\uff00" <= c <= "\uffef")
    return han / len(non_ascii) > 0.8
