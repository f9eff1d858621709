"""A site-search API queried with the pledges' names (the TRS IRS search of linfen.gov.cn).

Searching is the cheap way to find reports on the city portal that no crawled list holds. The
queries come from the pledge registry: the first one or two aliases of every pledge, prefixed
with the county's name unless the alias already carries it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spiders.sites import SearchBlock

COUNTY = "蒲县"


@dataclass(frozen=True)
class SearchHit:
    url: str
    title: str
    time: str


@dataclass(frozen=True)
class SearchPage:
    hits: tuple[SearchHit, ...]
    page_count: int
    ok: bool  # False: the answer was not the expected JSON shape


def queries(block: SearchBlock, aliases: Iterable[list[str]]) -> list[str]:
    """Search words: per pledge its first ``aliases_per_pledge`` aliases, then the extras."""
    words: dict[str, None] = {}
    for names in aliases:
        for alias in names[: block.aliases_per_pledge]:
            alias = alias.strip()
            if alias:
                words[alias if COUNTY in alias else block.query_template.format(alias=alias)] = None
    for extra in block.extra_keywords:
        words[extra] = None
    return list(words)


def registry_aliases() -> list[list[str]]:
    """Every pledge's aliases, from the registry (an empty list if it cannot be read)."""
    try:
        from pledges import load_registry

        return [list(p.aliases) for p in load_registry().pledges]
    except Exception:  # a broken registry must not stop the list crawl; stats show 0 queries
        return []


def request_body(block: SearchBlock, word: str, page: int) -> bytes:
    body = dict(block.body)
    body[block.keyword_field] = word
    body[block.page_field] = page
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _dig(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def parse_results(raw: bytes | str, block: SearchBlock) -> SearchPage:
    try:
        data = json.loads(raw)
    except (ValueError, TypeError):
        return SearchPage((), 0, False)
    rows = _dig(data, block.results_path)
    if not isinstance(rows, list):
        return SearchPage((), 0, False)
    hits: list[SearchHit] = []
    for row in rows:
        item = _dig(row, block.item_path)
        if not isinstance(item, dict):
            continue
        url = str(item.get(block.url_field) or "").strip()
        if url:
            hits.append(SearchHit(url, str(item.get(block.title_field) or ""),
                                  str(item.get(block.time_field) or "")))
    pager = _dig(data, block.pager_path)
    try:
        count = int(pager.get(block.page_count_field) or 0) if isinstance(pager, dict) else 0
    except (TypeError, ValueError):
        count = 0
    return SearchPage(tuple(hits), count, True)
