"""The spider's view of the warehouse: save a fetch, ask what is known, get validators.

Crawl state lives in the warehouse (not a local file), so any worker can crawl any site and a
second run knows what the first fetched. Each call is its own short transaction: a crash loses
at most the page being written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select

from warehouse.db import session_scope
from warehouse.models import RawPage
from warehouse.raw import FetchedPage, known_urls, save_raw_page, validators_for

#: Errors that fetching again will not cure; such links are not re-requested by later runs
#: (transient ones, 5xx, timeouts, connection errors, are).
PERMANENT_ERRORS = ("http_404", "http_4xx", "not_html", "redirect_loop", "offsite_redirect",
                    "too_large")

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
