"""Site-health alerts from ``v_site_health``: which problems, which day, and once a day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from alerts.deliver import deliver_pending
from alerts.render import plain_text
from alerts.site_health import local_day, newest_crawl_day, queue_site_health_alerts
from pledgewatch.pipeline.run import check_site_health, run_pipeline
from pledgewatch.settings import Settings
from tests.alerts.conftest import Receiver, make_settings
from warehouse.db import session_scope
from warehouse.models import AlertOutbox, Article, CrawlRun, SiteRunStats

UTC = dt.UTC
CRAWLED = dt.datetime(2023, 1, 9, 18, 30, tzinfo=UTC)  # 2023-01-10 02:30 in Shanghai
TODAY = dt.date(2023, 1, 10)


def seed(url: str) -> None:
    """good: fine. quiet: nothing new for 9 days. broken: last crawl failed (an earlier one was
    ok). garbled: 4 of 10 articles without a title. empty: crawled, never an article."""
    with session_scope(url) as s:
        older = CrawlRun(started_at=CRAWLED - dt.timedelta(days=1), status="finished")
        run = CrawlRun(started_at=CRAWLED, status="finished")
        s.add_all([older, run])
        s.flush()
        s.add(SiteRunStats(crawl_run_id=older.id, site="broken", status="ok", requests=9,
                           recorded_at=CRAWLED - dt.timedelta(days=1)))
        for site, status in [("good", "ok"), ("quiet", "ok"), ("broken", "failed"),
                             ("garbled", "ok"), ("empty", "ok")]:
            s.add(SiteRunStats(crawl_run_id=run.id, site=site, status=status, requests=10,
                               errors=10 if status == "failed" else 0, recorded_at=CRAWLED))
        n = 0

        def article(site: str, seen: dt.datetime, title: str | None = "标题") -> None:
            nonlocal n
            n += 1
            s.add(Article(url=f"http://{site}/{n}", site=site, title=title,
                          body="正文" if title else "", extractor_version="t", first_seen_at=seen))

        article("good", CRAWLED)
        article("quiet", CRAWLED - dt.timedelta(days=9))
        article("broken", CRAWLED - dt.timedelta(days=1))
        for i in range(10):
            article("garbled", CRAWLED, title=None if i < 4 else "标题")


def queued(url: str) -> list[AlertOutbox]:
    with session_scope(url) as s:
        return list(s.scalars(select(AlertOutbox).where(AlertOutbox.kind == "site_health")
                              .order_by(AlertOutbox.id)))


def problems(url: str) -> set[tuple[str, str]]:
    return {(r.payload["site"], r.payload["problem_code"]) for r in queued(url)
            if r.channel == "file"}


def settings_for(url: str, tmp_path: Path, **extra: str) -> Settings:
    return make_settings(url, tmp_path, **extra)


def test_each_problem_is_queued_once_per_day(warehouse_url: str, tmp_path: Path) -> None:
    seed(warehouse_url)
    settings = settings_for(warehouse_url, tmp_path)
    with session_scope(warehouse_url) as s:
        assert queue_site_health_alerts(s, settings, TODAY) == 4
    assert problems(warehouse_url) == {("quiet", "stale"), ("broken", "crawl_status"),
                                    ("garbled", "extraction"), ("empty", "stale")}
    by_site = {r.payload["site"]: r.payload for r in queued(warehouse_url)}
    assert by_site["quiet"]["problem"] == "9 天无新文章"
    assert by_site["quiet"]["day"] == "2023-01-10"
    assert "failed" in by_site["broken"]["problem"]
    assert "2023-01-09" in by_site["broken"]["detail"]  # its last ok crawl, Shanghai day
    assert "4/10" in by_site["garbled"]["problem"]
    assert "quiet: 9 天无新文章" in plain_text(by_site["quiet"])

    with session_scope(warehouse_url) as s:  # the same day again: nothing new
        assert queue_site_health_alerts(s, settings, TODAY) == 0
    with session_scope(warehouse_url) as s:  # still wrong tomorrow: reported again, new keys
        assert queue_site_health_alerts(s, settings, TODAY + dt.timedelta(days=1)) == 4
    keys = [r.alert_key for r in queued(warehouse_url)]
    assert len(set(keys)) == 8


def test_thresholds_come_from_settings(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    settings = settings_for(sqlite_url, tmp_path, site_stale_days="10",
                            extraction_failure_ratio="0.5")
    with session_scope(sqlite_url) as s:
        queue_site_health_alerts(s, settings, TODAY)
    assert problems(sqlite_url) == {("broken", "crawl_status"), ("empty", "stale")}


def test_alerts_go_to_every_configured_channel(sqlite_url: str, tmp_path: Path,
                                               receiver: Receiver) -> None:
    seed(sqlite_url)
    settings = settings_for(sqlite_url, tmp_path, webhook_url=receiver.url("webhook"),
                            slack_url=receiver.url("slack", "/services/x"))
    with session_scope(sqlite_url) as s:
        assert queue_site_health_alerts(s, settings, TODAY) == 4 * 3
    report = deliver_pending(settings)
    assert report.failed == 0 and report.sent == 12
    assert {h.json["site"] for h in receiver.for_channel("webhook")} == {
        "quiet", "broken", "garbled", "empty"}
    assert len(receiver.for_channel("slack")) == 4


def test_the_day_is_the_newest_crawl_when_no_interval_is_given(warehouse_url: str,
                                                                tmp_path: Path) -> None:
    settings = settings_for(warehouse_url, tmp_path)
    assert check_site_health(settings) == 0  # no crawl yet: nothing to say, no guessing
    seed(warehouse_url)
    with session_scope(warehouse_url) as s:
        assert newest_crawl_day(s) == TODAY  # 18:30 UTC is the next morning in Pu County
    assert check_site_health(settings) == 4
    assert {r.payload["day"] for r in queued(warehouse_url)} == {"2023-01-10"}
    # Ten days on, every site has gone quiet as well: five "stale", plus broken and garbled.
    assert check_site_health(settings, dt.date(2023, 1, 20)) == 7
    assert {r.payload["day"] for r in queued(warehouse_url)} == {"2023-01-10", "2023-01-20"}


def test_a_backfill_day_before_the_articles_is_not_stale(sqlite_url: str,
                                                         tmp_path: Path) -> None:
    seed(sqlite_url)
    assert check_site_health(settings_for(sqlite_url, tmp_path), dt.date(2022, 6, 1)) == 3
    assert ("quiet", "stale") not in problems(sqlite_url)


def test_run_pipeline_queues_and_delivers_site_health(warehouse_url: str, tmp_path: Path) -> None:
    seed(warehouse_url)
    settings = settings_for(warehouse_url, tmp_path)
    report = run_pipeline(settings, until=TODAY, reprocess=True)  # reprocess: no crawl
    assert report.site_health_alerts == 4
    assert "site health: 4 alerts queued" in report.lines()
    assert report.delivery.sent == 4 and report.delivery.failed == 0
    assert {r.state for r in queued(warehouse_url)} == {"sent"}
    assert len(list(settings.outbox_path.glob("*.json"))) == 4
    again = run_pipeline(settings, until=TODAY, reprocess=True)
    assert again.site_health_alerts == 0 and again.delivery.sent == 0


def test_local_day_reads_both_dialects_shapes() -> None:
    assert local_day("2023-01-09 18:30:00.000000") == TODAY  # SQLite: naive UTC, as text
    assert local_day(CRAWLED) == TODAY  # PostgreSQL: aware
    assert local_day(dt.datetime(2023, 1, 9, 15, 0)) == dt.date(2023, 1, 9)
    assert local_day(None) is None
