"""The nightly run cut into the steps the DAG schedules one by one.

Each step reads its settings when it runs (never at import), works on the data interval it is
given (never on "now"), keeps its data in the warehouse and returns only a small summary.
``pledgewatch run`` calls the same steps in one process.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from alerts.deliver import deliver_pending
from pledgewatch.pipeline.pledges import sync_pledges
from pledgewatch.pipeline.process import process_pages
from pledgewatch.pipeline.run import check_site_health, crawl_sites
from pledgewatch.settings import get_settings
from spiders.sites import load_sites
from warehouse.migrate import upgrade

#: A night's crawl also looks this far behind its interval, for stories indexed late.
LOOKBACK = dt.timedelta(days=3)


def crawl_window(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The publication dates a run over [start, end) crawls for."""
    return (start - LOOKBACK).date(), end.date()


def prepare() -> list[str]:
    """Migrate the warehouse, load the registry; returns the sites to crawl."""
    settings = get_settings()
    upgrade(settings.warehouse_url)
    sync_pledges(settings)
    return sorted(load_sites())


def crawl_site(site: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Crawl one site; raises when the site failed, so the scheduler retries it alone."""
    since, until = crawl_window(start, end)
    report = crawl_sites(get_settings(), [site], since, until)
    stats = report.sites.get(site)
    summary = {"site": site, "status": getattr(stats, "status", "failed"),
               "requests": getattr(stats, "requests", 0),
               "new_pages": getattr(stats, "new_pages", 0),
               "errors": getattr(stats, "errors_by_kind", {})}
    if summary["status"] == "failed":
        raise RuntimeError(f"crawl of {site} failed: {summary['errors'] or report.log_tail[-500:]}")
    return summary


def process() -> dict[str, Any]:
    """Extract, dedupe, link and load whatever the crawls stored."""
    report = process_pages(get_settings())
    return {"pages": report.pages, "new_articles": report.new_articles,
            "new_mentions": report.new_mentions, "stage_changes": report.stage_changes,
            "alerts_queued": report.alerts_queued, "errors": report.errors[:20]}


def deliver(end: dt.datetime) -> dict[str, Any]:
    """Queue the day's site-health alerts, then send every pending alert.

    Failures, and what the robots' rate limits leave over, stay queued for the next run.
    """
    settings = get_settings()
    health = check_site_health(settings, end.date())
    report = deliver_pending(settings)
    return {"site_health_alerts": health, "sent": report.sent, "failed": report.failed,
            "deferred": report.deferred, "waited": round(report.waited, 1),
            "errors": report.errors[:20]}
