"""Dates as Linfen pages and URLs write them.

Pages say `2022年3月5日`, `2022-03-05 10:00:00`, `时间:2026-01-13 17:37:51`, sometimes with
full-width digits or Chinese numerals (二〇二二年三月五日) in government documents. A date without
a zone is Beijing time, so every datetime returned here is timezone-aware (Asia/Shanghai unless
the text states an offset). Nothing here raises on odd input: a page is untrusted data.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

MIN_YEAR = 1900
MAX_YEAR = 2100
# Longer texts are cut: a date worth finding sits near the start of what the caller hands over.
_MAX_TEXT = 20_000

_TIME = (
    r"(?:\s*(?:T|\s|,|，)?\s*(?P<ampm>上午|下午|晚上|晚间|凌晨|早上|中午)?\s*"
    r"(?P<H>\d{1,2})\s*(?::|时|點|点)\s*(?P<M>\d{1,2})\s*分?"
    r"(?:\s*(?::|分)?\s*(?P<S>\d{1,2})(?:\.\d{1,9})?\s*秒?)?"
    r"(?:\s*(?P<tz>Z|[+-]\d{2}:?\d{2}(?!\d)|(?:GMT|UTC)\s*[+-]\s*\d{1,2}(?::?\d{2})?))?)?"
)

_NUMERIC = re.compile(
    r"(?<![\d.])(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?!\d)"
    + _TIME
)
_CJK = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]?" + _TIME
)
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
_CN_NUMERAL = re.compile(
    r"(?P<y>[〇零○Ｏ一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*[日号]"
)
_RFC2822 = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s+\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+"
    r"\d{1,2}:\d{2}(?::\d{2})?\s+(?:[+-]\d{4}|GMT|UT|UTC)"
)


def _cn_number(text: str) -> int | None:
    """一..三十一 as written in dates; None when it is not a well-formed day or month number."""
    if "十" not in text:
        return _CN_DIGITS.get(text)
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    tens_value = _CN_DIGITS.get(tens, -1) if tens else 1
    units_value = _CN_DIGITS.get(units, -1) if units else 0
    if tens_value < 0 or units_value < 0:
        return None
    return tens_value * 10 + units_value


def _zone(tz: str | None) -> timezone | ZoneInfo:
    if not tz:
        return SHANGHAI
    if tz == "Z":
        return UTC
    sign = -1 if "-" in tz else 1
    digits = re.sub(r"[^\d]", "", tz)
    if tz.startswith(("GMT", "UTC")):
        hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (
            int(digits), 0)
    else:
        hours, minutes = int(digits[:2]), int(digits[2:4])
    if hours > 14 or minutes > 59:
        return SHANGHAI
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(year: int, month: int, day: int, match: re.Match[str] | None) -> datetime | None:
    if not (MIN_YEAR <= year <= MAX_YEAR):
        return None
    try:
        day_value = date(year, month, day)
    except ValueError:
        return None
    hour = minute = second = 0
    zone: timezone | ZoneInfo = SHANGHAI
    if match is not None and match.group("H") is not None:
        h, mi = int(match.group("H")), int(match.group("M"))
        s = int(match.group("S")) if match.group("S") else 0
        ampm = match.group("ampm")
        if ampm in ("下午", "晚上", "晚间") and h < 12:
            h += 12
        if h < 24 and mi < 60 and s < 60:
            hour, minute, second = h, mi, s
            zone = _zone(match.group("tz"))
    return datetime(day_value.year, day_value.month, day_value.day, hour, minute, second,
                    tzinfo=zone)


def _normalise(text: str) -> str:
    # NFKC turns full-width digits and colons (２０２２年３月５日 １０：００) into ASCII.
    return unicodedata.normalize("NFKC", text[:_MAX_TEXT])


def _candidates(text: str) -> list[tuple[int, datetime]]:
    found: list[tuple[int, datetime]] = []
    for pattern in (_CJK, _NUMERIC):
        for match in pattern.finditer(text):
            value = _build(int(match["y"]), int(match["m"]), int(match["d"]), match)
            if value is not None:
                found.append((match.start(), value))
                break
    for match in _CN_NUMERAL.finditer(text):
        year_digits = [_CN_DIGITS.get(c, 0) for c in match["y"]]
        month, day = _cn_number(match["m"]), _cn_number(match["d"])
        if month is None or day is None:
            continue
        year = int("".join(str(d) for d in year_digits))
        value = _build(year, month, day, None)
        if value is not None:
            found.append((match.start(), value))
            break
    return found


def parse_chinese_datetime(text: str) -> datetime | None:
    """The first date (with its time when given) written in `text`, timezone-aware.

    Accepts `2022年3月5日`, `2022年03月05日 10:00`, `2022-03-05 10:00:00`, `2022/3/5`,
    `2022.03.05`, ISO 8601 with offset, RFC 2822 (HTTP and RSS dates), full-width digits and
    Chinese numerals. Returns None when there is no valid date; never raises.
    """
    if not isinstance(text, str) or not text:
        return None
    try:
        norm = _normalise(text)
        found = _candidates(norm)
        if found:
            return min(found, key=lambda item: item[0])[1]
        match = _RFC2822.search(norm)
        if match:
            value = parsedate_to_datetime(match.group(0))
            if MIN_YEAR <= value.year <= MAX_YEAR:
                return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    except (ValueError, TypeError, OverflowError, IndexError):
        return None
    return None


def find_datetimes(text: str) -> list[tuple[int, datetime]]:
    """Every date in `text` with its offset, in order (the extractor weighs them by context)."""
    if not text:
        return []
    norm = _normalise(text)
    found: list[tuple[int, datetime]] = []
    try:
        for pattern in (_CJK, _NUMERIC):
            for match in pattern.finditer(norm):
                value = _build(int(match["y"]), int(match["m"]), int(match["d"]), match)
                if value is not None:
                    found.append((match.start(), value))
    except (ValueError, OverflowError):
        return found
    found.sort(key=lambda item: item[0])
    return found


_URL_DATES = (
    # TRS WCM: /202208/t20220809_13377.html
    re.compile(r"(?<![A-Za-z0-9])t(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})_\d+"),
    # sxgov and xinhuanet: /content/2025-03/14/content_1.htm
    re.compile(r"/(?P<y>\d{4})-(?P<m>\d{2})/(?P<d>\d{2})/"),
    # sxrb: /content/202601/13/c85472.html
    re.compile(r"/(?P<y>\d{4})(?P<m>\d{2})/(?P<d>\d{2})/"),
    # common elsewhere: /2022-03-05/, /2022/03/05/, /2024/0424/, /20050311/
    re.compile(r"/(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>\d{4})/(?P<m>\d{2})(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})/"),
)
_URL_MIN_YEAR = 1990


def date_from_url(url: str) -> date | None:
    """The publication day a URL path encodes, or None.

    Shapes: `tYYYYMMDD_`, `/YYYY-MM/DD/`, `/YYYYMM/DD/`, `/YYYYMM/tYYYYMMDD_`, plus the common
    `/YYYY-MM-DD/`, `/YYYY/MM/DD/`, `/YYYY/MMDD/`, `/YYYYMMDD/`. Only the path is read.
    """
    if not isinstance(url, str) or not url:
        return None
    try:
        path = urlsplit(url[:4096]).path
    except ValueError:
        return None
    for pattern in _URL_DATES:
        for match in pattern.finditer(path):
            year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
            if not (_URL_MIN_YEAR <= year <= MAX_YEAR):
                continue
            try:
                return date(year, month, day)
            except ValueError:
                continue
    return None


def at_midnight(day: date) -> datetime:
    """A URL day as a datetime in Beijing time (the URL says nothing about the hour)."""
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
