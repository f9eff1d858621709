"""The spider's view of the warehouse: save a fetch, ask what is known, get validators.

Crawl state lives in the warehouse (not a local file), so any worker can crawl any site and a
second run knows what the first fetched. Each call is its own short transaction: a crash loses
at most the page being written.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy import select

from warehouse.db import session_scope
from warehouse.models import RawPage, utcnow
from warehouse.raw import (
    FetchedPage,
    known_urls,
    last_site_crawl,
    recent_fetches,
    save_raw_page,
    unfinished_urls,
    validators_for,
)

#: Errors that fetching again will not cure; such links are not re-requested by later runs
#: (transient ones, 5xx, timeouts, connection errors, empty answers, are: see ``retry_urls``).
PERMANENT_ERRORS = ("http_404", "http_4xx", "not_html", "redirect_loop", "offsite_redirect",
                    "too_large")

#: How long a link that failed transiently is retried directly, night after night.
RETRY_DAYS = 7

log = logging.getLogger(__name__)


class WarehouseStore:
    def __init__(self, db_url: str | None, run_id: int | None = None) -> None:
        self.db_url = db_url
        self.run_id = run_id

    def save(self, page: FetchedPage) -> bool:
        """Store one fetch; True when it is new (a changed or first-seen page)."""
        if page.crawl_run_id is None:
            page.crawl_run_id = self.run_id
        with session_scope(self.db_url) as session:
            return save_raw_page(session, page)

    def known(self, urls: Iterable[str]) -> set[str]:
        wanted = list(urls)
        if not wanted:
            return set()
        with session_scope(self.db_url) as session:
            return known_urls(session, wanted)

    def permanently_failed(self, urls: Iterable[str]) -> set[str]:
        """URLs whose last recorded fetches failed for good (see ``PERMANENT_ERRORS``)."""
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        if not wanted:
            return found
        with session_scope(self.db_url) as session:
            for start in range(0, len(wanted), 500):
                stmt = select(RawPage.url).where(RawPage.url.in_(wanted[start:start + 500]),
                                                 RawPage.error.in_(PERMANENT_ERRORS))
                found.update(session.scalars(stmt))
        return found

    def validators(self, url: str) -> tuple[str | None, str | None]:
        with session_scope(self.db_url) as session:
            return validators_for(session, url)

    def unfinished_business(self, site: str) -> str | None:
        """Why the last crawl of ``site`` may have missed pages (None: it saw everything).

        A crawl that died, or whose pages failed in a way a later fetch can cure, leaves
        links behind that the shortcuts of an incremental crawl (a list answering 304, paging
        that stops at a page of known links) would never lead back to.
        """
        with session_scope(self.db_url) as session:
            last = last_site_crawl(session, site, self.run_id)
        if last is None:
            return None
        run, stats = last
        if stats is None:
            return f"crawl run {run.id} ended before {site} reported (status {run.status})"
        if stats.status != "ok":
            return f"crawl run {run.id} was {stats.status}"
        kinds = (stats.detail or {}).get("errors_by_kind") or {}
        transient = {k: v for k, v in kinds.items() if k not in PERMANENT_ERRORS and v}
        if transient:
            listed = ", ".join(f"{k}={v}" for k, v in sorted(transient.items()))
            return f"crawl run {run.id} had errors a retry can cure ({listed})"
        return None

    def recent_articles(self, site: str) -> list[tuple[str, dict[str, str], bytes]]:
        """(final URL, headers, body) of the article pages of ``site`` stored in the last
        ``RETRY_DAYS`` days."""
        since = utcnow() - dt.timedelta(days=RETRY_DAYS)
        with session_scope(self.db_url) as session:
            return [(p.final_url or p.url, dict(p.headers or {}), p.body)
                    for p in recent_fetches(session, site, "article", since)]

    def retry_urls(self, site: str) -> list[str]:
        """Article URLs of ``site`` that failed transiently in the last ``RETRY_DAYS`` days and
        were not fetched since: they are requested again directly."""
        since = utcnow() - dt.timedelta(days=RETRY_DAYS)
        with session_scope(self.db_url) as session:
            return unfinished_urls(session, site, "article", PERMANENT_ERRORS, since)
