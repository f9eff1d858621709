"""The raw layer: every page exactly as fetched, plus crawl runs and per-site statistics.

Crawl state lives here rather than in a local file, so any worker can crawl any site and
the next run knows what the last one fetched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from warehouse.models import CrawlRun, RawPage, SiteRunStats, utcnow
from warehouse.upsert import upsert

#: Column names in ``site_run_stats``; everything else in a stats mapping goes to ``detail``.
_STAT_COLUMNS = ("requests", "new_pages", "errors", "bytes", "seconds", "status")


@dataclass
class FetchedPage:
    url: str
    final_url: str
    site: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: dt.datetime
    kind: str = "article"
    error: str | None = None
    crawl_run_id: int | None = field(default=None)

    @property
    def content_hash(self) -> str:
        """The fetch's key with its URL: the body's SHA-256 for a success.

        A failure's body is often empty (a timeout, a reset, a redirect), so its status and
        error kind are hashed in too: each distinct outcome of a URL is kept once (the same
        timeout twice is one fact; a timeout, then a redirect loop, two).
        """
        if self.error is None:
            return hashlib.sha256(self.body).hexdigest()
        outcome = f"{self.status} {self.error}\n".encode("ascii", "replace")
        return hashlib.sha256(outcome + self.body).hexdigest()


def save_raw_page(session: Session, page: FetchedPage) -> bool:
    """Store a fetch; the same URL with the same bytes is stored once. True if new."""
    row = {
        "url": page.url,
        "final_url": page.final_url,
        "site": page.site,
        "kind": page.kind,
        "status": page.status,
        "headers": dict(page.headers),
        "body": page.body,
        "content_hash": page.content_hash,
        "fetched_at": page.fetched_at,
        "error": page.error,
        "crawl_run_id": page.crawl_run_id,
    }
    return upsert(session, RawPage.__table__, [row], conflict=("url", "content_hash")) > 0


def known_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """The URLs among ``urls`` already fetched successfully."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        stmt = select(RawPage.url).where(RawPage.url.in_(chunk), RawPage.status == 200,
                                         RawPage.error.is_(None))
        found.update(session.scalars(stmt))
    return found


def validators_for(session: Session, url: str) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) of the latest successful fetch, for a conditional GET."""
    stmt = (select(RawPage.headers).where(RawPage.url == url, RawPage.status == 200)
            .order_by(RawPage.fetched_at.desc(), RawPage.id.desc()).limit(1))
    headers = session.scalars(stmt).first()
    if not headers:
        return None, None
    lowered = {str(k).lower(): v for k, v in headers.items()}
    return lowered.get("etag"), lowered.get("last-modified")


def start_crawl_run(session: Session, sites: list[str], since: dt.date | None,
                    until: dt.date | None) -> int:
    run = CrawlRun(sites=list(sites), since=since, until=until, status="running")
    session.add(run)
    session.flush()
    return run.id


def record_site_stats(session: Session, run_id: int, site: str,
                      stats: Mapping[str, Any]) -> None:
    """Write (or rewrite) one site's statistics for a run."""
    row: dict[str, Any] = {"crawl_run_id": run_id, "site": site, "recorded_at": utcnow()}
    detail: dict[str, Any] = {}
    for key, value in stats.items():
        if key in _STAT_COLUMNS:
            row[key] = value
        else:
            detail[key] = value
    row["detail"] = detail
    upsert(session, SiteRunStats.__table__, [row], conflict=("crawl_run_id", "site"),
           update=[c for c in row if c not in ("crawl_run_id", "site", "recorded_at")])


def finish_crawl_run(session: Session, run_id: int, status: str) -> None:
    session.execute(update(CrawlRun).where(CrawlRun.id == run_id)
                    .values(status=status, finished_at=utcnow()))


def last_site_crawl(session: Session, site: str, before_run_id: int | None = None
                    ) -> tuple[CrawlRun, SiteRunStats | None] | None:
    """The latest crawl run (before ``before_run_id``) that included ``site``, with that site's
    statistics (None when the run never recorded them: it died first). None before any."""
    stmt = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(200)
    if before_run_id is not None:
        stmt = stmt.where(CrawlRun.id < before_run_id)
    for run in session.scalars(stmt):
        if site in (run.sites or []):
            stats = session.scalars(select(SiteRunStats).where(
                SiteRunStats.crawl_run_id == run.id, SiteRunStats.site == site)).first()
            return run, stats
    return None


def unfinished_urls(session: Session, site: str, kind: str, final_errors: Iterable[str],
                    since: dt.datetime) -> list[str]:
    """URLs of ``site`` (pages of ``kind``) whose fetches failed since ``since`` and that were
    neither fetched successfully since nor failed with one of ``final_errors``."""
    final = list(final_errors)
    failed = select(RawPage.url).where(
        RawPage.site == site, RawPage.kind == kind, RawPage.error.is_not(None),
        RawPage.error.not_in(final), RawPage.fetched_at >= since).distinct()
    settled = select(RawPage.url).where(
        RawPage.site == site, RawPage.kind == kind,
        or_(and_(RawPage.status == 200, RawPage.error.is_(None)), RawPage.error.in_(final)))
    return sorted(set(session.scalars(failed)) - set(session.scalars(settled)))


def recent_fetches(session: Session, site: str, kind: str, since: dt.datetime) -> list[RawPage]:
    """The successful fetches of ``site``'s pages of ``kind`` since ``since``, oldest first."""
    return list(session.scalars(select(RawPage).where(
        RawPage.site == site, RawPage.kind == kind, RawPage.status == 200,
        RawPage.error.is_(None), RawPage.fetched_at >= since).order_by(RawPage.id)))
