"""Per-site crawl statistics: the counters the spider keeps and the report built from them.

Counters live in Scrapy's stats collector under ``pw/``; ``site_report`` turns one crawler's
stats into the JSON-ready mapping the run API returns and ``record_site_stats`` stores.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PREFIX = "pw/"
#: One stats key per list page whose first page held no article link (the key ends in its URL).
LISTS_WITHOUT_LINKS = PREFIX + "lists_without_links/"


def bump(stats: Any, key: str, count: int = 1) -> None:
    if stats is not None:
        stats.inc_value(PREFIX + key, count)


def _group(values: Mapping[str, Any], head: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in values.items():
        if key.startswith(head):
            out[key[len(head):]] = int(value)
    return dict(sorted(out.items()))


def site_report(site: str, raw: Mapping[str, Any], seconds: float) -> dict[str, Any]:
    """One site's figures and health, from its crawler's stats."""
    ours = {k[len(PREFIX):]: v for k, v in raw.items() if k.startswith(PREFIX)}
    errors = _group(ours, "errors/")
    # Pages fetched but not stored (the warehouse went away) or not read (a callback failed)
    # are errors of this crawl too: reported, and the next crawl recovers the links they held.
    internal = {"storage": int(ours.get("storage_errors", 0)),
                "parse": sum(_group(ours, "errors_parse/").values())}
    errors.update({k: v for k, v in internal.items() if v})
    errors = dict(sorted(errors.items()))
    responses = int(raw.get("downloader/response_count", 0))
    requests = int(raw.get("downloader/request_count", 0))
    links = int(ours.get("links/found", 0))
    ok_pages = sum(v for k, v in ours.items() if k.startswith("ok/"))
    warnings: list[str] = []
    without_links = sorted(k[len(LISTS_WITHOUT_LINKS):] for k in raw
                           if k.startswith(LISTS_WITHOUT_LINKS))
    if ours.get("list/fetched", 0) and not links and not ours.get("list/not_modified", 0):
        warnings.append("no article links found on any list page")
    elif without_links:
        warnings.append("no article links on list page(s) " + ", ".join(without_links)
                        + " (template changed?)")
    generic = ours.get("links/path/generic", 0)
    if generic:
        warnings.append(f"{generic} list page(s) read by the generic link fallback")
    if ours.get("discovery/not_found"):
        warnings.append("the news column was not found in the homepage navigation")
    if ours.get("discovery/new_column"):
        warnings.append("the homepage navigation names a column not in the declaration")
    if ours.get("search/bad_answer"):
        warnings.append("the search API answered in an unexpected shape")
    if errors:
        warnings.append("errors: " + ", ".join(f"{k}={v}" for k, v in errors.items()))
    error_total = sum(errors.values())
    if ours.get("crashed") or (requests and not ok_pages and error_total):
        status = "failed"
    elif (error_total and error_total >= max(ok_pages, 1)) or without_links or (
            ours.get("list/fetched", 0) and not links and not ours.get("list/not_modified", 0)):
        status = "degraded"
    else:
        status = "ok"
    return {
        "site": site,
        "status": status,
        "requests": requests,
        "responses": responses,
        "new_pages": int(ours.get("new_pages", 0)),
        "errors": error_total,
        "errors_by_kind": errors,
        "bytes": int(raw.get("downloader/response_bytes", 0)),
        "seconds": round(seconds, 3),
        "retries": int(raw.get("retry/count", 0)),
        "links_found": links,
        "articles": {
            "requested": int(ours.get("articles/requested", 0)),
            "known": int(ours.get("articles/known", 0)),
            "out_of_window": int(ours.get("articles/out_of_window", 0)),
            "fetched": int(ours.get("ok/article", 0)),
        },
        "pages": _group(ours, "pages/"),
        "paths": {
            "links": _group(ours, "links/path/"),
            "pagination": _group(ours, "pagination/"),
            "extract": _group(ours, "extract/"),
            "discovery": _group(ours, "discovery/"),
            "search": _group(ours, "search/"),
            "dates": _group(ours, "dates/"),
        },
        "not_fetched": _group(ours, "skipped/"),
        "list": _group(ours, "list/"),
        "lists_without_links": without_links,
        "warnings": warnings,
    }
