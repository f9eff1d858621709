"""A story published over two pages is one article, whatever order and night its pages arrive.

The story is the recorded 黄河新闻网临汾频道 two-pager on Pu County's express logistics hub:
page 1 names 蒲县 and 蒲城镇 and calls the hub this year's key project (a plan); page 2 says its
main structure is topped out and 2600万元 invested (work in progress) without naming any place.
Only the joined article places that progress in Pu County. Every case runs on SQLite and on
PostgreSQL and is compared, by content, with the end state of storing every page at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, text

from pledgewatch.pipeline.process import process_pages
from pledgewatch.replay import Recording, ReplayServer
from pledgewatch.settings import Settings
from spiders.run import crawl
from tests.faults.state import read_state
from tests.pipeline.conftest import digest, expected_articles, site_of
from tests.spiders.conftest import FAST
from transforms.dedupe import fingerprint
from transforms.urls import canonical_url
from warehouse.db import dispose_engines, get_engine, session_scope
from warehouse.facts import page_ids_to_process
from warehouse.migrate import downgrade, upgrade
from warehouse.models import AlertOutbox, Article, ArticlePage, FctMention, RawPage
from warehouse.raw import FetchedPage, save_raw_page

HUB_1 = "http://lf.sxgov.cn/content/2022-11/18/content_12862105.htm"
HUB_2 = "http://lf.sxgov.cn/content/2022-11/18/content_12862105_2.htm"
PUMPED_1 = "http://lf.sxgov.cn/content/2022-10/28/content_12841562.htm"
PUMPED_2 = "http://lf.sxgov.cn/content/2022-10/28/content_12841562_2.htm"
CDC = "http://lf.sxgov.cn/content/2023-08/05/content_13046438.htm"
PLEDGE = "express-logistics-center"
PAGE_1_TEXT = "蒲县把快递物流配送中心项目列为今年县级重点工程"
PAGE_2_TEXT = "目前，快递物流配送中心主体工程已经封顶"
NIGHT_1 = dt.datetime(2022, 11, 18, 18, 0, tzinfo=dt.UTC)
NIGHT_2 = NIGHT_1 + dt.timedelta(days=1)


def store(url: str, pages: list[str], night: dt.datetime) -> None:
    """Store the recorded replies of ``pages`` as fetched on ``night``, as the crawl would."""
    recording = Recording.load()
    with session_scope(url) as session:
        for page_url in pages:
            reply = recording.reply("GET", page_url, {}, b"")
            assert reply.status == 200, page_url
            save_raw_page(session, FetchedPage(
                url=page_url, final_url=page_url, site=site_of(page_url), status=200,
                headers=dict(reply.headers), body=reply.body, fetched_at=night))


def reset(url: str) -> None:
    """An empty warehouse at ``url`` again (the same database on either dialect)."""
    dispose_engines()
    downgrade(url, "base")
    upgrade(url)


def end_state(url: str) -> dict[str, Any]:
    """Facts that must not depend on arrival order (see tests/faults/state.py: the stage a
    new-mention alert announced is history, since page 1 alone shows a plan), and which
    pages make which article."""
    with get_engine(url).connect() as conn:
        pages = sorted(tuple(r) for r in conn.execute(text(
            "SELECT a.url, r.url, p.page_no FROM article_page p"
            " JOIN article a ON a.id = p.article_id JOIN raw_page r ON r.id = p.raw_page_id")))
    return {**read_state(url).facts, "article_page": pages}


def unprocessed(url: str) -> list[int]:
    with session_scope(url) as session:
        return page_ids_to_process(session, reprocess=False)


def articles(url: str) -> dict[str, Article]:
    with session_scope(url) as session:
        return {a.url: a for a in session.scalars(select(Article))}


def mentions(url: str, article_url: str) -> dict[str, FctMention]:
    with session_scope(url) as session:
        article_id = session.scalar(select(Article.id).where(Article.url == article_url))
        return {m.pledge_id: m for m in session.scalars(
            select(FctMention).where(FctMention.article_id == article_id))}


def alerts(url: str, kind: str, pledge: str = PLEDGE) -> list[AlertOutbox]:
    with session_scope(url) as session:
        return list(session.scalars(select(AlertOutbox).where(
            AlertOutbox.kind == kind, AlertOutbox.pledge_id == pledge)))


def all_at_once(settings: Settings) -> dict[str, Any]:
    url = settings.warehouse_url
    store(url, [HUB_1, HUB_2, PUMPED_1, PUMPED_2, CDC], NIGHT_1)
    report = process_pages(settings)
    assert report.errors == [] and report.pages == 5 and report.new_articles == 3
    return end_state(url)


def test_both_pages_at_once_make_one_article(pipeline_settings: Settings) -> None:
    url = pipeline_settings.warehouse_url
    all_at_once(pipeline_settings)
    stored = articles(url)
    assert set(stored) == {canonical_url(u) for u in (HUB_1, PUMPED_1, CDC)}
    hub = stored[canonical_url(HUB_1)]
    assert hub.title == "快递物流配送中心建设提速 农村寄递有望再“跑快一步”"
    assert hub.source == "黄河新闻网临汾频道" and hub.editor == "张晋"
    assert PAGE_1_TEXT in hub.body and PAGE_2_TEXT in hub.body
    assert hub.body.index(PAGE_1_TEXT) < hub.body.index(PAGE_2_TEXT)
    # Dedupe reads the joined text: its SimHash and the text candidates are compared on.
    assert "主体工程已经封顶" in hub.text_simplified and "县级重点工程" in hub.text_simplified
    assert hub.fingerprint == fingerprint(hub.text_simplified)
    assert hub.is_local and hub.duplicate_of is None
    found = mentions(url, hub.url)
    assert set(found) == {PLEDGE}
    assert found[PLEDGE].stage == "in_progress" and PAGE_2_TEXT in found[PLEDGE].evidence
    assert len(alerts(url, "new_mention")) == 1
    # The pumped-storage story's page 2 is no article either; its mention is its page 1's.
    assert set(mentions(url, canonical_url(PUMPED_1))) == {"pumped-storage-station"}
    assert unprocessed(url) == []

    first = digest(url)
    again = process_pages(pipeline_settings)
    assert again.pages == 0 and again.new_articles == 0 and again.alerts_queued == 0
    assert digest(url) == first
    redone = process_pages(pipeline_settings, reprocess=True)
    assert redone.pages == 5 and redone.new_articles == 0 and redone.alerts_queued == 0
    assert redone.errors == [] and digest(url) == first


def test_page_2_a_night_after_page_1_updates_the_same_article(
        pipeline_settings: Settings) -> None:
    url = pipeline_settings.warehouse_url
    reference = all_at_once(pipeline_settings)
    reset(url)

    store(url, [HUB_1, PUMPED_1], NIGHT_1)
    process_pages(pipeline_settings)
    hub = articles(url)[canonical_url(HUB_1)]
    assert PAGE_2_TEXT not in hub.body
    assert mentions(url, hub.url)[PLEDGE].stage == "planned"  # page 1 alone: a plan

    store(url, [HUB_2, PUMPED_2, CDC], NIGHT_2)
    report = process_pages(pipeline_settings)
    assert report.errors == [] and report.pages == 3 and report.new_articles == 1  # CDC only
    grown = articles(url)[canonical_url(HUB_1)]
    assert grown.id == hub.id and grown.body.startswith(hub.body) and PAGE_2_TEXT in grown.body
    found = mentions(url, grown.url)
    assert found[PLEDGE].stage == "in_progress" and PAGE_2_TEXT in found[PLEDGE].evidence
    # One new-mention alert for the story; the stage moving on is news of its own.
    assert len(alerts(url, "new_mention")) == 1
    assert sorted(a.payload["stage"] for a in alerts(url, "stage_change")) == [
        "in_progress", "planned"]
    assert unprocessed(url) == []
    assert end_state(url) == reference

    settled = digest(url)
    assert process_pages(pipeline_settings).pages == 0 and digest(url) == settled
    process_pages(pipeline_settings, reprocess=True)
    assert digest(url) == settled


def test_page_2_before_page_1_makes_the_article_at_page_1s_url(
        pipeline_settings: Settings) -> None:
    """The choice for a missing page 1: the article is made at once from what there is, keyed
    by page 1's URL, and page 1 completes it when it comes; no second article ever appears."""
    url = pipeline_settings.warehouse_url
    reference = all_at_once(pipeline_settings)
    reset(url)

    store(url, [HUB_2, PUMPED_2], NIGHT_1)
    report = process_pages(pipeline_settings)
    assert report.errors == [] and report.pages == 2 and report.new_articles == 2
    stored = articles(url)
    assert set(stored) == {canonical_url(HUB_1), canonical_url(PUMPED_1)}
    hub = stored[canonical_url(HUB_1)]
    assert hub.title == "快递物流配送中心建设提速 农村寄递有望再“跑快一步”"  # page 2's
    assert PAGE_2_TEXT in hub.body and PAGE_1_TEXT not in hub.body
    assert not hub.is_local and mentions(url, hub.url) == {}  # page 2 names no place
    assert unprocessed(url) == []  # page 2 is done, not waiting

    store(url, [HUB_1, PUMPED_1, CDC], NIGHT_2)
    report = process_pages(pipeline_settings)
    assert report.errors == [] and report.pages == 3 and report.new_articles == 1
    joined = articles(url)[canonical_url(HUB_1)]
    assert joined.id == hub.id and joined.body.index(PAGE_1_TEXT) < joined.body.index(
        PAGE_2_TEXT)
    assert len(alerts(url, "new_mention")) == 1
    assert end_state(url) == reference
    with session_scope(url) as session:
        pages = session.scalars(select(ArticlePage.page_no).where(
            ArticlePage.article_id == joined.id)).all()
    assert sorted(pages) == [1, 2]


