"""The sites misbehave for one night; the next clean night must leave exactly a clean run's state.

Each case runs the whole pipeline (crawl in a child process through the replay, process,
site-health check, delivery) under one fault, then again with the fault gone, and compares the
warehouse and the outbox with the session's clean reference run.
"""

from __future__ import annotations

import pytest

from pledgewatch.replay import DEFAULT_ROOT, Fault, ReplayServer
from pledgewatch.settings import Settings
from tests.faults.conftest import (
    NOT_ROBOTS,
    Reference,
    article_urls,
    assert_recovered,
    exactly,
    run_case,
)
from warehouse.db import get_engine

LIST = "http://www.lfxww.com/puxian/"  # the county channel: most stories about the pledges
ARTICLES = r"^https?://[^/]+/.*\d+\.s?html?$"


def stored_errors(settings: Settings, kind: str = "article") -> dict[str, str]:
    from sqlalchemy import text

    with get_engine(settings.warehouse_url).connect() as conn:
        return {u: e for u, e in conn.execute(text(
            "SELECT url, error FROM raw_page WHERE kind = :kind AND error IS NOT NULL"),
            {"kind": kind})}


def test_http_500_on_a_share_of_requests(replay: ReplayServer, sqlite_settings: Settings,
                                          reference: Reference) -> None:
    out = run_case(sqlite_settings, replay, {NOT_ROBOTS: Fault(status=500, share=0.3)})
    assert out.faulted.crawl.status != "ok"
    assert "http_5xx" in stored_errors(sqlite_settings).values()
    assert out.after_fault.article_urls < reference.state.article_urls
    assert_recovered(out, reference, health_sites=set(out.faulted.crawl.sites))


def test_rate_limited_429_on_a_share_of_requests(replay: ReplayServer,
                                                  sqlite_settings: Settings,
                                                  reference: Reference) -> None:
    """Too Many Requests is the site asking to come back later, not a page that is gone."""
    out = run_case(sqlite_settings, replay, {ARTICLES: Fault(status=429, share=0.3)})
    assert out.after_fault.article_urls < reference.state.article_urls
    assert_recovered(out, reference, health_sites=set(out.faulted.crawl.sites))


def test_a_slow_site(replay: ReplayServer, sqlite_settings: Settings,
                     reference: Reference) -> None:
    """One site answers slowly but within the timeout, so its pages are stored last: nothing
    is deferred, and the night's result, stage history included, must not depend on it."""
    out = run_case(sqlite_settings, replay, {r"^http://www\.puxian\.gov\.cn/": Fault(delay=0.4)})
    assert out.faulted.crawl.status == "ok"
    assert out.after_fault.article_urls == reference.state.article_urls
    assert_recovered(out, reference)


def test_timeouts(replay: ReplayServer, sqlite_settings: Settings,
                  reference: Reference) -> None:
    out = run_case(sqlite_settings, replay, {NOT_ROBOTS: Fault(delay=1.5, share=0.15)},
                   overrides={"DOWNLOAD_TIMEOUT": 0.5, "RETRY_TIMES": 1})
    assert "timeout" in stored_errors(sqlite_settings).values()
    assert_recovered(out, reference, health_sites=set(out.faulted.crawl.sites))


def test_connection_resets(replay: ReplayServer, sqlite_settings: Settings,
                           reference: Reference) -> None:
    out = run_case(sqlite_settings, replay, {NOT_ROBOTS: Fault(reset=True, share=0.3)})
    assert "connection" in stored_errors(sqlite_settings).values()
    assert_recovered(out, reference, health_sites=set(out.faulted.crawl.sites))


def test_truncated_html(replay: ReplayServer, sqlite_settings: Settings,
                        reference: Reference) -> None:
    out = run_case(sqlite_settings, replay, {NOT_ROBOTS: Fault(truncate=300, share=0.3)})
    assert "connection" in stored_errors(sqlite_settings).values()
    assert_recovered(out, reference, health_sites=set(out.faulted.crawl.sites))


def test_empty_200_answers(replay: ReplayServer, sqlite_settings: Settings,
                           reference: Reference) -> None:
    out = run_case(sqlite_settings, replay, {ARTICLES: Fault(body=b"", share=0.3)})
    assert "empty" in stored_errors(sqlite_settings).values()
    assert_recovered(out, reference, health_sites=set(out.faulted.crawl.sites))


