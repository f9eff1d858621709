"""Refuse redirects that leave the site or go round in a circle, and say which it was.

Scrapy's RedirectMiddleware would hand an off-site target to the offsite filter (dropped
quietly) and lets the dupefilter swallow a loop (A -> B -> A); both are site-health facts worth
recording, so this middleware, sitting just before it, turns them into ``PageError``s.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from w3lib.url import safe_url_string

from spiders.errors import PageError


class RedirectGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        if not crawler.settings.getbool("REDIRECT_ENABLED", True):
            raise NotConfigured("redirects are off")
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        # Judge the target as Scrapy's RedirectMiddleware will request it (w3lib's cleaning,
        # then urljoin), not as urllib alone reads it: for "http://evil\\@site/" urllib sees
        # the site as host while the request would go to "evil".
        target = urljoin(request.url, safe_url_string(response.headers[b"Location"]))
        host = (urlsplit(target).hostname or "").lower()
        allowed = getattr(self.crawler.spider, "allowed_domains", None) or []
        if allowed and not any(host == d or host.endswith("." + d) for d in allowed):
            raise PageError("offsite_redirect", response, f"{request.url} -> {target}")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target.split("#", 1)[0] in chain:
            raise PageError("redirect_loop", response, " -> ".join([*chain, target]))
        return response
