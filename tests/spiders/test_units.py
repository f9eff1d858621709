"""Small pure pieces: dates and the window, list pagination rules, search, errors, settings."""

from __future__ import annotations

import datetime as dt

from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError

from spiders import listing
from spiders.dates import LinkDate, Window, id_date, in_window, link_date, url_date
from spiders.errors import PageError, classify
from spiders.middlewares.backoff import BackoffMiddleware
from spiders.search import parse_results, queries, request_body
from spiders.settings import for_site, user_agent
from spiders.sites import DateRules, Pagination, SearchBlock, load_sites

SITES = load_sites()


def test_url_dates() -> None:
    rules = DateRules()
    assert url_date("http://www.puxian.gov.cn/zjpx/lyjd/202208/t20220809_13377.html",
                    rules) == dt.date(2022, 8, 9)
    assert url_date("http://lf.sxgov.cn/content/2023-08/05/content_13046438.htm",
                    rules) == dt.date(2023, 8, 5)
    assert url_date("https://lf.sxrb.com/content/202601/13/c85472.html",
                    rules) == dt.date(2026, 1, 13)
    assert url_date("http://www.lfxww.com/puxian/2688412.html", rules) is None


def test_id_clock_and_window() -> None:
    rules = SITES["lfxww"].date_rules
    guess = id_date("http://www.lfxww.com/2022/gzlsslh/fzrft/2685169.html", rules)
    assert guess == dt.date(2022, 2, 15)
    later = id_date("http://www.lfxww.com/puxian/2712904.html", rules)
    assert later is not None and dt.date(2022, 9, 1) < later < dt.date(2023, 9, 1)
    date = link_date("http://www.lfxww.com/puxian/2712904.html", "", rules)
    assert date is not None and date.source == "id" and date.slack_days == 120
    assert in_window(LinkDate(dt.date(2021, 5, 1), "list"), dt.date(2022, 1, 1),
                     None) is Window.TOO_OLD
    assert in_window(LinkDate(dt.date(2021, 12, 1), "url", 60), dt.date(2022, 1, 1),
                     None) is Window.IN
    assert in_window(LinkDate(dt.date(2023, 5, 1), "list"), None,
                     dt.date(2022, 12, 31)) is Window.TOO_NEW
    assert in_window(None, dt.date(2022, 1, 1), None) is Window.UNKNOWN


def test_list_date_beside_link_wins_over_url_date() -> None:
    rules = SITES["puxian_gov"].date_rules
    date = link_date("http://www.puxian.gov.cn/xwzx/pxyw/202208/t20220809_14960.html",
                     "蒲县召开县校合作工作推进会 2022-05-10", rules)
    assert date == LinkDate(dt.date(2022, 5, 10), "list")


def test_trs_pager_script() -> None:
    rule = Pagination(style="trs")
    html = '<script>createPageHTML(3, 0, "index", "html");</script>'
    nxt = listing.next_page(html, "http://www.puxian.gov.cn/xwzx/pxyw/", rule)
    assert nxt == listing.NextPage("http://www.puxian.gov.cn/xwzx/pxyw/index_1.html",
                                   "trs_script")
    html = '<script>createPage(3, 2, "index", "html");</script>'
    assert listing.next_page(html, "http://x.cn/a/index_2.html", rule).url is None
    # No pager script on the page: fall back to the index_n guess, counted as such.
    assert listing.next_page("<p></p>", "http://x.cn/a/", rule).path == "trs_missing/blind"


