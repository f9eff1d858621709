"""The one pipeline: write every fetched page to the warehouse's raw layer."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from spiders.items import FetchedPage
from spiders.stats import bump

log = logging.getLogger(__name__)


class RawPagePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawPagePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        stats = self.crawler.stats
        store = getattr(self.crawler.spider, "store", None)
        if store is None:
            return item
        try:
            new = store.save(item)
        except Exception:  # a storage error is counted and logged; the crawl goes on
            log.exception("could not store %s", item.url)
            bump(stats, "storage_errors")
            return item
        if new:
            bump(stats, f"pages/{item.kind}/new")
            if item.error is None:
                bump(stats, "new_pages")
        else:
            bump(stats, f"pages/{item.kind}/unchanged")
        return item
