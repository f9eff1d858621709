"""A warehouse loaded the way a night's run loads it, plus the few things the recording lacks.

The recorded pages give articles, mentions, stage changes and alerts. They hold no crawl
statistics (pages are loaded as if fetched) and no syndicated copy close enough in time for
the dedupe window, so the helpers here add both; the hostile article is added only where a
test asks for it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from pledgewatch.pipeline.process import process_pages
from pledgewatch.settings import Settings, load_settings
from tests.pipeline.conftest import expected_articles, load_recorded_pages
from warehouse.db import session_scope
from warehouse.models import Article, FctMention, SiteRunStats
from warehouse.raw import finish_crawl_run, record_site_stats, start_crawl_run

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: The headline the issue asks about: shown as text, never run.
HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"
HOSTILE_URL = "http://www.lfxww.com/puxian/9999001.html"
JS_URL = "javascript:document.title='pwned'//"
PLEDGE = "boyuan-wind-farm-grid"
#: A recorded story about PLEDGE and a made-up copy of it on another site, a day later.
PRIMARY_URL = "http://www.lfxww.com/puxian/2705318.html"
COPY_URL = "https://lf.sxrb.com/content/202211/09/c99999.html"
COPY_SITE = "sxrb_lf"


def load_warehouse(url: str, data_dir: Path) -> Settings:
    """The recorded news extracted, linked and loaded, with a syndicated copy and crawls."""
    settings = load_settings({"PLEDGEWATCH_DB_URL": url, "PLEDGEWATCH_DATA_DIR": str(data_dir)})
    assert load_recorded_pages(url, expected_articles()) > 40
    report = process_pages(settings)
    assert report.errors == [], report.errors
    add_syndicated_copy(url)
    add_crawl_stats(url)
    return settings


def add_syndicated_copy(url: str) -> int:
    with session_scope(url) as s:
        primary = s.scalars(select(Article).where(Article.url == PRIMARY_URL)).one()
        assert primary.published_at is not None
        copy = Article(
            url=COPY_URL, site=COPY_SITE, title=primary.title,
            published_at=primary.published_at + dt.timedelta(days=1), body=primary.body,
            text_simplified=primary.text_simplified, fingerprint=primary.fingerprint,
            duplicate_of=primary.id, is_local=False, extraction={}, extractor_version="test")
        s.add(copy)
        s.flush()
        return copy.id


def add_crawl_stats(url: str) -> None:
    """Two crawls: an old good one, and last night's where lfxww degraded with errors."""
    with session_scope(url) as s:
        old = start_crawl_run(s, ["lfxww", "puxian_gov"], None, None)
        record_site_stats(s, old, "lfxww", {"requests": 10, "new_pages": 2, "errors": 0,
                                            "status": "ok"})
        record_site_stats(s, old, "puxian_gov", {"requests": 6, "new_pages": 1, "errors": 0,
                                                 "status": "ok"})
        finish_crawl_run(s, old, "ok")
        s.execute(update(SiteRunStats).where(SiteRunStats.crawl_run_id == old).values(
            recorded_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=20)))
        new = start_crawl_run(s, ["lfxww", "puxian_gov"], None, None)
        record_site_stats(s, new, "lfxww", {"requests": 12, "new_pages": 1, "errors": 3,
                                            "status": "degraded",
                                            "errors_by_kind": {"http_404": 3}})
        record_site_stats(s, new, "puxian_gov", {"requests": 5, "new_pages": 0, "errors": 0,
                                                 "status": "ok"})
        finish_crawl_run(s, new, "partial")


def add_hostile_articles(url: str) -> None:
    """A script in a headline and evidence, and a javascript: URL, both linked to PLEDGE."""
    with session_scope(url) as s:
        for article_url, title, day, evidence in (
                (HOSTILE_URL, HOSTILE, 20, f"博远风电项目{HOSTILE}运行平稳"),
                (JS_URL, "博远风电项目运行平稳（链接测试）", 21, "博远风电项目运行平稳")):
            article = Article(
                url=article_url, site="lfxww", title=title,
                published_at=dt.datetime(2022, 12, day, 10, 0, tzinfo=SHANGHAI),
                body=evidence, text_simplified=evidence, fingerprint="", is_local=True,
                extraction={}, extractor_version="test")
            s.add(article)
            s.flush()
            s.add(FctMention(article_id=article.id, pledge_id=PLEDGE, score=0.9,
                             stage="in_progress", evidence=evidence, matched=["博远风电项目"],
                             linker_version="test"))