def test_chan_n_and_index_n() -> None:
    chan = Pagination(style="chan_n", pager_text_selector="div.page p")
    page = '<div class="page"><p>1 / 2</p></div>'
    nxt = listing.next_page(page, "http://www.linfen.gov.cn/zhujian/channels/11353.html", chan)
    assert nxt.url == "http://www.linfen.gov.cn/zhujian/channels/11353_2.html"
    last = '<div class="page"><p>2 / 2</p></div>'
    assert listing.next_page(last, nxt.url, chan).path == "last_page"
    index = Pagination(style="index_n")
    pager = '<a href="index_1.html">2</a><a href="index_2.html">下一页</a>'
    assert listing.next_page(pager, "http://www.lfxww.com/puxian/index_1.html",
                             index).url == "http://www.lfxww.com/puxian/index_2.html"
    blind = listing.next_page("<ul></ul>", "http://www.lfxww.com/puxian/", index)
    assert blind.path == "blind" and blind.url.endswith("/puxian/index_1.html")


def test_generic_fallback_when_selectors_miss() -> None:
    site = SITES["lfxww"]
    html = ('<div class="new-template"><a href="/puxian/2701208.html">华润万家</a>'
            '<a href="http://www.sxgov.cn/content/1.htm">off</a><a href="/puxian/">list</a></div>')
    found = listing.parse_links(html, "http://www.lfxww.com/puxian/", site, site.list_pages[0])
    assert found.path == "generic"
    assert [link.url for link in found.links] == ["http://www.lfxww.com/puxian/2701208.html"]


def test_search_queries_and_answers() -> None:
    block = SITES["linfen_gov"].search
    assert isinstance(block, SearchBlock)
    words = queries(block, [["博远风电", "博远风电场"], ["蒲县抽水蓄能电站"], ["博远风电"]])
    assert words == ["蒲县 博远风电", "蒲县抽水蓄能电站"]
    body = request_body(block, "蒲县 博远风电", 2)
    assert b'"orderBy": "related"' in body and b'"pageNo": 2' in body
    answer = ('{"data":{"middle":{"listAndBox":[{"data":{"url":"http://a/b.html",'
              '"title_no_tag":"t","time":"2022-01-02"}}]},"pager":{"pageCount":3}}}')
    result = parse_results(answer, block)
    assert result.ok and result.page_count == 3 and result.hits[0].url == "http://a/b.html"
    assert not parse_results(b"<html>", block).ok


def test_error_kinds() -> None:
    request = Request("http://www.lfxww.com/puxian/1.html")
    for status, kind in ((404, "http_404"), (403, "http_4xx"), (503, "http_5xx")):
        response = Response(request.url, status=status, request=request)
        assert classify(HttpError(response)) == (kind, response)
    assert classify(DownloadTimeoutError("slow"))[0] == "timeout"
    assert classify(DownloadCancelledError("Received 9 bytes larger than max size"))[0] == (
        "too_large")
    assert classify(IgnoreRequest("Forbidden by robots.txt"))[0] == "robots"
    assert classify(PageError("redirect_loop"))[0] == "redirect_loop"
    assert classify(ConnectionRefusedError())[0] == "connection"


def test_settings_are_polite_and_closed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("PLEDGEWATCH_USER_AGENT", raising=False)
    monkeypatch.setenv("PLEDGEWATCH_CONTACT", "ops@example.org")
    settings = for_site(SITES["lfxww"], {"CONCURRENT_REQUESTS_PER_DOMAIN": 16,
                                         "TELNETCONSOLE_ENABLED": True})
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert settings["TELNETCONSOLE_ENABLED"] is False
    assert settings["REMOTE_CONTROL_ENABLED"] is False
    assert settings["EXTENSIONS"]["scrapy.extensions.remote_control.RemoteControl"] is None
    assert settings["ROBOTSTXT_OBEY"] is True and settings["AUTOTHROTTLE_ENABLED"] is True
    assert settings["DOWNLOAD_DELAY"] == SITES["lfxww"].politeness.delay
    assert user_agent() == "pledgewatch/0.1 (+ops@example.org)"
    assert settings["USER_AGENT"] == user_agent()


def test_backoff_doubles_and_caps() -> None:
    backoff = BackoffMiddleware(base=1.0, cap=5.0)
    assert [backoff.delay_for(n) for n in range(5)] == [0.0, 1.0, 2.0, 4.0, 5.0]
