"""Exponential backoff between retries (Scrapy's RetryMiddleware retries at once).

A retried request carries ``retry_times``; it waits ``base * 2**(n-1)`` seconds (capped)
before it is downloaded, so a site that answers 503 under load gets room to recover.
"""

from __future__ import annotations

import asyncio

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.asyncio import is_asyncio_available
from scrapy.utils.defer import maybe_deferred_to_future


class BackoffMiddleware:
    def __init__(self, base: float, cap: float) -> None:
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        base = crawler.settings.getfloat("PLEDGEWATCH_RETRY_BACKOFF_BASE", 2.0)
        if base <= 0 or not crawler.settings.getbool("RETRY_ENABLED", True):
            raise NotConfigured("no retry backoff")
        return cls(base, crawler.settings.getfloat("PLEDGEWATCH_RETRY_BACKOFF_MAX", 60.0))

    def delay_for(self, retries: int) -> float:
        return min(self.cap, self.base * 2 ** (retries - 1)) if retries > 0 else 0.0

    async def process_request(self, request: Request) -> None:
        delay = self.delay_for(int(request.meta.get("retry_times", 0)))
        if delay <= 0:
            return None
        if is_asyncio_available():
            await asyncio.sleep(delay)
        else:  # pragma: no cover - the default reactor is asyncio's
            from twisted.internet import reactor
            from twisted.internet.task import deferLater

            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return None
