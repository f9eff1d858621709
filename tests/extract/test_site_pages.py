"""Pages in each Linfen site's template shape, with and without the site's rules.

The pages under tests/data/golden/extract/ are raw bytes (the lfxww ones GB2312, as that
DedeCMS-era site serves them) written after docs/sites.md; the JSON beside each is the whole
extraction, with the site rules and without. Regenerate on purpose with
`PLEDGEWATCH_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/extract/test_site_pages.py`.
The explicit assertions below are what the JSON must say in any case.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from transforms.extract import ExtractedArticle, ExtractionRules, date_from_url, extract_article
from transforms.extract.dates import SHANGHAI

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "extract"
REGEN = os.environ.get("PLEDGEWATCH_REGEN_GOLDEN") == "1"

# The selectors docs/sites.md gives for each template (the spiders' own declarations live in
# spiders/sites/ and may differ; these pin what the extractor does with such rules).
RULES = {
    "lfxww": ExtractionRules.from_mapping({
        "title": ["h2.h2.text-center.xb-h2", "div.piccontext h2"],
        "published": ["div.col-md-8.xb-left h3.h4.text-center.xb-h4", "div.piccontext h3"],
        "source": ["div.col-md-8.xb-left h3.h4.text-center.xb-h4", "div.piccontext h3"],
        "body": ["div.col-md-12.nry.jcontent", "div.picshow"],
        "drop": ["div.bdsharebuttonbox", "div.xgxw"],
    }),
    "trs": ExtractionRules.from_mapping({
        "title": ['meta[name="ArticleTitle"]', "div.article h1"],
        "published": ["div.article div.info", 'meta[name="PubDate"]'],
        "source": ['meta[name="ContentSource"]', "div.article div.info"],
        "author": ['meta[name="Author"]'],
        "body": ["div.TRS_Editor", "div.trs_editor_view", "div.TRS_UEDITOR", "#zoom"],
        "drop": ["div.print", "div.related"],
    }),
    "sxgov": ExtractionRules.from_mapping({
        "title": ["div.detail h1", "h1"],
        "published": "#pubtime_baidu",
        "source": "#source_baidu",
        "author": ["#author_baidu", "#editor_baidu"],
        "body": ".Newsfont",
        "drop": ["div.share", "div.page"],
    }),
    "sxrb": ExtractionRules.from_mapping({
        "title": "div.article h1",
        "published": "div.article div.info",
        "source": "div.article div.info",
        "body": "div.article div.content",
    }),
}


@dataclass(frozen=True)
class Case:
    name: str
    url: str
    rules: str
    content_type: str = "text/html"

    def raw(self) -> bytes:
        return (GOLDEN / f"{self.name}.html").read_bytes()

    def run(self, with_rules: bool) -> ExtractedArticle:
        return extract_article(self.raw(), self.url, RULES[self.rules] if with_rules else None,
                               content_type=self.content_type)


CASES = {
    c.name: c for c in [
        Case("lfxww_article", "http://www.lfxww.com/puxian/2688412.html", "lfxww"),
        Case("lfxww_photo", "http://www.lfxww.com/tupian/2660429.html", "lfxww"),
        Case("lfxww_old", "http://www.lfxww.com/puxian/2530262.html", "lfxww"),
        Case("puxian_trs", "http://www.puxian.gov.cn/zjpx/lyjd/202208/t20220809_13377.html",
             "trs", "text/html; charset=utf-8"),
        Case("sxgov", "http://lf.sxgov.cn/content/2022-05/26/content_12650001.htm", "sxgov"),
        Case("sxrb", "https://lf.sxrb.com/content/202601/13/c85472.html", "sxrb",
             "text/html; charset=UTF-8"),
    ]
}

# Page furniture that must never reach a body.
FURNITURE = ("责任编辑", "编辑:", "编辑：", "版权", "分享到", "相关新闻", "相关链接", "热点排行",
             "ICP", "字体", "打印本页", "关闭窗口", "上一篇", "下一篇", "浏览次数", "来源")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def assert_clean(article: ExtractedArticle) -> None:
    for paragraph in article.paragraphs:
        assert paragraph == paragraph.strip() and paragraph
        for word in FURNITURE:
            assert word not in paragraph, (word, paragraph)
    assert article.title not in article.paragraphs


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    case = CASES[name]
    got = {"rules": case.run(True).to_dict(), "generic": case.run(False).to_dict()}
    path = GOLDEN / f"{name}.json"
    if REGEN or not path.exists():
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not REGEN:
            pytest.fail(f"wrote missing golden file {path.name}; check it and commit it")
    assert got == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_ready(name: str) -> None:
    data = CASES[name].run(True).to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["body"] == "\n".join(data["paragraphs"])
    assert set(data["methods"]) == {"title", "published", "source", "author", "editor", "body"}


def test_lfxww_article() -> None:
    for with_rules in (True, False):
        article = CASES["lfxww_article"].run(with_rules)
        assert article.title == "蒲县抽水蓄能电站项目前期工作加速推进"
        assert article.published == sh(2022, 3, 18, 9, 12, 45)
        assert article.source == "临汾日报"
        assert article.author == "记者 王长波 通讯员 张鹏"
        assert article.editor == "姚建"
        assert article.paragraphs[0].startswith("临汾新闻网讯 3月16日，记者在蒲县抽水蓄能电站")
        assert article.paragraphs[-1].endswith("蒲县能源局负责人说。")
        assert len(article.paragraphs) == 5  # including the photo caption
        assert_clean(article)
    with_rules, generic = CASES["lfxww_article"].run(True), CASES["lfxww_article"].run(False)
    assert dict(with_rules.methods) == {"title": "site", "published": "site", "source": "site",
                                        "author": "generic", "editor": "generic",
                                        "body": "site"}
    assert set(generic.methods.values()) == {"generic"}
    assert generic.paragraphs == with_rules.paragraphs


def test_lfxww_photo_page() -> None:
    for with_rules in (True, False):
        article = CASES["lfxww_photo"].run(with_rules)
        assert article.title == "【图片新闻】柏山庙会人气旺"
        assert article.published == sh(2021, 4, 12, 16, 20, 11)
        assert article.source == "临汾新闻网"
        assert article.editor == "张婷"
        assert len(article.paragraphs) == 3
        assert article.paragraphs[0].startswith("4月11日，蒲县柏山东岳庙会")
        assert_clean(article)
    assert CASES["lfxww_photo"].run(True).methods["body"] == "site"


def test_lfxww_old_layout_falls_back_to_generic() -> None:
    article = CASES["lfxww_old"].run(True)  # the 2015 table layout matches none of the rules
    assert article.title == "蒲县煤层气开发利用步入快车道"
    assert article.published == sh(2015, 11, 20, 9, 31)
    assert article.source == "临汾日报"
    assert article.author == "记者 王长波"
    assert article.editor == "李娟"  # from 【责任编辑：李娟】
    assert article.paragraphs[0].startswith("本报讯（记者 王长波）11月18日")
    assert len(article.paragraphs) == 3
    assert_clean(article)
    assert set(article.methods.values()) == {"generic"}


def test_trs_page_prefers_the_on_page_date_over_the_url() -> None:
    case = CASES["puxian_trs"]
    article = case.run(True)
    assert date_from_url(case.url) == date(2022, 8, 9)  # when the page was (re)published
    assert article.published == sh(2022, 2, 15, 10, 6)  # the page's day, PubDate's time
    assert article.methods["published"] == "site"
    assert article.title == "东岳庙：蒲县柏山上的元代古建筑群"
    assert article.source == "蒲县文化和旅游局"
    assert article.author is None  # <meta name="Author" content="">
    assert len(article.paragraphs) == 4
    assert_clean(article)
    generic = case.run(False)
    assert generic.published == sh(2022, 2, 15, 10, 6)
    assert dict(generic.methods) == {"title": "meta", "published": "meta", "source": "meta",
                                     "author": "none", "editor": "none", "body": "generic"}
    assert generic.paragraphs == article.paragraphs


def trs_variant(replacements: dict[str, str]) -> bytes:
    text = CASES["puxian_trs"].raw().decode("utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text.encode("utf-8")


NO_PUBDATE = {'<meta name="PubDate" content="2022-02-15 10:06">': ""}
NO_PAGE_DATE = {"发布时间：2022-02-15　": ""}


@pytest.mark.parametrize("rules", [None, RULES["trs"]])
def test_no_date_on_the_page_falls_back_to_pubdate(rules: ExtractionRules | None) -> None:
    article = extract_article(trs_variant(NO_PAGE_DATE), CASES["puxian_trs"].url, rules)
    assert article.published == sh(2022, 2, 15, 10, 6)
    assert article.methods["published"] == ("site" if rules else "meta")  # a rule names the meta


def test_no_pubdate_meta_uses_the_date_line_near_the_title() -> None:
    article = extract_article(trs_variant(NO_PUBDATE), CASES["puxian_trs"].url)
    assert article.published == sh(2022, 2, 15)
    assert article.methods["published"] == "generic"


@pytest.mark.parametrize("rules", [None, RULES["trs"]])
def test_no_date_anywhere_falls_back_to_the_url(rules: ExtractionRules | None) -> None:
    raw = trs_variant(NO_PUBDATE | NO_PAGE_DATE)
    article = extract_article(raw, CASES["puxian_trs"].url, rules)
    assert article.published == sh(2022, 8, 9)
    assert article.methods["published"] == "url"
    assert len(article.paragraphs) == 4


def test_sxgov_page() -> None:
    for with_rules in (True, False):
        article = CASES["sxgov"].run(with_rules)
        assert article.title == "蒲县：博远风电项目首批风机完成吊装"
        assert article.published == sh(2022, 5, 26, 10, 42, 8)
        assert article.source == "黄河新闻网临汾频道"
        assert article.author == "李晓燕"
        assert article.editor == "张晋"  # from [编辑:张晋]
        assert article.paragraphs[-1].endswith("（厚德蒲县 李晓燕）")  # repost credit is body
        assert "风机吊装现场。黄河新闻网临汾频道 孙伟 摄" in article.paragraphs
        assert_clean(article)
    assert CASES["sxgov"].run(True).methods["author"] == "site"


def test_sxgov_editor_element_fills_the_editor() -> None:
    rules = ExtractionRules.from_mapping({"author": ["#editor_baidu"], "body": ".Newsfont"})
    raw = CASES["sxgov"].raw().replace('<p>[编辑:张晋]</p>'.encode(), b"")
    article = extract_article(raw, CASES["sxgov"].url, rules)
    assert article.editor == "张晋" and article.methods["editor"] == "site"
    assert article.author == "李晓燕" and article.methods["author"] == "generic"


def test_sxrb_page() -> None:
    for with_rules in (True, False):
        article = CASES["sxrb"].run(with_rules)
        assert article.title == "蒲县县城集中供热管网改造工程全面完工"
        assert article.published == sh(2026, 1, 13, 17, 37, 51)
        assert article.source == "临汾日报"
        assert article.author == "记者 王长波"
        assert article.editor == "郭丽"  # from 编辑:郭丽
        assert article.paragraphs[0].startswith("本报讯 （记者 王长波） 1月12日")
        assert len(article.paragraphs) == 3
        assert_clean(article)
