"""One nightly run: crawl, process, deliver; the same steps the DAG runs one by one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from alerts.deliver import DeliveryReport, deliver_pending
from alerts.site_health import newest_crawl_day, queue_site_health_alerts
from pledgewatch.pipeline.pledges import sync_pledges
from pledgewatch.pipeline.process import ProcessReport, process_pages
from pledgewatch.settings import Settings
from warehouse.db import session_scope
from warehouse.migrate import upgrade


@dataclass
class RunReport:
    crawl: Any = None
    process: ProcessReport = field(default_factory=ProcessReport)
    site_health_alerts: int = 0
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    def lines(self) -> list[str]:
        out = crawl_lines(self.crawl) if self.crawl is not None else []
        out.extend(process_lines(self.process))
        if self.site_health_alerts:
            out.append(f"site health: {self.site_health_alerts} alerts queued")
        out.append(self.delivery.line())
        out.extend(f"  error: {e}" for e in self.delivery.errors[:20])
        return out


def process_lines(p: ProcessReport) -> list[str]:
    return [f"processed {p.pages} pages: {p.new_articles} new articles, {p.duplicates} "
            f"syndicated copies, {p.extraction_failures} extraction failures",
            f"mentions: {p.new_mentions} new, {p.stage_changes} stage changes, "
            f"{p.alerts_queued} alerts queued",
            *(f"  error: {e}" for e in p.errors[:20])]


def crawl_lines(report: Any) -> list[str]:
    """The crawl's per-site table (requests, new pages, errors by kind, time)."""
    return report.summary().splitlines()


def crawl_sites(settings: Settings, sites: list[str] | None, since: dt.date | None,
                until: dt.date | None, overrides: dict[str, Any] | None = None) -> Any:
    from spiders.run import crawl

    if overrides is None and settings.download_delay is not None:
        overrides = {"DOWNLOAD_DELAY": settings.download_delay,
                     "AUTOTHROTTLE_ENABLED": settings.download_delay > 0}
    return crawl(sites, since, until, db_url=settings.warehouse_url,
                 settings_overrides=overrides)


def run_pipeline(settings: Settings, sites: list[str] | None = None,
                 since: dt.date | None = None, until: dt.date | None = None,
                 reprocess: bool = False, fetch: bool = True,
                 crawl_overrides: dict[str, Any] | None = None) -> RunReport:
    """Crawl (unless ``fetch`` is off), process, and deliver alerts. Safe to re-run."""
    upgrade(settings.warehouse_url)
    sync_pledges(settings)
    report = RunReport()
    if fetch and not reprocess:
        report.crawl = crawl_sites(settings, sites, since, until, crawl_overrides)
    report.process = process_pages(settings, reprocess=reprocess)
    report.site_health_alerts = check_site_health(settings, until)
    report.delivery = deliver_pending(settings)
    return report


def check_site_health(settings: Settings, day: dt.date | None = None) -> int:
    """Queue site-health alerts for ``day`` (the run's data interval end), else for the day of
    the newest crawl; nothing before the first crawl. Returns the outbox rows queued."""
    with session_scope(settings.warehouse_url) as session:
        today = day or newest_crawl_day(session)
        if today is None:
            return 0
        return queue_site_health_alerts(session, settings, today)
