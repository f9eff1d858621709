"""Hostile pages cost bounded time: huge, element-bomb and deeply nested pages.

Parsing costs per element and per character, so both are capped before the parser runs
(`transforms.extract.tree.MAX_HTML_CHARS`, `MAX_TAGS`); nesting is walked iteratively, never
recursively. The limits are generous for news (the largest real page in extbench has ~15,000
tags and 1.5 MB), tiny for an attack.
"""

from __future__ import annotations

import time

import pytest

from transforms.extract import decode_html, extract_article
from transforms.extract.tree import MAX_HTML_CHARS, MAX_TAGS

URL = "http://www.lfxww.com/puxian/2688412.html"
STORY = "<p>临汾新闻网讯 蒲县召开重点项目建设推进会，安排部署下一阶段工作，要求确保项目早开工、早见效。</p>"
MB = 1_000_000
# Generous for a loaded CI machine; uncapped, each page below takes 8 to 25 s here.
BUDGET = 8.0


def timed_extract(page: str | bytes, content_type: str | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    article = extract_article(page, URL, content_type=content_type)
    return time.perf_counter() - started, article.body


def test_a_50_mb_page_is_truncated_quickly() -> None:
    head = "<html><head><title>蒲县新闻</title></head><body>" + STORY
    page = (head + STORY * (50 * MB // len(STORY.encode()))).encode("utf-8")
    assert len(page) > 50 * MB
    seconds, body = timed_extract(page, "text/html; charset=utf-8")
    assert seconds < BUDGET, f"{seconds:.1f}s for a 50 MB page"
    assert "蒲县召开重点项目建设推进会" in body  # the start of the page is still read
    assert len(body) < MAX_HTML_CHARS


@pytest.mark.parametrize("unit", ["<i>a</i>", "<p>蒲县。</p>", "<div>", "<br>", "<a href=x>y</a>"])
def test_an_element_bomb_is_cut_at_the_tag_limit(unit: str) -> None:
    """Millions of tiny elements within the character limit: the tag limit bounds the work."""
    page = "<html><body>" + STORY + unit * (MAX_HTML_CHARS // len(unit))
    seconds, body = timed_extract(page)
    assert seconds < BUDGET, f"{seconds:.1f}s for {MAX_HTML_CHARS // len(unit)} x {unit}"
    assert "蒲县召开重点项目建设推进会" in body


def test_a_page_within_the_limits_is_read_whole() -> None:
    """The caps cut attacks, not news: a long real-sized page keeps its last paragraph."""
    paragraphs = [f"<p>第{i}段：蒲县召开重点项目建设推进会，安排部署下一阶段工作。</p>"
                  for i in range(MAX_TAGS // 10)]
    page = "<html><body><div class='content'>" + "".join(paragraphs) + "</div></body></html>"
    body = extract_article(page, URL).body
    assert f"第{MAX_TAGS // 10 - 1}段" in body


def test_deep_nesting_is_walked_without_recursion() -> None:
    page = "<html><body>" + "<div>" * 100_000 + STORY + "</div>" * 100_000 + "</body></html>"
    seconds, _ = timed_extract(page)  # lxml caps the depth; nothing here may recurse
    assert seconds < BUDGET


def test_decoding_a_huge_mislabelled_page_is_quick() -> None:
    """A page labelled latin-1 over GB bytes is re-checked as GB; the check reads a sample."""
    raw = ("蒲县" * (10 * MB)).encode("gb18030")
    started = time.perf_counter()
    text = decode_html(raw, "text/html; charset=iso-8859-1")
    assert time.perf_counter() - started < BUDGET / 2
    assert text.startswith("蒲县蒲县")
