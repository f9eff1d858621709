"""Crawling the replay over real HTTP (through http_proxy) into a temporary SQLite warehouse.

Each crawl runs Scrapy in a child process, as production does, with politeness delays off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from sqlalchemy import create_engine, select

from pledgewatch.replay import DEFAULT_ROOT, Fault, ReplayServer
from spiders.run import CrawlReport, crawl
from tests.spiders.conftest import ALIASES, FAST
from tests.spiders.golden_cases import expected
from warehouse.db import dispose_engines
from warehouse.migrate import upgrade
from warehouse.models import CrawlRun, RawPage, SiteRunStats

ARTICLE_PATH = r"/(?:\d{6,}|content_\d+(?:_\d)?|c\d+|t\d{8}_\d+|\d+)\.html?$"


def rows(url: str, *criteria) -> list[RawPage]:  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(RawPage).where(*criteria)).all())
    finally:
        engine.dispose()


def fresh_db(path: Path) -> str:
    url = f"sqlite:///{path}"
    upgrade(url)
    return url


@dataclass
class TwoCrawls:
    db_url: str
    first: CrawlReport
    second: CrawlReport
    second_hits: list
    third: CrawlReport
    third_hits: list


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoCrawls]:
    """Every site crawled twice into one warehouse; the replay's hits of the second run kept."""
    mp = pytest.MonkeyPatch()
    db_url = fresh_db(tmp_path_factory.mktemp("crawl") / "warehouse.sqlite")
    with ReplayServer() as server:
        for key, value in server.proxy_env().items():
            mp.setenv(key, value)
        first = crawl(None, None, None, db_url, FAST, search_aliases=ALIASES, timeout=240)
        server.clear_hits()
        second = crawl(None, None, None, db_url, FAST, search_aliases=ALIASES, timeout=240)
        hits = list(server.hits)
        server.clear_hits()
        # Without conditional GET the lists come back whole: paging must stop on known links.
        third = crawl(["lfxww", "puxian_gov"], None, None, db_url,
                      {**FAST, "PLEDGEWATCH_CONDITIONAL_GET": False}, timeout=240)
        third_hits = list(server.hits)
    mp.undo()
    yield TwoCrawls(db_url, first, second, hits, third, third_hits)
    dispose_engines()


def test_every_expected_article_is_stored(two_crawls: TwoCrawls) -> None:
    stored = {r.url: r for r in rows(two_crawls.db_url, RawPage.kind == "article")}
    key = expected()
    for url, entry in key["articles"].items():
        assert url in stored, f"{entry['site']}: {url} ({entry['title']}) was not fetched"
        page = stored[url]
        assert page.status == 200 and page.error is None and page.site == entry["site"]
    for url, entry in key["broken_links"].items():
        if entry["error"] == "robots":
            assert url not in stored
        else:
            assert stored[url].error == entry["error"], url
    assert two_crawls.first.status == "ok", two_crawls.first.summary()
    assert two_crawls.first.sites["lfxww"].errors_by_kind == {
        "http_404": 1, "not_html": 1, "offsite_redirect": 1, "redirect_loop": 1}


def test_raw_pages_are_stored_as_fetched(two_crawls: TwoCrawls) -> None:
    """The GB2312-declared page: bytes identical to what was sent, decoding exact."""
    url = "http://www.lfxww.com/puxian/2708190.html"
    (page,) = rows(two_crawls.db_url, RawPage.url == url)
    sent = (DEFAULT_ROOT / "www.lfxww.com/puxian/2708190.html").read_bytes()
    assert page.body == sent
    assert page.headers["Content-Type"] == "text/html; charset=gb2312"
    response = HtmlResponse(url, body=page.body, headers=page.headers)
    assert response.encoding == "gb18030"
    assert response.text == sent.decode("gb18030")
    assert "通讯员 刘喆" in response.text  # 喆 is GBK, not GB2312
    robots = rows(two_crawls.db_url, RawPage.kind == "robots")
    assert {r.site for r in robots} == {"lfxww", "puxian_gov", "linfen_gov", "sxgov_lf",
                                         "sxrb_lf"}
    searches = rows(two_crawls.db_url, RawPage.kind == "search")
    assert searches and all(r.headers["Content-Type"].startswith("application/json")
                            for r in searches)


def test_second_crawl_fetches_no_article_again(two_crawls: TwoCrawls) -> None:
    import re

    refetched = [h.url for h in two_crawls.second_hits
                 if h.method == "GET" and re.search(ARTICLE_PATH, h.url)
                 and "/channels/" not in h.url]
    assert refetched == []
    lists = [h for h in two_crawls.second_hits if h.url.endswith("/puxian/")]
    assert lists and all(h.status == 304 for h in lists)
    assert "If-None-Match" in lists[0].headers
    assert two_crawls.second.new_pages == 0
    assert all(s.detail["list"].get("not_modified") for s in two_crawls.second.sites.values())


