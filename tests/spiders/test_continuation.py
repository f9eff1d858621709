"""Which URLs are later pages of an article: the declared continuation rule, as the crawl and
processing both read it."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from spiders.sites import (
    SITES_DIR,
    Continuation,
    SiteDeclarationError,
    load_sites,
    parse_site,
)
from spiders.spider import continuation_urls, first_page_url
from tests.spiders.golden_cases import recorded_response

SITES = load_sites()
PAGE_1 = "http://lf.sxgov.cn/content/2022-11/18/content_12862105.htm"
PAGE_2 = "http://lf.sxgov.cn/content/2022-11/18/content_12862105_2.htm"


def test_sxgov_declares_the_n_suffix_rule() -> None:
    sx = SITES["sxgov_lf"]
    assert sx.page_of(PAGE_2) == (PAGE_1, 2)
    assert sx.page_of(PAGE_1) == (PAGE_1, 1)
    # A page of a photo set seen on the site; and the id is not read as a page number.
    assert sx.page_of("http://lf.sxgov.cn/content/2017-11/01/content_8386693_5.htm") == (
        "http://lf.sxgov.cn/content/2017-11/01/content_8386693.htm", 5)
    assert sx.page_of("http://lf.sxgov.cn/content/2023-08/05/content_13046438.htm")[1] == 1


def test_the_default_rule_is_the_n_suffix() -> None:
    rule = Continuation()
    assert rule.split("http://example.cn/a/content_77_3.shtml") == (
        "http://example.cn/a/content_77.shtml", 3)
    assert rule.split("http://example.cn/a/content_1234.html")[1] == 1  # an id, not a page
    assert rule.split("http://example.cn/a/content_77_1.htm") == (
        "http://example.cn/a/content_77_1.htm", 1)  # no page 1 spelled "_1" when pages count 2+
    assert Continuation(second_page=1).split("http://example.cn/t20220809_13377_1.html") == (
        "http://example.cn/t20220809_13377.html", 2)  # TRS counts its pages from _1
    assert Continuation(regex=None).split(PAGE_2) == (PAGE_2, 1)


def test_a_short_trs_id_is_no_page_number() -> None:
    """``t20220809_582.html`` matches the default ``_N`` rule, but ``t20220809.html`` is no
    article of the site: it is its own article, not page 582 of another."""
    px = SITES["puxian_gov"]
    url = "http://www.puxian.gov.cn/xwzx/pxyw/202208/t20220809_582.html"
    assert px.page_of(url) == (url, 1)
    other = "http://www.puxian.gov.cn/xwzx/pxyw/202208/t20220809_583.html"
    body = (f'<html><body><div class="TRS_Editor"><p>蒲县召开会议。</p></div>'
            f'<ul><li><a href="{other}">相关新闻</a></li></ul></body></html>').encode()
    response = HtmlResponse(url, body=body, encoding="utf-8")
    # The rule written in the spider before read this related story as page 583 of this one.
    assert continuation_urls(response, px) == []
    assert first_page_url(response, px) is None


def test_recorded_two_page_story_names_its_pages_both_ways() -> None:
    sx = SITES["sxgov_lf"]
    first = recorded_response(PAGE_1)
    assert isinstance(first, HtmlResponse)
    assert continuation_urls(first, sx) == [PAGE_2]
    assert first_page_url(first, sx) is None
    second = recorded_response(PAGE_2)
    assert isinstance(second, HtmlResponse)
    assert continuation_urls(second, sx) == []  # it links page 1, which is no later page
    assert first_page_url(second, sx) == PAGE_1


def test_a_rule_without_its_groups_is_refused(tmp_path: Path) -> None:
    original = (SITES_DIR / "sxgov_lf.yaml").read_text(encoding="utf-8")
    bad = original.replace("(?P<page>", "(?P<number>")
    assert bad != original
    with pytest.raises(SiteDeclarationError, match=r"continuation\.regex.*first, page and ext"):
        parse_site(bad, "sxgov_lf.yaml")
