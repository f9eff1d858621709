"""The crawler only goes where the site declarations say: no server-side request forgery.

A crawled page is written by someone else, so every URL the spider might request next (an
article link, a pager link, a redirect's Location) is hostile until checked. These tests hand
the checks URLs built to confuse a parser: the cloud metadata address, loopback in several
spellings, look-alike hosts, user-info and backslash tricks, protocol-relative links and an
off-site ``<base href>``. (`tests/spiders/test_crawl.py` shows the same over real HTTP: an
off-site redirect recorded as ``offsite_redirect``, two off-site search results dropped.)
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import pytest
from scrapy.http import Request, Response
from w3lib.url import safe_url_string

from spiders.errors import PageError
from spiders.listing import next_page, parse_links
from spiders.middlewares.redirect_guard import RedirectGuardMiddleware
from spiders.sites import load_sites

SITES = load_sites()
HOSTILE = [
    "http://169.254.169.254/latest/meta-data/iam/",
    "http://127.0.0.1:5432/", "http://localhost/admin", "http://[::1]/", "http://0x7f.1/",
    "http://2130706433/", "http://10.0.0.1/internal",
    "file:///etc/passwd", "javascript:alert(1)", "gopher://127.0.0.1:6379/_FLUSHALL",
    "//evil.example/{path}",
    "http://evil.example/{path}",
    "http://{host}.evil.example/{path}",
    "http://{host}@evil.example/{path}",
    "http://evil.example\\@{host}/{path}",
    "http://{host}\\@evil.example/{path}",
    "http:/\\evil.example/{path}",
    "http://evil.example#@{host}/{path}",
    "http://evil.example?@{host}/{path}",
    "http://xn--{host}/{path}",
    "http://{host}:22/{path}",
    "https://evil.example/{host}/{path}",
]


def article_path(site: str) -> str:
    """The path of an article URL the site's pattern accepts (from the recording's answers)."""
    return {"lfxww": "puxian/2700001.html",
            "linfen_gov": "xwzx/pxyw/202208/t20220809_1.html",
            "puxian_gov": "xwzx/pxyw/202208/t20220809_1.html",
            "sxgov_lf": "content/2022-09/16/content_1.htm",
            "sxrb_lf": "content/202208/11/c1.html"}[site]


def hostile_urls(site: str) -> list[str]:
    host = SITES[site].domains[0]
    return [u.format(host=host, path=article_path(site)) for u in HOSTILE]


def requested_host(url: str) -> str:
    """The host Scrapy would connect to for this URL (its own parser, not urllib's)."""
    return (urlsplit(safe_url_string(url)).hostname or "").lower()


@pytest.mark.parametrize("site", sorted(SITES))
def test_list_pages_yield_only_on_site_articles(site: str) -> None:
    declaration = SITES[site]
    host = declaration.domains[0]
    good = f"http://{host}/{article_path(site)}"
    anchors = "".join(f'<a href="{u}">蒲县新闻</a>' for u in hostile_urls(site))
    for page in (f"<html><body><ul>{anchors}<a href='{good}'>好</a></ul></body></html>",
                 f"<html><head><base href='http://169.254.169.254/'></head><body>{anchors}"
                 f"<a href='/{article_path(site)}'>相对</a></body></html>"):
        found = parse_links(page, f"http://{host}/list/", declaration)
        for link in found.links:
            assert requested_host(link.url) in declaration.domains, link.url
            assert declaration.article_pattern.match(link.url), link.url
    assert [lk.url for lk in parse_links(
        f"<a href='{good}'>好</a>" + anchors, f"http://{host}/list/", declaration).links] == [good]


@pytest.mark.parametrize("site", sorted(SITES))
def test_pagination_never_leaves_the_site(site: str) -> None:
    declaration = SITES[site]
    host = declaration.domains[0]
    pagers = "".join(f'<a href="{u}">下一页</a><a href="{u}">2</a>' for u in hostile_urls(site))
    for page_url in (f"http://{host}/puxian/", f"http://{host}/puxian/index_1.html",
                     f"http://{host}/xwzx/pxyw/index.shtml", f"http://{host}/node_1.htm"):
        for base in ("", "<base href='http://169.254.169.254/puxian/'>"):
            html = f"<html><head>{base}</head><body>{pagers}</body></html>"
            nxt = next_page(html, page_url, declaration.pagination)
            if nxt.url is not None:
                assert requested_host(nxt.url) in declaration.domains, nxt


def _guard(allowed: list[str]) -> RedirectGuardMiddleware:
    crawler = SimpleNamespace(spider=SimpleNamespace(allowed_domains=allowed),
                              settings=SimpleNamespace(getbool=lambda *_: True))
    return RedirectGuardMiddleware(crawler)  # type: ignore[arg-type]


@pytest.mark.parametrize("site", sorted(SITES))
def test_a_redirect_is_refused_wherever_scrapy_would_go_off_site(site: str) -> None:
    """The guard must judge the Location as Scrapy will follow it, not as urllib parses it."""
    declaration = SITES[site]
    guard = _guard(list(declaration.domains))
    start = f"http://{declaration.domains[0]}/{article_path(site)}"
    request = Request(start)
    refused_count = 0
    for location in hostile_urls(site):
        response = Response(start, status=302, headers={"Location": location},
                            request=request)
        # Where Scrapy's RedirectMiddleware would send the next request (it follows only
        # http and https), and whether its OffsiteMiddleware counts that host as the site's.
        followed = urlsplit(urljoin(request.url, safe_url_string(location)))
        host = followed.hostname or ""
        on_site = any(host == d or host.endswith("." + d) for d in declaration.domains)
        if followed.scheme not in ("http", "https"):
            continue  # not followed at all
        if on_site:
            assert guard.process_response(request, response) is response, location
            continue
        with pytest.raises(PageError) as refused:
            guard.process_response(request, response)
        assert refused.value.kind == "offsite_redirect", location
        refused_count += 1
    assert refused_count >= 15


def test_an_on_site_redirect_is_followed() -> None:
    guard = _guard(["www.lfxww.com"])
    request = Request("http://www.lfxww.com/puxian/1.html")
    for location in ("/puxian/2.html", "http://www.lfxww.com/puxian/3.html",
                     "https://www.lfxww.com/puxian/4.html"):
        response = Response(request.url, status=301, headers={"Location": location},
                            request=request)
        assert guard.process_response(request, response) is response