def test_paging_stops_at_a_page_of_known_articles(two_crawls: TwoCrawls) -> None:
    import re

    urls = [h.url for h in two_crawls.third_hits if h.method == "GET"]
    assert "http://www.lfxww.com/puxian/" in urls
    assert "http://www.puxian.gov.cn/xwzx/pxyw/" in urls
    assert not [u for u in urls if re.search(r"index_\d+\.html$", u)], urls
    assert not [u for u in urls if re.search(ARTICLE_PATH, u)], urls
    for site in two_crawls.third.sites.values():
        assert site.detail["paths"]["pagination"].get("stopped_no_new", 0) >= 1
        assert site.new_pages == 0


def test_stats_are_recorded_per_site(two_crawls: TwoCrawls) -> None:
    report = two_crawls.first
    assert set(report.sites) == {"lfxww", "puxian_gov", "linfen_gov", "sxgov_lf", "sxrb_lf"}
    lf = report.sites["lfxww"]
    assert lf.requests > 20 and lf.new_pages > 20 and lf.bytes > 50_000 and lf.seconds > 0
    assert lf.detail["paths"]["links"] == {"selector": 8}
    assert lf.extraction_paths.get("title_site") == 23
    assert report.sites["puxian_gov"].detail["paths"]["discovery"] == {"confirmed": 1}
    assert report.sites["linfen_gov"].detail["paths"]["search"]["offsite_dropped"] == 2
    assert report.sites["sxgov_lf"].detail["articles"]["fetched"] == 9  # incl. two page 2s
    assert report.sites["lfxww"].detail["not_fetched"] == {"robots": 1}
    engine = create_engine(two_crawls.db_url)
    with engine.connect() as conn:
        runs = conn.execute(select(CrawlRun.id, CrawlRun.status)).all()
        stats = conn.execute(select(SiteRunStats)).all()
    engine.dispose()
    assert [status for _, status in runs] == ["ok", "ok", "ok"]
    assert len(stats) == 12
    first_lf = next(s for s in stats if s.crawl_run_id == runs[0][0] and s.site == "lfxww")
    assert first_lf.errors == 4 and first_lf.detail["errors_by_kind"]["redirect_loop"] == 1


def test_failing_sites_are_retried_reported_and_isolated(replay: ReplayServer,
                                                         tmp_path: Path) -> None:
    db_url = fresh_db(tmp_path / "w.sqlite")
    replay.add_fault(r"^http://lf\.sxgov\.cn/(?!robots)", Fault(status=500))
    replay.add_fault(r"^https://lf\.sxrb\.com/$", Fault(delay=2.5))
    replay.add_fault(r"/puxian/2688412\.html$", Fault(status=503, times=1))
    report = crawl(["lfxww", "sxgov_lf", "sxrb_lf"], None, None, db_url,
                   {**FAST, "DOWNLOAD_TIMEOUT": 1}, timeout=240)
    sx = report.sites["sxgov_lf"]
    assert sx.status == "failed" and sx.errors_by_kind == {"http_5xx": 1}
    assert sx.detail["retries"] == 2
    assert len(replay.hits_for(r"^http://lf\.sxgov\.cn/$")) == 3  # 1 try + 2 retries
    sr = report.sites["sxrb_lf"]
    assert sr.status == "failed" and sr.errors_by_kind == {"timeout": 1}
    lf = report.sites["lfxww"]
    assert lf.detail["retries"] >= 1
    assert report.status == "partial"
    stored = {r.url for r in rows(db_url, RawPage.kind == "article", RawPage.error.is_(None))}
    lfxww = {u for u, a in expected()["articles"].items() if a["site"] == "lfxww"}
    assert lfxww <= stored  # the retried 503 page included
    errors = rows(db_url, RawPage.site == "sxgov_lf", RawPage.error.is_not(None))
    assert [(r.status, r.error) for r in errors] == [(500, "http_5xx")]


def test_since_until_window(replay: ReplayServer, tmp_path: Path) -> None:
    db_url = fresh_db(tmp_path / "w.sqlite")
    since, until = dt.date(2022, 1, 1), dt.date(2022, 12, 31)
    report = crawl(["puxian_gov", "sxgov_lf"], since, until, db_url, FAST, timeout=240)
    stored = {r.url for r in rows(db_url, RawPage.kind == "article")}
    want = {u for u, a in expected()["articles"].items()
            if a["site"] in ("puxian_gov", "sxgov_lf")
            and since.isoformat() <= a["published"] <= until.isoformat()}
    assert stored == want
    assert report.sites["puxian_gov"].detail["articles"]["out_of_window"] == 2


def test_size_cap_and_not_html(replay: ReplayServer, tmp_path: Path) -> None:
    db_url = fresh_db(tmp_path / "w.sqlite")
    report = crawl(["sxrb_lf"], None, None, db_url, {**FAST, "DOWNLOAD_MAXSIZE": 1800},
                   timeout=240)
    sr = report.sites["sxrb_lf"]
    assert sr.errors_by_kind.get("too_large", 0) >= 1, sr
    stored = rows(db_url, RawPage.error == "too_large")
    assert stored and all(r.body == b"" for r in stored)


def test_unknown_site_is_refused(tmp_path: Path) -> None:
    from spiders.sites import SiteDeclarationError

    with pytest.raises(SiteDeclarationError, match="unknown site"):
        crawl(["nope"], None, None, fresh_db(tmp_path / "w.sqlite"))
