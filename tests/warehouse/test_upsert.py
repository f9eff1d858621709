"""Loading the same batch twice changes nothing, on both dialects."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from pledges import load_registry
from pledgewatch.pipeline.pledges import pledge_row
from warehouse.db import session_scope
from warehouse.models import DimPledge, RawPage
from warehouse.pledges import load_pledges
from warehouse.raw import (
    FetchedPage,
    finish_crawl_run,
    known_urls,
    record_site_stats,
    save_raw_page,
    start_crawl_run,
    validators_for,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _page(url: str, body: bytes, status: int = 200, **headers: str) -> FetchedPage:
    return FetchedPage(url=url, final_url=url, site="lfxww", status=status,
                       headers=headers or {"Content-Type": "text/html; charset=gb2312"},
                       body=body, fetched_at=dt.datetime(2022, 6, 18, 9, 0, tzinfo=SHANGHAI))


def test_pledges_load_twice_changes_nothing(warehouse_url: str) -> None:
    rows = [pledge_row(p) for p in load_registry().pledges]
    with session_scope(warehouse_url) as s:
        assert load_pledges(s, rows) == len(rows)
    with session_scope(warehouse_url) as s:
        stamp = s.scalar(select(func.max(DimPledge.updated_at)))
        assert load_pledges(s, rows) == 0
        assert s.scalar(select(func.count()).select_from(DimPledge)) == len(rows)
        assert s.scalar(select(func.max(DimPledge.updated_at))) == stamp


def test_pledge_change_is_updated_in_place(warehouse_url: str) -> None:
    rows = [pledge_row(p) for p in load_registry().pledges]
    with session_scope(warehouse_url) as s:
        load_pledges(s, rows)
    changed = dict(rows[0], title=rows[0]["title"] + "(修订)")
    with session_scope(warehouse_url) as s:
        assert load_pledges(s, [changed, *rows[1:]]) == 1
        assert s.get(DimPledge, rows[0]["id"]).title.endswith("(修订)")


def test_raw_page_is_stored_once_with_its_exact_bytes(warehouse_url: str) -> None:
    body = "蒲县抽水蓄能电站开工".encode("gb2312")
    url = "http://www.lfxww.com/puxian/2701234.html"
    with session_scope(warehouse_url) as s:
        assert save_raw_page(s, _page(url, body, ETag='"abc"', **{"Last-Modified": "x"}))
    with session_scope(warehouse_url) as s:
        assert not save_raw_page(s, _page(url, body))
        stored = s.scalars(select(RawPage)).one()
        assert stored.body == body
        assert known_urls(s, [url, url + "?x"]) == {url}
        assert validators_for(s, url) == ('"abc"', "x")


def test_failed_fetch_is_not_known(warehouse_url: str) -> None:
    url = "http://www.lfxww.com/puxian/404.html"
    with session_scope(warehouse_url) as s:
        save_raw_page(s, _page(url, b"", status=404))
        assert known_urls(s, [url]) == set()


def test_site_stats_rewrite_in_place(warehouse_url: str) -> None:
    with session_scope(warehouse_url) as s:
        run = start_crawl_run(s, ["lfxww"], dt.date(2022, 1, 1), None)
        record_site_stats(s, run, "lfxww", {"requests": 3, "new_pages": 2, "http_404": 1})
        record_site_stats(s, run, "lfxww", {"requests": 5, "new_pages": 2, "http_404": 1})
        finish_crawl_run(s, run, "ok")
    with session_scope(warehouse_url) as s:
        from warehouse.models import SiteRunStats

        stats = s.scalars(select(SiteRunStats)).one()
        assert (stats.requests, stats.detail) == (5, {"http_404": 1})
