"""One generic spider for every news site, driven by the site's declaration.

Flow: (homepage navigation ->) list pages -> article links -> articles; plus site-search
queries where a site declares an API. Every response is handed to the pipeline as the raw bytes
and headers received; every failure is recorded with its error kind. Nothing here raises out of
a callback: a page that cannot be read is counted, and the crawl goes on.

Incremental: article URLs already in the warehouse are not requested again, a list page whose
links are all known (or older than ``since``) ends that list's paging, and list pages seen
before are re-checked with a conditional GET.

Those shortcuts trust the last crawl to have seen everything. When it did not (it died, or
pages failed in a way a retry can cure), the crawl recovers: it re-reads the lists in full,
without conditional GET and paging on past known pages, and asks again directly for the
article links that failed (``WarehouseStore.unfinished_business`` and ``retry_urls``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from twisted.python.failure import Failure

from spiders import listing
from spiders.dates import LinkDate, Window, in_window, link_date, text_date
from spiders.errors import NOT_ERRORS, classify
from spiders.items import FetchedPage, page_from_failure, page_from_response
from spiders.search import parse_results, queries, registry_aliases, request_body
from spiders.sites import ListPage, SiteDeclaration
from spiders.stats import LISTS_WITHOUT_LINKS, bump, site_report
from spiders.store import WarehouseStore

log = logging.getLogger(__name__)

HTML_TYPES = (b"text/html", b"application/xhtml+xml", b"text/xml", b"application/xml")
#: How files that are not text begin (PDF, Office, archives, images), whatever their label says.
BINARY_MAGIC = (b"%PDF-", b"\xd0\xcf\x11\xe0", b"PK\x03\x04", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf",
                b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"BM", b"RIFF", b"\x00\x00\x01\x00")
UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff")


def looks_binary(body: bytes) -> bool:
    """A body that is no text page (a PDF or an image served as text/html): its first bytes
    are a file signature, or hold NUL bytes where no UTF-16/32 byte-order mark explains them."""
    head = body[:2048].lstrip()
    if head.startswith(BINARY_MAGIC):
        return True
    return b"\x00" in head and not body.startswith(UTF16_32_BOMS)


class SiteSpider(scrapy.Spider):
    """Crawl one declared site; built per site by ``spider_for``."""

    name = "pledgewatch"
    site: SiteDeclaration

    def __init__(
        self,
        site: SiteDeclaration | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        db_url: str | None = None,
        run_id: int | None = None,
        report_path: str | None = None,
        search_aliases: list[list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        site = site or type(self).site
        super().__init__(name=site.name, **kwargs)
        self.site = site
        self.since = since
        self.until = until
        self.allowed_domains = list(site.domains)
        self.store = WarehouseStore(db_url, run_id)
        self.report_path = report_path
        self.search_aliases = search_aliases
        self.started = time.monotonic()
        self.report: dict[str, Any] | None = None
        self.robots: dict[str, Any] = {}  # netloc -> parsed robots.txt (robots_record.py)
        self.recovering: str | None = None  # why the lists are re-read in full (see above)
        self._rules: Any = None
        self._extract: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        if crawler.settings.getbool("PLEDGEWATCH_EXTRACT", True):
            spider._load_extractor()
        return spider

    # -- start --------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        site = self.site
        retry = self._recovery()
        if site.discovery:
            yield self._list_request(site.discovery.page, None, 1, discovery=True)
        for page in site.list_pages:
            yield self._list_request(page.url, page, 1)
        if site.search:
            aliases = self.search_aliases if self.search_aliases is not None else (
                registry_aliases())
            words = queries(site.search, aliases)
            bump(self.crawler.stats, "search/queries", len(words))
            for word in words:
                yield self._search_request(word, 1)
        for url in retry:
            yield self._article_request(url, "retry", None)

    def _recovery(self) -> list[str]:
        """Decide whether this crawl recovers from the last one; the article URLs to retry."""
        stats = self.crawler.stats
        try:
            self.recovering = self.store.unfinished_business(self.site.name)
            retry = self.store.retry_urls(self.site.name)
        except Exception:  # the warehouse is unreachable: recover, to be safe
            log.exception("%s: could not read the last crawl's outcome", self.name)
            self.recovering, retry = "the last crawl's outcome could not be read", []
        if retry and not self.recovering:
            self.recovering = f"{len(retry)} article link(s) failed before and are retried"
        if self.recovering:
            try:
                continued = self._stored_continuations()
            except Exception:
                log.exception("%s: could not read the stored article pages", self.name)
                continued = []
            bump(stats, "recovery/continuations", len(continued))
            retry = [*retry, *(url for url, _ in continued if url not in retry)]
            bump(stats, "recovery/full_lists")
            bump(stats, "recovery/retried", len(retry))
            log.warning("%s: recovering (%s): lists re-read in full, %d failed link(s) "
                        "retried", self.name, self.recovering, len(retry))
        return retry

    # -- requests -----------------------------------------------------------------------------

    def _list_request(self, url: str, page: ListPage | None, number: int,
                      discovery: bool = False, previous: frozenset[str] = frozenset()
                      ) -> Request:
        bump(self.crawler.stats, "requests/list")
        return Request(
            url,
            callback=self.parse_discovery if discovery else self.parse_list,
            errback=self.on_error,
            priority=20 - min(number, 10),
            meta={"pw_kind": "list", "pw_list": page, "pw_page": number,
                  "pw_conditional": True, "pw_prev_links": previous,
                  "handle_httpstatus_list": [304]},
        )

    def _article_request(self, url: str, via: str, date: LinkDate | None,
                         continuation: bool = False) -> Request:
        bump(self.crawler.stats, "articles/requested")
        return Request(url, callback=self.parse_article, errback=self.on_error,
                       meta={"pw_kind": "article", "pw_via": via, "pw_date": date,
                             "pw_continuation": continuation})

    def _search_request(self, word: str, page: int) -> Request:
        block = self.site.search
        assert block is not None
        bump(self.crawler.stats, "requests/search")
        return Request(
            block.endpoint, method=block.method, body=request_body(block, word, page),
            headers={"Content-Type": "application/json;charset=UTF-8",
                     "Accept": "application/json, text/plain, */*"},
            callback=self.parse_search, errback=self.on_error, dont_filter=True,
            meta={"pw_kind": "search", "pw_word": word, "pw_page": page},
        )

    # -- callbacks ----------------------------------------------------------------------------

    def parse_discovery(self, response: Response) -> Iterable[Any]:
        """The homepage: find the news column in the navigation (its path is also declared)."""
        if response.status == 304:
            bump(self.crawler.stats, "discovery/not_modified")
            return
        rejected = self._reject(response, "list")
        if rejected:
            yield rejected
            return
        yield page_from_response(response, self.site.name, "list")
        discovery = self.site.discovery
        assert discovery is not None
        try:
            found = listing.discover_columns(response.text, response.url, discovery.selectors,
                                             discovery.link_texts)
        except Exception:
            log.exception("%s: discovery failed on %s", self.name, response.url)
            bump(self.crawler.stats, "errors_parse/discovery")
            return
        declared = {listing.normalise(p.url) for p in self.site.list_pages}
        if not found:
            bump(self.crawler.stats, "discovery/not_found")
            log.warning("%s: no column named %s in the navigation of %s", self.name,
                        "/".join(discovery.link_texts), response.url)
        for url, label in found:
            if (urlsplit(url).hostname or "") not in self.site.domains:
                continue
            if url in declared or url.removesuffix("index.html") in declared:
                bump(self.crawler.stats, "discovery/confirmed")
                continue
            bump(self.crawler.stats, "discovery/new_column")
            log.warning("%s: navigation names column %r at %s, not declared", self.name,
                        label, url)
            page = ListPage(url=url, label=label, is_county_channel=discovery.is_county_channel)
            yield self._list_request(url, page, 1)

    def parse_list(self, response: Response) -> Iterable[Any]:
        meta = response.meta
        page: ListPage | None = meta.get("pw_list")
        number: int = meta.get("pw_page", 1)
        if response.status == 304:
            bump(self.crawler.stats, "list/not_modified")
            return
        rejected = self._reject(response, "list")
        if rejected:
            yield rejected
            return
        bump(self.crawler.stats, "list/fetched")
        yield page_from_response(response, self.site.name, "list")
        try:
            yield from self._follow_list(response, page, number)
        except Exception:
            log.exception("%s: could not read list page %s", self.name, response.url)
            bump(self.crawler.stats, "errors_parse/list")

    def _follow_list(self, response: TextResponse, page: ListPage | None, number: int
                     ) -> Iterable[Any]:
        stats = self.crawler.stats
        found = listing.parse_links(response.text, response.url, self.site, page)
        bump(stats, f"links/path/{found.path.replace('+', '_')}")
        if found.generic_only and found.path == "selector":
            bump(stats, "links/missed_by_selectors", found.generic_only)
        links = found.links
        bump(stats, "links/found", len(links))
        urls = frozenset(link.url for link in links)
        if not links:
            bump(stats, "list/empty")
            if number == 1:
                # The first page of a list always has links: its template changed, or the
                # site now builds it with a script. Named in the report, never silent.
                log.warning("%s: no article links on %s", self.name, response.url)
                stats.set_value(f"{LISTS_WITHOUT_LINKS}{response.url}", 1)
            return
        if urls == meta_prev(response):
            # index_1.html repeating index.html: the site counts index_1 as page 1.
            bump(stats, "pagination/repeat_page")
            return
        candidates: dict[str, LinkDate | None] = {}
        too_old = too_new = 0
        for link in links:
            date = link_date(link.url, link.context, self.site.date_rules)
            if date:
                bump(stats, f"dates/{date.source}")
            verdict = in_window(date, self.since, self.until)
            if verdict is Window.TOO_OLD:
                too_old += 1
                bump(stats, "articles/out_of_window")
            elif verdict is Window.TOO_NEW:
                too_new += 1
                bump(stats, "articles/out_of_window")
            else:
                candidates[link.url] = date
        for url in [u for u in candidates if not self._allowed(u)]:
            # Counted here and never requested; it cannot make a list look like it has news.
            del candidates[url]
            bump(stats, "skipped/robots")
        known = self.store.known(candidates) if candidates else set()
        bump(stats, "articles/known", len(known))
        failed = self.store.permanently_failed(set(candidates) - known) if candidates else set()
        if failed:
            bump(stats, "articles/failed_before", len(failed))
        known |= failed
        via = response.url
        for url, date in candidates.items():
            if url not in known:
                yield self._article_request(url, via, date)
        new = len(candidates) - len(known)
        if new == 0 and too_new == 0 and (not self.recovering or too_old == len(links)):
            # Every link is known, failed for good, forbidden or older than the window (when
            # recovering, only a page older than the window ends the list: links the last
            # crawl never reached may be further on).
            bump(stats, "pagination/stopped_no_new")
            return
        rule = self.site.pagination_for(page) if page else self.site.pagination
        if number >= self.site.max_list_pages:
            if rule.style != "none":
                bump(stats, "pagination/max_pages")
            return
        following = listing.next_page(response.text, response.url, rule)
        bump(stats, f"pagination/{following.path}")
        if following.url and listing.normalise(following.url) != listing.normalise(response.url):
            yield self._list_request(following.url, page, number + 1, previous=urls)

    def parse_article(self, response: Response) -> Iterable[Any]:
        rejected = self._reject(response, "article")
        if rejected:
            yield rejected
            return
        yield page_from_response(response, self.site.name, "article")
        if self._extract is not None:
            self._count_extraction(response)
        try:
            yield from self._continuations(response)
        except Exception:
            log.exception("%s: could not read links of %s", self.name, response.url)
            bump(self.crawler.stats, "errors_parse/article")

    def parse_search(self, response: Response) -> Iterable[Any]:
        block = self.site.search
        assert block is not None
        stats = self.crawler.stats
        bump(stats, "ok/search")
        yield page_from_response(response, self.site.name, "search")
        result = parse_results(response.body, block)
        if not result.ok:
            bump(stats, "search/bad_answer")
            return
        bump(stats, "search/hits", len(result.hits))
        candidates: dict[str, LinkDate | None] = {}
        for hit in result.hits:
            url = listing.normalise(response.urljoin(hit.url))
            if (urlsplit(url).hostname or "") not in self.site.domains:
                bump(stats, "search/offsite_dropped")
                continue
            if not self.site.article_pattern.match(url):
                bump(stats, "search/not_article")
                continue
            day = text_date(hit.time, self.site.date_rules)
            date = LinkDate(day, "search") if day else link_date(url, "", self.site.date_rules)
            if in_window(date, self.since, self.until) in (Window.TOO_OLD, Window.TOO_NEW):
                bump(stats, "articles/out_of_window")
                continue
            candidates[url] = date
        known = self.store.known(candidates) if candidates else set()
        bump(stats, "articles/known", len(known))
        for url, date in candidates.items():
            if url not in known:
                bump(stats, "search/new_articles")
                yield self._article_request(url, f"search:{response.meta['pw_word']}", date)
        number = int(response.meta.get("pw_page", 1))
        if number < min(result.page_count, block.max_pages):
            yield self._search_request(response.meta["pw_word"], number + 1)

    # -- errors -------------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterable[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kind, response = classify(failure)
        page_kind = request.meta.get("pw_kind", "article")
        stats = self.crawler.stats
        if kind in NOT_ERRORS:
            bump(stats, f"skipped/{kind}")
            return
        if (page_kind == "list" and kind == "http_404" and request.meta.get("pw_page", 1) > 1):
            # A guessed next page that does not exist: the list simply ended.
            bump(stats, "pagination/end_404")
            return
        bump(stats, f"errors/{kind}")
        log.info("%s: %s %s (%s)", self.name, kind, request.url, failure.getErrorMessage())
        # Recorded under the URL the crawl asked for, not an intermediate redirect hop.
        asked = (request.meta.get("redirect_urls") or [request.url])[0]
        if response is not None:
            yield page_from_response(response, self.site.name, page_kind, error=kind,
                                     requested_url=asked)
        else:
            yield page_from_failure(asked, self.site.name, page_kind, kind)

    def _allowed(self, url: str) -> bool:
        parser = self.robots.get(urlsplit(url).netloc)
        if parser is None:
            return True
        agent = self.crawler.settings.get("ROBOTSTXT_USER_AGENT") or self.crawler.settings.get(
            "USER_AGENT", "")
        return bool(parser.can_fetch(url, agent))

    def _reject(self, response: Response, kind: str) -> FetchedPage | None:
        """None for a usable HTML answer; else the page recorded as not_html or empty."""
        stats = self.crawler.stats
        error = None
        content_type = response.headers.get(b"Content-Type", b"").split(b";")[0].strip().lower()
        if not response.body.strip():
            error = "empty"
        elif not isinstance(response, TextResponse) or (
                content_type and content_type not in HTML_TYPES) or looks_binary(response.body):
            error = "not_html"
        if error is None:
            bump(stats, f"ok/{kind}")
            return None
        bump(stats, f"errors/{error}")
        return page_from_response(response, self.site.name, kind, error=error)

    # -- articles -----------------------------------------------------------------------------

    def _continuations(self, response: TextResponse) -> Iterable[Request]:
        """Later pages of a multi-page article (``content_123_2.htm``), when linked, and its
        first page when this is a later page reached without it."""
        wanted = continuation_urls(response, self.site)
        first = first_page_url(response, self.site)
        if first is not None and response.meta.get("pw_via") == first:
            first = None  # reached from page 1: it was fetched (or tried) this crawl
        if first is not None:
            wanted = [first, *(url for url in wanted if url != first)]
        if not wanted:
            return
        known = self.store.known(wanted) | self.store.permanently_failed(wanted)
        for url in wanted:
            if url not in known:
                bump(self.crawler.stats, "articles/first_pages" if url == first
                     else "articles/continuations")
                yield self._article_request(url, response.url, response.meta.get("pw_date"),
                                            continuation=url != first)

    def _stored_continuations(self) -> list[tuple[str, str]]:
        """(continuation URL, page linking it) for later pages linked from article pages
        stored lately but never fetched themselves: a crawl that died between the two left
        them behind, and page 1, known now, will not be fetched again to name them."""
        found: dict[str, str] = {}
        for url, headers, body in self.store.recent_articles(self.site.name):
            try:
                page = HtmlResponse(url, body=body, headers=headers)
                for later in continuation_urls(page, self.site):
                    found.setdefault(later, url)
            except Exception:  # a page that cannot be read names no continuation
                log.debug("%s: could not read stored %s", self.name, url, exc_info=True)
        if not found:
            return []
        settled = self.store.known(found) | self.store.permanently_failed(found)
        return [(url, via) for url, via in found.items() if url not in settled]

    def _load_extractor(self) -> None:
        try:
            from transforms.extract import extract_article
        except ImportError:
            return
        self._extract = extract_article
        try:
            self._rules = self.site.extraction_rules()
        except Exception:
            log.exception("%s: extraction rules rejected", self.name)
            self._rules = None

    def _count_extraction(self, response: TextResponse) -> None:
        """Which path each field came from (site rules, meta, URL, generic): a drift signal."""
        stats = self.crawler.stats
        try:
            article = self._extract(response.text, response.url, self._rules)
        except Exception:
            bump(stats, "extract/failed")
            return
        for field in ("title", "published", "body"):
            bump(stats, f"extract/{field}_{article.methods.get(field, 'none')}")
        if not article.paragraphs:
            bump(stats, "extract/no_body")

    # -- the end ------------------------------------------------------------------------------

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        if spider is not self:
            return
        stats = self.crawler.stats.get_stats()
        self.report = site_report(self.name, stats, time.monotonic() - self.started)
        self.report["finish_reason"] = reason
        if self.recovering:
            retried = int(stats.get("pw/recovery/retried", 0))
            self.report["recovery"] = {"reason": self.recovering, "retried": retried}
            self.report["warnings"].insert(0, f"recovered from the last crawl ({self.recovering})"
                                              f": lists re-read in full, {retried} link(s) retried")
        if self.report_path:
            import json
            from pathlib import Path

            Path(self.report_path).write_text(json.dumps(self.report, ensure_ascii=False,
                                                         indent=1), encoding="utf-8")


def continuation_urls(response: TextResponse, site: SiteDeclaration) -> list[str]:
    """The later pages of a multi-page article that its page links to, in link order.

    Later pages are named by the site's declared continuation rule (``site.page_of``), the
    same rule processing uses to join them into page 1's article.
    """
    first, _ = site.page_of(response.url)
    wanted = []
    for href in response.css("a::attr(href)").getall():
        url = listing.normalise(response.urljoin(href))
        if url == response.url or not listing.is_article(url, site):
            continue
        of, number = site.page_of(url)
        if number > 1 and of == first:
            wanted.append(url)
    return list(dict.fromkeys(wanted))


def first_page_url(response: TextResponse, site: SiteDeclaration) -> str | None:
    """Page 1 of the article when ``response`` is one of its later pages (else None).

    A later page can be reached without its first (a search hit, a link from another story,
    page 1 failing on the night): page 1 carries the headline, date and usually the county's
    name, and the article is keyed by its URL, so it is asked for too.
    """
    first, number = site.page_of(response.url)
    if number == 1 or not listing.is_article(first, site):
        return None
    return first


def meta_prev(response: Response) -> frozenset[str]:
    return response.meta.get("pw_prev_links") or frozenset()


def spider_for(site: SiteDeclaration, settings: dict[str, Any]) -> type[SiteSpider]:
    """A spider class for one site, carrying the site's settings (Scrapy's custom_settings)."""
    return type(f"{site.name.title().replace('_', '')}Spider", (SiteSpider,),
                {"name": site.name, "site": site, "custom_settings": settings})
