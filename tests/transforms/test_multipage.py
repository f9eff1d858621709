"""Joining the pages of a multi-page story: page order, and where the headline fields come from."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from transforms.extract import ExtractedArticle
from transforms.multipage import join_pages

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE_1 = "http://lf.sxgov.cn/content/2022-11/18/content_12862105.htm"
PAGE_2 = "http://lf.sxgov.cn/content/2022-11/18/content_12862105_2.htm"
PAGE_3 = "http://lf.sxgov.cn/content/2022-11/18/content_12862105_3.htm"
TITLE = "快递物流配送中心建设提速 农村寄递有望再“跑快一步”"
PUBLISHED = dt.datetime(2022, 11, 18, 10, 26, 37, tzinfo=SHANGHAI)
SITE = {"title": "site", "published": "site", "source": "site", "author": "site",
        "editor": "site", "body": "site"}


def page(url: str, *paragraphs: str, **fields: object) -> ExtractedArticle:
    values: dict[str, object] = {"title": TITLE, "published": PUBLISHED,
                                 "source": "黄河新闻网临汾频道", "author": None, "editor": "张晋"}
    values.update(fields)
    methods = dict(SITE)
    methods.update({k: "none" for k, v in values.items() if v is None})
    return ExtractedArticle(url=url, paragraphs=paragraphs, methods=methods,
                            **values)  # type: ignore[arg-type]


ONE = page(PAGE_1, "黄河新闻网临汾讯（记者 孙伟）蒲县把快递物流配送中心项目列为今年县级重点工程。",
           "11月16日，记者在项目现场看到，施工人员正加紧作业。")
TWO = page(PAGE_2, "目前，快递物流配送中心主体工程已经封顶，项目累计完成投资2600万元。")
THREE = page(PAGE_3, "据了解，配送中心建成投用后，日处理快递能力可达3万件。")


@pytest.mark.parametrize("order", list(itertools.permutations([(1, ONE), (2, TWO), (3, THREE)])))
def test_body_follows_page_order_whatever_the_arrival_order(order: tuple) -> None:
    joined = join_pages(order)
    assert joined.paragraphs == ONE.paragraphs + TWO.paragraphs + THREE.paragraphs
    assert joined.body.splitlines() == list(joined.paragraphs)
    assert joined.url == PAGE_1 and joined.title == TITLE and joined.published == PUBLISHED


def test_page_numbers_order_the_pages_not_their_urls() -> None:
    # Page 10 after page 9, though "_10" sorts before "_9" as text.
    nine = page(PAGE_1.replace(".htm", "_9.htm"), "第九页。")
    ten = page(PAGE_1.replace(".htm", "_10.htm"), "第十页。")
    assert join_pages([(10, ten), (9, nine), (1, ONE)]).paragraphs[-2:] == ("第九页。", "第十页。")


def test_headline_fields_come_from_page_1_else_the_first_later_page_that_has_them() -> None:
    bare = page(PAGE_1, *ONE.paragraphs, title=None, source=None, published=None)
    two = page(PAGE_2, *TWO.paragraphs, source="厚德蒲县", author="记者 孙伟")
    three = page(PAGE_3, *THREE.paragraphs, source="临汾日报", author="记者 王长波")
    joined = join_pages([(3, three), (1, bare), (2, two)])
    assert joined.title == TITLE and joined.published == PUBLISHED
    assert joined.source == "厚德蒲县" and joined.author == "记者 孙伟"  # page 2 before page 3
    assert joined.methods["source"] == "site" and joined.methods["author"] == "site"
    # Page 1 has a source of its own: it wins over the later pages'.
    assert join_pages([(2, two), (1, ONE)]).source == "黄河新闻网临汾频道"


def test_page_1_not_stored_yet_keeps_page_1s_url() -> None:
    joined = join_pages([(3, THREE), (2, TWO)], url=PAGE_1)
    assert joined.url == PAGE_1
    assert joined.paragraphs == TWO.paragraphs + THREE.paragraphs
    assert joined.title == TITLE  # from page 2, the lowest page there is


def test_a_single_page_is_itself() -> None:
    assert join_pages([(1, ONE)]) == ONE


def test_an_empty_page_adds_nothing_and_a_page_without_body_keeps_page_1s_method() -> None:
    empty = page(PAGE_2, title=None)
    joined = join_pages([(1, ONE), (2, empty), (3, THREE)])
    assert joined.paragraphs == ONE.paragraphs + THREE.paragraphs
    assert joined.methods["body"] == "site"


def test_ambiguous_or_missing_pages_are_refused() -> None:
    with pytest.raises(ValueError, match="share a page number"):
        join_pages([(2, TWO), (2, THREE)])
    with pytest.raises(ValueError, match="at least one page"):
        join_pages([])
    with pytest.raises(ValueError, match="start at 1"):
        join_pages([(0, ONE)])
