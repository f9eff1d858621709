"""The report in a real headless Chromium, from file://: counts, order, a hostile headline."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from pledgewatch.report import build_report
from tests.report.browser import (
    ARTIFACTS,
    WINDOW,
    dump_dom,
    png_size,
    requires_chromium,
    screenshot,
)
from tests.report.conftest import HOSTILE, PLEDGE, add_hostile_articles, load_warehouse
from tests.report.pages import (
    comparable,
    overview_from_page,
    overview_from_sql,
    parse,
    pledge_title,
    timeline_from_sql,
)
from warehouse.migrate import upgrade

pytestmark = requires_chromium


@dataclass(frozen=True)
class Built:
    url: str
    out: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One SQLite warehouse with the recorded news and the hostile articles, rendered once."""
    root = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{root / 'warehouse.sqlite'}"
    upgrade(url)
    load_warehouse(url, root / "data")
    add_hostile_articles(url)
    out = root / "report"
    build_report(url, out)
    return Built(url=url, out=out)


def test_overview_counts_match_sql(built: Built) -> None:
    doc = parse(dump_dom(built.out / "index.html"))
    shown = overview_from_page(doc)
    assert comparable(shown) == comparable(overview_from_sql(built.url))
    assert shown["pledges"] == len(shown["rows"]) > 50
    assert shown["overdue"] > 0 and shown["completed"] > 0
    # The month chart adds up to the mentions the view counts.
    bars = doc.xpath("//section[h2[@id='per-month']]//*[local-name()='rect'][@data-value]")
    assert bars and sum(int(b.get("data-value")) for b in bars) > 0


def test_pledge_page_lists_stories_in_date_order(built: Built) -> None:
    doc = parse(dump_dom(built.out / "pledges" / f"{PLEDGE}.html"))
    stories = doc.xpath("//ol[@class='timeline']/li[@data-article-id]")
    ids = [int(li.get("data-article-id")) for li in stories]
    assert ids == timeline_from_sql(built.url, PLEDGE)
    dates = [li.get("data-date") for li in stories]
    assert len(dates) >= 7 and dates == sorted(dates) and all(dates)
    shown = [li.xpath(".//time")[0].text_content() for li in stories]
    assert shown == dates
    marks = doc.xpath("//ol[@class='timeline']//p[@class='evidence']/mark/text()")
    assert marks and all("博远风电" in m for m in marks)


def test_hostile_headline_shows_as_text_and_never_runs(built: Built) -> None:
    page = built.out / "pledges" / f"{PLEDGE}.html"
    dom = dump_dom(page)
    doc = parse(dom)
    # Nothing ran: the title is the pledge's, no element was injected.
    assert doc.findtext(".//title") == f"{pledge_title(built.url, PLEDGE)} · pledgewatch"
    assert "pwned" not in doc.findtext(".//title")
    assert doc.xpath("//script") == []
    assert doc.xpath("//img") == []
    assert not [e for e in doc.iter() if isinstance(e.tag, str) and e.get("onerror")]
    # ...and the headline and evidence show the markup as text, escaped in the DOM.
    headlines = [h.text_content().strip() for h in doc.xpath("//h3[@class='headline']")]
    assert HOSTILE in headlines
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in dom
    evidence = [p.text_content() for p in doc.xpath("//p[@class='evidence']")]
    assert any(HOSTILE in e for e in evidence)
    # A javascript: URL is shown, never linked.
    hrefs = [a.get("href") for a in doc.xpath("//a[@href]")]
    assert hrefs and not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    assert doc.xpath("//span[@class='unsafe-url']")


def test_the_harness_would_see_a_script_run(tmp_path: Path) -> None:
    """Control: the same payload unescaped does run here, so the test above can fail.

    ``alert()`` is swapped for a title change: a real dialog would block headless Chromium
    until the timeout (which is how the test above would fail if the payload ever ran).
    """
    payload = HOSTILE.replace("alert(1)", "document.title+='!'")
    page = tmp_path / "control.html"
    page.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>control</title>"
                    f"</head><body><h3>{payload}</h3></body></html>", encoding="utf-8")
    doc = parse(dump_dom(page))
    assert doc.findtext(".//title").startswith("pwned")
    assert doc.xpath("//img")


def test_screenshots_are_saved_as_artifacts(built: Built) -> None:
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True,
                           check=False).stdout
    assert fonts.strip(), "no CJK font: Chinese would render as boxes; run .ci/chromium.sh"
    for name, page in (("index", built.out / "index.html"),
                       ("pledge", built.out / "pledges" / f"{PLEDGE}.html"),
                       ("sites", built.out / "sites.html")):
        shot = screenshot(page, ARTIFACTS / f"report-{name}.png")
        assert png_size(shot) == WINDOW
        assert shot.stat().st_size > 20_000, f"{shot} looks blank"
