"""Golden cases: recorded pages and what the list parser and the extractor read from them.

Fundus-style: the input is the raw bytes of a recorded page (decoded the way Scrapy decodes
them, from the recorded headers), the expected output is a JSON file per site under
``tests/spiders/golden/``. ``python -m tests.spiders.regen`` rewrites the JSON on purpose; the
tests compare against it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.http.response import Response

from pledgewatch.replay.recording import DEFAULT_ROOT, Recording
from spiders import listing
from spiders.dates import link_date
from spiders.sites import SiteDeclaration, load_sites

GOLDEN = Path(__file__).with_name("golden")
EXPECTED = DEFAULT_ROOT / "expected.yaml"


def recorded_response(url: str, recording: Recording | None = None) -> Response:
    """The recorded answer for ``url`` as a Scrapy response (bytes and headers as sent)."""
    rec = recording or Recording.load()
    reply = rec.reply("GET", url, {}, b"")
    headers = {k: v for k, v in reply.headers}
    cls = HtmlResponse if "html" in headers.get("Content-Type", "") else TextResponse
    return cls(url, status=reply.status, headers=headers, body=reply.body, request=Request(url))


def expected() -> dict[str, Any]:
    return yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))


def list_pages(recording: Recording, site: SiteDeclaration) -> list[str]:
    """Every recorded list page of a site: its declared lists and their later pages."""
    urls: list[str] = []
    for page in site.list_pages:
        url = page.url
        for _ in range(site.max_list_pages):
            response = recorded_response(url, recording)
            if response.status != 200:
                break
            urls.append(url)
            following = listing.next_page(response.text, url, site.pagination_for(page))
            if not following.url or following.path == "blind":
                break
            url = following.url
    return urls


def golden_articles(site_name: str) -> list[str]:
    """The article pages pinned per site: every special case plus the first plain one."""
    arts = expected()["articles"]
    special = ("photo", "old_layout", "no_date_in_body", "seed", "part_of", "syndicated_from",
               "truncated", "url_date")
    chosen = [u for u, a in arts.items() if a["site"] == site_name
              and (any(flag in a for flag in special) or "/contents/" in u
                   or a.get("found_via") == "search")]
    plain = [u for u, a in arts.items() if a["site"] == site_name and u not in chosen]
    return chosen + plain[:2]


def parse_list_case(response: Response, site: SiteDeclaration) -> dict[str, Any]:
    page = next((p for p in site.list_pages if p.url == response.url), None)
    found = listing.parse_links(response.text, response.url, site, page)
    rule = site.pagination_for(page) if page else site.pagination
    following = listing.next_page(response.text, response.url, rule)
    links = []
    for link in found.links:
        date = link_date(link.url, link.context, site.date_rules)
        links.append({"url": link.url, "title": link.title,
                      "date": date.day.isoformat() if date else None,
                      "date_source": date.source if date else None})
    return {"path": found.path, "links": links,
            "next": {"url": following.url, "path": following.path}}


def extract_case(response: Response, site: SiteDeclaration) -> dict[str, Any] | None:
    try:
        from transforms.extract import extract_article
    except ImportError:
        return None
    article = extract_article(response.text, response.url, site.extraction_rules())
    data = article.to_dict()
    data.pop("body", None)
    return data


def build_site(site_name: str) -> dict[str, Any]:
    recording = Recording.load()
    site = load_sites()[site_name]
    lists = {}
    for url in list_pages(recording, site):
        response = recorded_response(url, recording)
        lists[url] = parse_list_case(response, site)
    articles = {}
    for url in golden_articles(site_name):
        response = recorded_response(url, recording)
        articles[url] = {"encoding": getattr(response, "encoding", None),
                         "extracted": extract_case(response, site)}
    return {"site": site_name, "lists": lists, "articles": articles}
