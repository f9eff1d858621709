"""Keep each site's robots.txt in the raw layer (kind "robots"), and let the spider read it.

The robots.txt request is made by Scrapy's RobotsTxtMiddleware and never reaches the spider, so
it is stored here, on its way back through the downloader middlewares. A parsed copy is handed
to the spider (``spider.robots``) so that links robots.txt forbids do not count as "new" when
the spider decides whether a list has more to give.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from spiders.items import page_from_response
from spiders.stats import bump

log = logging.getLogger(__name__)


class RobotsRecordMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsRecordMiddleware:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("robots.txt is not obeyed")
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if urlsplit(request.url).path != "/robots.txt" or request.method != "GET":
            return response
        spider = self.crawler.spider
        store = getattr(spider, "store", None)
        bump(self.crawler.stats, f"robots/status_{response.status}")
        if response.status < 300 and hasattr(spider, "robots"):
            try:
                from protego import Protego

                spider.robots[urlsplit(request.url).netloc] = Protego.parse(
                    response.body.decode("utf-8", "replace"))
            except Exception:  # an unreadable robots.txt: Scrapy's own handling decides
                log.warning("could not parse %s", request.url)
        if store is not None and response.status < 300:
            try:
                if store.save(page_from_response(response, spider.name, "robots")):
                    bump(self.crawler.stats, "pages/robots/new")
            except Exception:  # never let bookkeeping break the crawl
                log.exception("could not store %s", request.url)
                bump(self.crawler.stats, "storage_errors")
        return response
