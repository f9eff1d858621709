"""Dates an article link carries before it is fetched, and the crawl's date window.

A link's date decides whether it is fetched at all (``since``/``until``) and whether paging
goes on. Sources, best first: the date printed beside the link in a list, the date in the URL
(widened by the site's slack: a CMS file date can lag the publication date), and for sites
whose ids rise with time an estimate from the id (widened by a larger slack).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from spiders.sites import DateRules


class Window(StrEnum):
    IN = "in"
    TOO_OLD = "too_old"
    TOO_NEW = "too_new"
    UNKNOWN = "unknown"  # no date at all: fetched, the extractor dates it later


@dataclass(frozen=True)
class LinkDate:
    day: dt.date
    source: str  # "list" | "url" | "id" | "search"
    slack_days: int = 0


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _make(y: str, m: str, d: str) -> dt.date | None:
    try:
        day = dt.date(int(y), int(m), int(d))
    except ValueError:
        return None
    return day if 1990 <= day.year <= 2100 else None


def url_date(url: str, rules: DateRules) -> dt.date | None:
    for pattern in rules.url_patterns:
        match = _compiled(pattern).search(url)
        if match:
            day = _make(match["y"], match["m"], match["d"])
            if day:
                return day
    return None


def text_date(text: str, rules: DateRules) -> dt.date | None:
    """A date written beside a link (``2022-05-12``, ``2022年5月12日``...)."""
    match = _compiled(rules.list_date_regex).search(text or "")
    return _make(match["y"], match["m"], match["d"]) if match else None


def id_date(url: str, rules: DateRules) -> dt.date | None:
    """Interpolate a publication date from a rising numeric id (a rough clock)."""
    if not rules.id_regex or len(rules.id_date_anchors) < 2:
        return None
    match = _compiled(rules.id_regex).search(url)
    if not match:
        return None
    number = int(match.group(1))
    anchors = sorted(rules.id_date_anchors.items())
    if number <= anchors[0][0]:
        (i0, d0), (i1, d1) = anchors[0], anchors[1]
    elif number >= anchors[-1][0]:
        (i0, d0), (i1, d1) = anchors[-2], anchors[-1]
    else:
        (i0, d0), (i1, d1) = next(
            (a, b) for a, b in itertools.pairwise(anchors) if a[0] <= number <= b[0])
    per_id = (d1 - d0).days / max(i1 - i0, 1)
    try:
        return d0 + dt.timedelta(days=round((number - i0) * per_id))
    except OverflowError:
        return None


def link_date(url: str, context_text: str, rules: DateRules) -> LinkDate | None:
    listed = text_date(context_text, rules) if context_text else None
    if listed:
        return LinkDate(listed, "list")
    in_url = url_date(url, rules)
    if in_url:
        return LinkDate(in_url, "url", rules.url_date_slack_days)
    estimated = id_date(url, rules)
    if estimated:
        return LinkDate(estimated, "id", rules.id_date_slack_days)
    return None


def in_window(date: LinkDate | None, since: dt.date | None, until: dt.date | None) -> Window:
    if date is None:
        return Window.UNKNOWN
    slack = dt.timedelta(days=date.slack_days)
    if since and date.day + slack < since:
        return Window.TOO_OLD
    if until and date.day - slack > until:
        return Window.TOO_NEW
    return Window.IN
