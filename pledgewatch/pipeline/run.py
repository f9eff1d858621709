"""One nightly run: crawl, process, deliver; the same steps the DAG runs one by one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from alerts.deliver import DeliveryReport, deliver_pending
from pledgewatch.pipeline.pledges import sync_pledges
from pledgewatch.pipeline.process import ProcessReport, process_pages
from pledgewatch.settings import Settings
from warehouse.migrate import upgrade


@dataclass
class RunReport:
    crawl: Any = None
    process: ProcessReport = field(default_factory=ProcessReport)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.crawl is not None:
            out.extend(crawl_lines(self.crawl))
        p = self.process
        out.append(f"processed {p.pages} pages: {p.new_articles} new articles, "
                   f"{p.duplicates} syndicated copies, {p.extraction_failures} extraction "
                   f"failures")
        out.append(f"mentions: {p.new_mentions} new, {p.stage_changes} stage changes, "
                   f"{p.alerts_queued} alerts queued")
        d = self.delivery
        out.append(f"alerts: {d.sent} sent, {d.failed} failed")
        out.extend(f"  error: {e}" for e in [*p.errors[:20], *d.errors[:20]])
        return out


def crawl_lines(report: Any) -> list[str]:
    """Per-site crawl figures, whatever shape the crawl report has."""
    sites = getattr(report, "sites", None) or {}
    out = []
    for name, stats in sites.items():
        stats = stats if isinstance(stats, dict) else vars(stats)
        errors = {k: v for k, v in stats.items() if k.startswith(("http_", "error")) and v}
        out.append(f"crawl {name}: {stats.get('requests', 0)} requests, "
                   f"{stats.get('new_pages', 0)} new pages, status {stats.get('status', '?')}"
                   + (f", errors {errors}" if errors else ""))
    return out


def crawl_sites(settings: Settings, sites: list[str] | None, since: dt.date | None,
                until: dt.date | None, overrides: dict[str, Any] | None = None) -> Any:
    from spiders.run import crawl

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
    report.delivery = deliver_pending(settings)
    return report