def test_page_2_refetched_with_new_text_rebuilds_the_article(
        pipeline_settings: Settings) -> None:
    """A corrected page 2 (new bytes, a new raw page) replaces the old one in the article."""
    url = pipeline_settings.warehouse_url
    store(url, [HUB_1, HUB_2], NIGHT_1)
    process_pages(pipeline_settings)
    recording = Recording.load()
    reply = recording.reply("GET", HUB_2, {}, b"")
    corrected = reply.body.replace("累计完成投资2600万元".encode(), "累计完成投资2800万元".encode())
    assert corrected != reply.body
    with session_scope(url) as session:
        save_raw_page(session, FetchedPage(
            url=HUB_2, final_url=HUB_2, site="sxgov_lf", status=200,
            headers=dict(reply.headers), body=corrected, fetched_at=NIGHT_2))
    report = process_pages(pipeline_settings)
    assert report.errors == [] and report.pages == 1 and report.new_articles == 0
    hub = articles(url)[canonical_url(HUB_1)]
    assert "2800万元" in hub.body and "2600万元" not in hub.body
    assert PAGE_1_TEXT in hub.body
    with session_scope(url) as session:
        rows = session.execute(select(ArticlePage.raw_page_id, ArticlePage.page_no)).all()
    assert len(rows) == 2 and sorted(n for _, n in rows) == [1, 2]  # the newest fetch of each
    assert unprocessed(url) == [] and len(alerts(url, "new_mention")) == 1


