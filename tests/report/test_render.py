"""The report rendered from each dialect: complete, self-contained, escaped, and equal to SQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from pledgewatch.report import build_report
from tests.report.conftest import (
    COPY_SITE,
    HOSTILE,
    JS_URL,
    PLEDGE,
    add_hostile_articles,
    load_warehouse,
)
from tests.report.pages import comparable, overview_from_page, overview_from_sql, parse
from warehouse.db import get_engine

FONT_STACK = re.compile(r'font-family:[^;}]*"PingFang SC"[^;}]*"Microsoft YaHei"[^;}]*'
                        r'"Noto Sans CJK SC"[^;}]*sans-serif;')


def test_report_from_each_dialect(warehouse_url: str, tmp_path: Path,
                                  subtests: pytest.Subtests) -> None:
    load_warehouse(warehouse_url, tmp_path / "data")
    add_hostile_articles(warehouse_url)
    out = tmp_path / "report"
    result = build_report(warehouse_url, out)
    with get_engine(warehouse_url).connect() as conn:
        pledge_ids = set(conn.execute(text("SELECT id FROM dim_pledge")).scalars())
        monthly = conn.execute(text("SELECT SUM(mentions) FROM v_mentions_monthly")).scalar()
        weekly = dict(conn.execute(text(
            "SELECT site, SUM(articles) FROM v_articles_weekly GROUP BY site")).all())
    pages = sorted(out.rglob("*.html"))

    with subtests.test("a page per pledge"):
        assert result.pledges == len(pledge_ids)
        assert {p.stem for p in (out / "pledges").glob("*.html")} == pledge_ids
        assert result.pages == len(pages) == len(pledge_ids) + 2

    with subtests.test("self-contained pages"):
        for page in pages:
            html = page.read_text(encoding="utf-8")
            assert html.startswith("<!DOCTYPE html>"), page
            assert '<meta charset="utf-8">' in html
            assert "default-src 'none'" in html  # no script, no remote anything
            assert FONT_STACK.search(html), page
            assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", html), page
            assert not re.search(r"""\ssrc=["']?(https?:)?//""", html), page

    with subtests.test("overview equals SQL"):
        shown = overview_from_page(parse((out / "index.html").read_text(encoding="utf-8")))
        assert comparable(shown) == comparable(overview_from_sql(warehouse_url))
        doc = parse((out / "index.html").read_text(encoding="utf-8"))
        bars = doc.xpath("//section[h2[@id='per-month']]//*[local-name()='rect'][@data-value]")
        assert sum(int(b.get("data-value")) for b in bars) == monthly

    with subtests.test("hostile text escaped"):
        for page in pages:
            html = page.read_text(encoding="utf-8")
            assert HOSTILE not in html, page
            assert 'href="javascript:' not in html.lower(), page
        html = (out / "pledges" / f"{PLEDGE}.html").read_text(encoding="utf-8")
        assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html
        assert JS_URL.replace("'", "&#39;") in html  # shown as text

    with subtests.test("pledge page: highlights and syndicated copies"):
        doc = parse((out / "pledges" / f"{PLEDGE}.html").read_text(encoding="utf-8"))
        assert doc.xpath("//p[@class='evidence']/mark[text()='博远风电项目']")
        assert COPY_SITE in " ".join(doc.xpath("//p[@class='copies']//text()"))
        assert doc.xpath("//blockquote[@class='seed']/text()")

    with subtests.test("site health"):
        doc = parse((out / "sites.html").read_text(encoding="utf-8"))
        lf = doc.xpath("//tr[@data-site='lfxww']")[0]
        assert "degraded" in lf.text_content() and lf.get("class") == "failing"
        assert lf.xpath(".//*[@data-errors='3']")
        assert "no crawl recorded" in doc.xpath("//tr[@data-site='linfen_gov']")[0].text_content()
        for site, total in weekly.items():
            bars = doc.xpath(f"//h3[@data-site='{site}']/following-sibling::*[1]"
                             "//*[local-name()='rect'][@data-value]")
            assert sum(int(b.get("data-value")) for b in bars) == total, site


def test_rerendering_drops_pages_of_removed_pledges(sqlite_url: str, tmp_path: Path) -> None:
    from pledgewatch.pipeline.pledges import sync_pledges
    from pledgewatch.settings import load_settings

    sync_pledges(load_settings({"PLEDGEWATCH_DB_URL": sqlite_url,
                                "PLEDGEWATCH_DATA_DIR": str(tmp_path / "data")}))
    out = tmp_path / "report"
    stale = out / "pledges" / "retired-pledge.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", encoding="utf-8")
    first = build_report(sqlite_url, out)
    assert not stale.exists()
    assert build_report(sqlite_url, out).pages == first.pages
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "No dated story has been linked to a pledge yet." in html
