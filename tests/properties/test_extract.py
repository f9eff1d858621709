"""Any page in, a well-formed article out: `extract_article` and `decode_html` on hostile input.

A crawled page is untrusted: it can be garbage, binary, mislabelled, a soup of attributes or
nested ten thousand levels deep. Whatever it is, extraction returns an `ExtractedArticle` whose
fields keep their promises (types, one-line title, aware and plausible date, JSON-ready), and
decoding returns text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from spiders.sites import load_site
from tests.properties.strategies import content_types, devset_slices, html_pages
from transforms.extract import ExtractedArticle, ExtractionRules, decode_html, extract_article

URL = "http://www.lfxww.com/puxian/2688412.html"
FIELDS = ("title", "published", "source", "author", "editor", "body")
METHODS = ("site", "meta", "url", "generic", "none")
LFXWW = ExtractionRules.from_mapping(load_site("lfxww").extraction)
STORY = "临汾新闻网讯 蒲县召开重点项目建设推进会，安排部署下一阶段工作，要求确保项目早开工、早见效。"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])


def assert_well_formed(article: ExtractedArticle, url: str = URL) -> None:
    assert isinstance(article, ExtractedArticle)
    assert article.url == url
    assert set(article.methods) == set(FIELDS)
    assert set(article.methods.values()) <= set(METHODS)
    for name in ("title", "source", "author", "editor"):
        value = getattr(article, name)
        # a field is None exactly when no path found it
        assert (value is None) == (article.methods[name] == "none"), name
        if value is not None:
            assert isinstance(value, str) and value.strip(), name
            assert not _CONTROL.search(value), name
    assert article.title is None or "\n" not in article.title
    assert isinstance(article.paragraphs, tuple)
    assert (not article.paragraphs) == (article.methods["body"] == "none")
    for paragraph in article.paragraphs:
        assert isinstance(paragraph, str) and paragraph.strip()
        assert "\n" not in paragraph and not _CONTROL.search(paragraph)
    assert article.body == "\n".join(article.paragraphs)
    published = article.published
    assert (published is None) == (article.methods["published"] == "none")
    if published is not None:
        assert isinstance(published, dt.datetime)
        offset = published.utcoffset()
        assert offset is not None, "naive datetime"
        assert abs(offset) <= dt.timedelta(hours=14)
        assert 1900 <= published.year <= 2100
    json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")


@given(html_pages, content_types)
@settings(FAST, max_examples=120)
@example("<html><body><p>" + STORY + "</p></body></html>", None)
@example("<title>x</title><h2 class='h2 text-center xb-h2'>标题</h2><div class='col-md-12 nry "
         "jcontent'><p>" + STORY + "</p></div>", "text/html; charset=gb2312")
def test_generated_markup_gives_a_well_formed_article(page: str, content_type: str | None) -> None:
    first = extract_article(page, URL)
    assert_well_formed(first)
    assert extract_article(page, URL) == first  # no hidden state between calls
    assert_well_formed(extract_article(page, URL, rules=LFXWW))
    for encoding in ("utf-8", "gb18030"):
        raw = page.encode(encoding, errors="replace")
        assert_well_formed(extract_article(raw, URL, rules=LFXWW, content_type=content_type))


@given(st.binary(max_size=4000), content_types)
@settings(FAST, max_examples=120)
@example(b"\xff\xfe\x00<\x00p\x00>", "text/html; charset=utf-16")
@example(b"\xef\xbb\xbf\xff\xff", None)
@example(b"<meta charset='utf-16'>\xe8\x92\xb2\xe5\x8e\xbf", None)
def test_random_bytes_give_a_well_formed_article(raw: bytes, content_type: str | None) -> None:
    assert_well_formed(extract_article(raw, URL, content_type=content_type))
    text = decode_html(raw, content_type)
    assert isinstance(text, str)


@given(st.lists(st.tuples(st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_:", min_size=1,
                                  max_size=12),
                          st.text(max_size=30).map(lambda s: s.replace('"', "&quot;"))),
                min_size=1, max_size=20),
       st.integers(min_value=200, max_value=5000), st.booleans(),
       st.sampled_from(["div", "p", "meta", "a", "body"]))
@settings(FAST, max_examples=8)
def test_attribute_soup_is_survived(attributes: list[tuple[str, str]], count: int, numbered: bool,
                                    tag: str) -> None:
    """One element carrying thousands of attributes (repeated or distinct names, junk values)."""
    soup = " ".join(f'{name}{i if numbered else ""}="{value}"' for i in range(count // len(
        attributes)) for name, value in attributes)
    page = f"<html><head><title>标题</title></head><body><{tag} {soup}><p>{STORY}</p></{tag}>" \
           f"<p>{STORY}</p></body></html>"
    started = time.perf_counter()
    article = extract_article(page, URL, rules=LFXWW)
    assert time.perf_counter() - started < 10
    assert_well_formed(article)
    assert STORY in article.body  # the paragraph after the soup is still read


@given(st.integers(min_value=500, max_value=10_000), st.sampled_from(["div", "span", "td", "b"]),
       st.booleans())
@settings(FAST, max_examples=4)
@example(10_000, "div", True)
@example(10_000, "span", False)
def test_deep_nesting_costs_time_not_the_stack(depth: int, tag: str, closed: bool) -> None:
    page = ("<html><body>" + f"<{tag}>" * depth + f"<p>{STORY}</p>"
            + (f"</{tag}>" * depth if closed else "") + "</body></html>")
    started = time.perf_counter()
    article = extract_article(page, URL, rules=LFXWW)  # site rules: selectors on a deep tree
    assert time.perf_counter() - started < 15
    assert_well_formed(article)
    assert STORY in article.body


# -- decoding ------------------------------------------------------------------------------------

_no_markup = st.characters(blacklist_categories=("Cs",), blacklist_characters="<\ufeff")


@given(st.text(alphabet=_no_markup, max_size=300), content_types)
@settings(FAST, max_examples=150)
def test_utf8_text_round_trips(text: str, content_type: str | None) -> None:
    """Valid UTF-8 wins over any single- or double-byte label (pages re-saved as UTF-8)."""
    if content_type and "utf-16" in content_type:
        return  # a UTF-16 label is believed when the bytes decode under it (tests/extract)
    assert decode_html(text.encode("utf-8"), content_type) == text


@given(devset_slices(min_size=40), st.sampled_from(["text/html; charset=gb2312",
                                                    "text/html; charset=GBK", None]))
@settings(FAST, max_examples=60)
def test_gb_news_text_round_trips(text: str, content_type: str | None) -> None:
    """Real Chinese news text in GB18030, declared or not, comes back as it was written."""
    if len(text.encode("gb18030")) == len(text.encode("utf-8", "ignore")) and text.isascii():
        return
    assert decode_html(text.encode("gb18030"), content_type) == text


@given(st.binary(max_size=3000), st.one_of(st.none(), st.text(max_size=40)))
@settings(FAST, max_examples=150)
def test_decode_never_raises(raw: bytes, content_type: str | None) -> None:
    assert isinstance(decode_html(raw, content_type), str)
