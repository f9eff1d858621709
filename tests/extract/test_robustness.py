"""Untrusted input: garbage, hostile nesting, huge pages. Never a crash, never a hang."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import transforms.extract.article as article_module
import transforms.extract.tree as tree_module
from transforms.extract import ExtractedArticle, ExtractionRules, extract_article

STORY = "<p>临汾新闻网讯 蒲县召开重点项目建设推进会，安排部署下一阶段工作，要求确保项目早开工、早见效。</p>"
FIELDS = {"title", "published", "source", "author", "editor", "body"}


def assert_article(article: ExtractedArticle) -> None:
    assert isinstance(article, ExtractedArticle)
    assert set(article.methods) == FIELDS
    assert set(article.methods.values()) <= {"site", "meta", "url", "generic", "none"}
    assert isinstance(article.paragraphs, tuple)
    article.to_dict()


@pytest.mark.parametrize(
    "html",
    [
        "",
        b"",
        "   ",
        "<<<>>>&&&;;;",
        "<html><body><p>未闭合的段落<div><span>",
        "</p></div></body></html>",
        "<!-- 只有注释 -->",
        "<?xml version='1.0'?><rss><channel><item>蒲县</item></channel></rss>",
        "<html><head><title></title></head><body></body></html>",
        "\x00\x01\x02<p>\x00控制字符\x0b</p>",
        "<table>" * 3000,
        b"\xff\xfe\x00garbage<<<>>>" * 100,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
        "<p>" + "\ud800" + "孤立代理项</p>",
    ],
)
def test_garbage_gives_an_empty_article(html: str | bytes) -> None:
    assert_article(extract_article(html, "http://www.lfxww.com/puxian/1.html"))


def test_wrong_types_do_not_raise() -> None:
    assert_article(extract_article(None, None))  # type: ignore[arg-type]
    assert_article(extract_article(12345, "u"))  # type: ignore[arg-type]
    assert_article(extract_article(bytearray(STORY.encode()), "u"))
    assert_article(extract_article(memoryview(STORY.encode()), "u"))


def test_deeply_nested_divs() -> None:
    depth = 20_000
    html = "<html><body>" + "<div>" * depth + STORY + "</div>" * depth + "</body></html>"
    started = time.perf_counter()
    article = extract_article(html, "u")
    assert time.perf_counter() - started < 15
    assert_article(article)
    assert "蒲县召开重点项目建设推进会" in article.body


def test_deeply_nested_unclosed_inline_tags_with_site_rules() -> None:
    html = "<body><div class='content'>" + "<span><font><b>" * 5000 + STORY
    rules = ExtractionRules.from_mapping({"body": "div.content span font b", "title": "b b b"})
    assert_article(extract_article(html, "u", rules))


def test_recursion_error_gives_an_empty_article(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(html: str) -> None:
        raise RecursionError("too deep")

    monkeypatch.setattr(article_module, "parse_html", explode)
    article = extract_article(STORY, "http://x.cn/a.html")
    assert article.paragraphs == () and set(article.methods.values()) == {"none"}
    assert article.url == "http://x.cn/a.html"


def test_an_internal_error_gives_an_empty_article(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object) -> None:
        raise ValueError("bug")

    monkeypatch.setattr(article_module, "select_body", explode)
    assert_article(extract_article("<html><body>" + STORY * 5 + "</body></html>", "u"))


def test_a_selector_that_fails_at_run_time_is_skipped() -> None:
    rules = ExtractionRules(title=("h1[",), body=("p:nth-child(bogus)",))  # not validated
    article = extract_article("<html><body><h1>标题</h1>" + STORY * 3 + "</body></html>", "u", rules)
    assert_article(article)
    assert article.methods["body"] == "generic"


def test_input_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tree_module, "MAX_HTML_CHARS", 10_000)
    monkeypatch.setattr(article_module, "MAX_HTML_CHARS", 10_000)
    html = "<html><body>" + STORY * 5000 + "</body></html>"
    article = extract_article(html, "u")
    assert 0 < len(article.body) < 10_000
    article = extract_article(html.encode("gb18030"), "u", content_type="charset=gb2312")
    assert 0 < len(article.body) < 40_000


def test_a_large_page_stays_fast() -> None:
    html = "<html><body>" + ("<div><p>" + "长段落，" * 100 + "</p></div>") * 2000 + "</body></html>"
    started = time.perf_counter()
    assert_article(extract_article(html, "u"))
    assert time.perf_counter() - started < 20


tags = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<a href='x'>", "</a>", "<br>",
                        "<table><tr><td>", "</td></tr></table>", "<script>", "</script>",
                        "<!--", "-->", "<h1>", "</h1>", "<meta charset='gbk'>", "&nbsp;",
                        "<title>", "</title>", "<li>", "\n"])
words = st.sampled_from(["蒲县", "临汾新闻网讯", "，", "。", "2022年3月5日", "来源：临汾日报",
                         "责任编辑：姚建", "记者 王长波", "相关新闻", "abc", "12:30", " "])


@given(st.lists(st.one_of(tags, words, st.text(max_size=5)), max_size=80))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_markup_never_raises(pieces: list[str]) -> None:
    html = "".join(pieces)
    assert_article(extract_article(html, "http://www.puxian.gov.cn/a/202208/t20220809_1.html"))
    assert_article(extract_article(html.encode("utf-8", "surrogatepass"), "u"))