def test_robots_txt_disallows_a_section(replay: ReplayServer, sqlite_settings: Settings,
                                        reference: Reference) -> None:
    robots = b"User-agent: *\nDisallow: /puxian/\nDisallow: /member/\n"
    out = run_case(sqlite_settings, replay, {
        exactly("http://www.lfxww.com/robots.txt"): Fault(body=robots,
                                                          content_type="text/plain")})
    assert not any("/puxian/" in u for u in out.after_fault.article_urls if "lfxww" in u)
    assert out.faulted.crawl.sites["lfxww"].detail["not_fetched"]["robots"] > 1
    assert_recovered(out, reference, health_sites={"lfxww"})


def test_gbk_bytes_declared_as_utf8(replay: ReplayServer, sqlite_settings: Settings,
                                    reference: Reference) -> None:
    """A UTF-8 site re-saves its pages as GBK but keeps saying UTF-8 (header and <meta>)."""
    faults = {}
    for url in article_urls("puxian_gov"):
        page = replay.recording.reply("GET", url, {}, b"").body.decode("utf-8")
        faults[exactly(url)] = Fault(body=page.encode("gbk"),
                                     content_type="text/html; charset=utf-8")
    out = run_case(sqlite_settings, replay, faults)
    # Stored as received, and read as what it says, not as what it claims.
    assert out.after_fault.article_urls == reference.state.article_urls
    assert_recovered(out, reference)


def test_list_template_changed(replay: ReplayServer, sqlite_settings: Settings,
                               reference: Reference) -> None:
    """The county channel comes back as a script-rendered shell: no links. The crawl must say
    so and queue a site-health alert, although the site's other lists still work."""
    shell = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>蒲县_临汾新闻网</title>'
             '</head><body><div id="app" data-channel="puxian"></div>'
             '<script src="/static/js/list.8f3a.js"></script></body></html>').encode()
    out = run_case(sqlite_settings, replay, {exactly(LIST): Fault(body=shell)})
    lfxww = out.faulted.crawl.sites["lfxww"]
    assert lfxww.status != "ok", out.faulted.crawl.summary()
    assert any(LIST in w for w in lfxww.warnings), lfxww.warnings
    assert out.faulted.site_health_alerts > 0
    assert {(site, code) for site, code, _, _ in out.after_fault.site_health} == {
        ("lfxww", "crawl_status")}
    assert_recovered(out, reference, health_sites={"lfxww"})
    assert out.state.site_health == out.after_fault.site_health  # reported once, delivered


PDF = (DEFAULT_ROOT / "www.lfxww.com/_files/2704005.pdf").read_bytes()
HUGE = b"<html><body>" + b"<p>" + b"x" * (20 * 1024 * 1024) + b"</p></body></html>"
#: (fault, the error kind it leaves on an article page): each one the crawl treats as final.
FINAL = {
    "huge_page": (Fault(body=HUGE), "too_large"),
    "redirect_loop": (Fault(location="{url}"), "redirect_loop"),
    "offsite_redirect": (Fault(location="http://www.lfxww-mirror.cn/{path}", status=301),
                         "offsite_redirect"),
    "binary_as_html": (Fault(body=PDF, content_type="text/html"), "not_html"),
}
#: An article on another list than LIST, about no pledge: losing it changes no other fact.
LONE_ARTICLE = "http://www.lfxww.com/linfen/qyxw/2696120.html"


def _for(fault: Fault, url: str) -> Fault:
    from dataclasses import replace
    from urllib.parse import urlsplit

    if fault.location:
        return replace(fault, location=fault.location.format(
            url=url, path=urlsplit(url).path.lstrip("/")))
    return replace(fault)


@pytest.mark.parametrize("name", sorted(FINAL))
def test_faults_the_crawl_treats_as_final(name: str, replay: ReplayServer,
                                          sqlite_settings: Settings,
                                          reference: Reference) -> None:
    """On a list page the fault costs one night; on an article page it is recorded under its
    kind, reported, and (by the crawl's policy, ``spiders.store.PERMANENT_ERRORS``) not
    fetched again: that one article is missing and nothing else differs."""
    fault, kind = FINAL[name]
    out = run_case(sqlite_settings, replay, {exactly(LIST): _for(fault, LIST),
                                             exactly(LONE_ARTICLE): _for(fault, LONE_ARTICLE)})
    assert stored_errors(sqlite_settings).get(LONE_ARTICLE) == kind
    assert stored_errors(sqlite_settings, "list").get(LIST) == kind
    assert kind in out.faulted.crawl.sites["lfxww"].errors_by_kind
    assert not replay.hits_for(exactly(LONE_ARTICLE))  # the rerun did not ask again
    expected = reference.state.given_up(LONE_ARTICLE, kind)
    assert_recovered(out, Reference(expected, reference.report),
                     health_sites=set(out.faulted.crawl.sites))
