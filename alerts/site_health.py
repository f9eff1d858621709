"""Site-health alerts: a site that went quiet, whose last crawl failed, or that stopped extracting.

Read from ``v_site_health`` after processing, so the figures include tonight's articles. The
alert key is site + problem + day: a problem still there tomorrow is reported again tomorrow,
and re-running the same day queues nothing new. The day is always passed in (the run's data
interval, else the newest crawl's date): the same warehouse gives the same alerts whenever the
check runs, and a backfill does not report today's state under an old day by accident.

"No new article" means nothing new was *stored* (``first_seen_at``), which is what breaks when
a site is redesigned or blocks the crawler; publication dates of a backfill say nothing of that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from alerts.deliver import channel_names
from alerts.outbox import alert_key, enqueue
from pledgewatch.settings import Settings
from warehouse.models import CrawlRun, SiteRunStats

SHANGHAI = ZoneInfo("Asia/Shanghai")
KIND = "site_health"


@dataclass(frozen=True)
class SiteProblem:
    site: str
    code: str  # "stale", "crawl_status" or "extraction": part of the alert key
    problem: str
    detail: str


def local_day(value: object) -> dt.date | None:
    """The Asia/Shanghai calendar day of a stored operational timestamp.

    Those are written as UTC instants: PostgreSQL gives them back aware; SQLite gives naive UTC
    wall time, and as text when read through a view.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(SHANGHAI).date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"not a timestamp: {value!r}")


def newest_crawl_day(session: Session) -> dt.date | None:
    """The day of the newest crawl on record (None before the first crawl)."""
    days = [local_day(session.scalar(select(func.max(SiteRunStats.recorded_at)))),
            local_day(session.scalar(select(func.max(CrawlRun.started_at))))]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def site_problems(rows: Iterable[Mapping[str, Any]], settings: Settings,
                  today: dt.date) -> list[SiteProblem]:
    """What is wrong with each site on ``today``, from ``v_site_health`` rows."""
    found: list[SiteProblem] = []
    for row in rows:
        site = str(row["site"])
        last_new = local_day(row["last_new_article_at"])
        if last_new is None:
            found.append(SiteProblem(site, "stale", "尚无文章入库",
                                     "该站点还没有任何文章被抓取入库"))
        elif (today - last_new).days >= settings.site_stale_days:
            found.append(SiteProblem(
                site, "stale", f"{(today - last_new).days} 天无新文章",
                f"最近一篇新文章于 {last_new} 入库（阈值 {settings.site_stale_days} 天）"))
        status = row["last_status"]
        if status is not None and status != "ok":
            found.append(SiteProblem(
                site, "crawl_status", f"最近一次抓取状态为 {status}",
                f"{local_day(row['last_crawl_at'])} 抓取：{row['last_requests'] or 0} 次请求，"
                f"{row['last_errors'] or 0} 个错误，{row['last_new_pages'] or 0} 个新页面；"
                f"最近一次正常抓取：{local_day(row['last_ok_crawl_at']) or '从未'}"))
        articles = int(row["articles"] or 0)
        failures = int(row["extraction_failures"] or 0)
        if articles and failures / articles > settings.extraction_failure_ratio:
            ratio = failures / articles
            found.append(SiteProblem(
                site, "extraction", f"正文提取失败 {failures}/{articles}（{ratio:.0%}）",
                f"阈值 {settings.extraction_failure_ratio:.0%}：站点改版或抽取规则失效？"))
    return found


def queue_site_health_alerts(session: Session, settings: Settings, today: dt.date) -> int:
    """Queue one alert per site and problem for ``today``; returns the outbox rows newly queued."""
    rows = session.execute(text("SELECT * FROM v_site_health ORDER BY site")).mappings().all()
    channels = channel_names(settings)
    queued = 0
    for p in site_problems(rows, settings, today):
        payload = {"kind": KIND, "site": p.site, "problem": p.problem, "problem_code": p.code,
                   "detail": p.detail, "day": today.isoformat()}
        queued += enqueue(session, KIND, alert_key(KIND, p.site, p.code, today.isoformat()),
                          payload, channels)
    return queued
