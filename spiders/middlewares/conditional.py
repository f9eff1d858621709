"""Conditional GET for list pages re-checked on a later run.

A list page fetched before is asked for with the validators of its latest stored copy
(``If-None-Match``/``If-Modified-Since``); a 304 tells the spider the list has not changed, so
it stops there without downloading the page or paging on. Not while the spider recovers from
a crawl that did not finish: the list may hold links that crawl never reached.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request

from spiders.stats import bump


class ConditionalGetMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        if not crawler.settings.getbool("PLEDGEWATCH_CONDITIONAL_GET", True):
            raise NotConfigured("PLEDGEWATCH_CONDITIONAL_GET is off")
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.meta.get("pw_kind") != "list" or not request.meta.get("pw_conditional"):
            return None
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return None
        spider = self.crawler.spider
        store = getattr(spider, "store", None)
        if store is None or getattr(spider, "recovering", None):
            return None
        etag, last_modified = store.validators(request.url)
        if etag:
            request.headers[b"If-None-Match"] = etag
        if last_modified:
            request.headers[b"If-Modified-Since"] = last_modified
        if etag or last_modified:
            bump(self.crawler.stats, "list/conditional")
        return None