def test_articles_made_from_page_2_before_0003_are_folded_by_reprocessing(
        pipeline_settings: Settings) -> None:
    """A warehouse of revision 0002 holds page 2 as an article of its own. Upgrading keeps it
    (nothing is read again); ``--reprocess`` folds it into page 1's article."""
    url = pipeline_settings.warehouse_url
    reference = all_at_once(pipeline_settings)
    dispose_engines()
    downgrade(url, "base")
    upgrade(url, "0002")
    store(url, [HUB_1, HUB_2, PUMPED_1, PUMPED_2, CDC], NIGHT_1)
    with get_engine(url).begin() as conn:  # what processing before 0003 left: one per page
        conn.execute(text(
            "INSERT INTO article (url, site, raw_page_id, title, body, text_simplified,"
            " fingerprint, is_local, extraction, extractor_version, first_seen_at, updated_at)"
            " SELECT url, site, id, 'page', '', '', '', false, '{}', 'extract-1',"
            " fetched_at, fetched_at FROM raw_page"))
    dispose_engines()
    upgrade(url)
    assert unprocessed(url) == []  # the upgrade marked every stored page as read
    assert canonical_url(HUB_2) in articles(url)

    report = process_pages(pipeline_settings, reprocess=True)
    assert report.errors == []
    assert set(articles(url)) == {canonical_url(u) for u in (HUB_1, PUMPED_1, CDC)}
    assert end_state(url) == reference


def test_the_spider_follows_page_2_and_processing_joins_it(
        pipeline_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded site crawled by the real spider over loopback, then processed: every
    later page the answer key lists is fetched, and none is an article of its own."""
    url = pipeline_settings.warehouse_url
    with ReplayServer() as server:
        for key, value in server.proxy_env().items():
            monkeypatch.setenv(key, value)
        for key in ("HTTP_PROXY", "HTTPS_PROXY"):
            monkeypatch.delenv(key, raising=False)
        report = crawl(["sxgov_lf"], None, None, url, FAST, timeout=240)
        asked = [hit.url for hit in server.hits]
    assert report.status == "ok", report.summary()
    assert asked.count(HUB_2) == 1 and asked.index(HUB_1) < asked.index(HUB_2)

    processed = process_pages(pipeline_settings)
    assert processed.errors == [] and unprocessed(url) == []
    key = {u: e for u, e in expected_articles().items() if e["site"] == "sxgov_lf"}
    later = {u: e["part_of"] for u, e in key.items() if e.get("part_of")}
    assert HUB_2 in later and PUMPED_2 in later
    stored = articles(url)
    assert set(stored) == {canonical_url(u) for u in key if u not in later}
    hub = stored[canonical_url(HUB_1)]
    assert hub.body.index(PAGE_1_TEXT) < hub.body.index(PAGE_2_TEXT)
    assert mentions(url, hub.url)[PLEDGE].stage == "in_progress"
    with session_scope(url) as session:
        made_of = session.execute(select(RawPage.url, ArticlePage.page_no).join(
            ArticlePage, ArticlePage.raw_page_id == RawPage.id).where(
            ArticlePage.article_id == hub.id)).all()
    assert sorted(made_of) == [(HUB_1, 1), (HUB_2, 2)]
