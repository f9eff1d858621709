"""Hypothesis strategies for untrusted input: markup, page text, URLs, numbers, dates.

Generated input mixes pure noise with the vocabulary the code reacts to (Chinese dates, source
and editor lines, stage cues, pledge names, place names, units), so that examples reach the
interesting branches instead of bouncing off the first check.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

from tests.conftest import REPO

# -- markup ------------------------------------------------------------------------------------

TAGS = ("html", "head", "body", "title", "meta", "div", "p", "span", "a", "b", "font", "br",
        "h1", "h2", "h3", "table", "tr", "td", "ul", "li", "article", "section", "script",
        "style", "noscript", "iframe", "svg", "time", "template", "textarea", "pre", "form")
ATTR_NAMES = ("class", "id", "href", "style", "content", "name", "property", "datetime",
              "hidden", "charset", "http-equiv", "src", "onerror")
ATTR_VALUES = ("content", "article", "main", "nav footer", "display:none", "og:title",
               "PubDate", "description", "2022-05-06 10:00:00", "gbk", "utf-16",
               "javascript:alert(1)", "text/html; charset=gb2312", "xb-h2", "")
PAGE_WORDS = (
    "临汾新闻网讯 蒲县召开重点项目建设推进会，安排部署下一阶段工作，要求确保项目早开工、早见效。",
    "蒲县博远风电项目日前顺利实现并网发电。", "2022年3月5日", "2022-05-06 10:00:00",
    "二〇二二年三月五日", "发布时间：2022-05-06", "来源：临汾日报", "责任编辑：姚建",
    "记者 王长波 通讯员 张鹏", "（记者 王长波）", "相关新闻", "上一篇", "打印本页", "&nbsp;",
    "&lt;script&gt;", "&#x4e2d;", "&#99999999;", "\x00", "\u3000", "\r\n", "<!--", "-->",
    "<![CDATA[", "]]>", "<?xml version='1.0' encoding='gb2312'?>", "<!DOCTYPE html>", "</",
)


def _render(node: object) -> str:
    if isinstance(node, str):
        return node
    tag, attrs, children, closed = node  # type: ignore[misc]
    rendered = "".join(f' {k}="{v}"' if v is not None else f" {k}" for k, v in attrs)
    inner = "".join(_render(child) for child in children)
    return f"<{tag}{rendered}>{inner}" + (f"</{tag}>" if closed else "")


_text_leaf = st.one_of(st.sampled_from(PAGE_WORDS), st.text(max_size=12))
_attrs = st.lists(st.tuples(st.sampled_from(ATTR_NAMES),
                            st.one_of(st.none(), st.sampled_from(ATTR_VALUES),
                                      st.text(max_size=8).map(lambda s: s.replace('"', "")))),
                  max_size=3)
_trees = st.recursive(
    _text_leaf,
    lambda children: st.tuples(st.sampled_from(TAGS), _attrs, st.lists(children, max_size=5),
                               st.booleans()),
    max_leaves=40,
)
#: A page: a forest of generated elements (some left unclosed), rendered to text.
html_pages = st.lists(_trees, max_size=6).map(lambda nodes: "".join(map(_render, nodes)))

CONTENT_TYPES = (None, "text/html", "text/html; charset=utf-8", "text/html; charset=gb2312",
                 "text/html; charset=GBK", "text/html; charset=iso-8859-1", "charset=bogus",
                 "text/html; charset=utf-16", "text/html; charset=big5", "application/json")
content_types = st.sampled_from(CONTENT_TYPES)

# -- text ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def devset_texts() -> tuple[str, ...]:
    """Titles and bodies of the labelled articles: real-shaped Chinese news text."""
    path = Path(REPO) / "tests/data/devset/articles.jsonl"
    texts: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            texts.extend((record["title"], record["body"]))
    return tuple(texts)


@st.composite
def devset_slices(draw: st.DrawFn, min_size: int = 0) -> str:
    """A piece of a real article body."""
    text = draw(st.sampled_from(devset_texts()))
    start = draw(st.integers(0, max(0, len(text) - min_size)))
    end = draw(st.integers(min(len(text), start + min_size), len(text)))
    return text[start:end]


NEWS_WORDS = (
    "蒲县", "临汾", "隰县", "古县", "古县乡", "薛关镇", "克城镇", "并网发电", "开工建设", "竣工",
    "建成投用", "主体封顶", "将于", "计划", "预计", "力争", "已", "目前", "尚未", "未", "后",
    "完成", "累计完成", "新增", "1.72万亩", "一万六千六百亩", "53个", "8个", "1.2亿元",
    "10万千瓦", "100兆瓦", "40%", "六成", "。", "，", "；", "：", "\n", " ", "(wǎng)", "?/p>",
    "１２３", "臺灣", "網", "一" * 30 + "亩", "9" * 400 + "个", "零个", "0元",
)
#: Text that reads a little like news: noise interleaved with the words the code reacts to.
news_text = st.lists(st.one_of(st.sampled_from(NEWS_WORDS), st.text(max_size=6),
                               devset_slices()), max_size=25).map("".join)
