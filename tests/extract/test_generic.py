"""The generic path: what the extractor finds on a page no site rule matches."""

from __future__ import annotations

from datetime import datetime

import pytest

from transforms.extract import ExtractionRules, extract_article
from transforms.extract.clean import clean_paragraphs, is_field_line
from transforms.extract.dates import SHANGHAI
from transforms.extract.meta import split_title

URL = "http://www.lfxww.com/puxian/2690001.html"

STORY = [
    "临汾新闻网讯 4月8日，蒲县召开2022年重点项目建设推进会，听取各项目进展情况，安排部署下一阶段工作。",
    "会议指出，今年全县计划实施重点项目42个，总投资186亿元，截至目前已开工29个，完成投资31.5亿元。",
    "会议要求，各乡镇、各部门要强化要素保障，落实包联责任，倒排工期、挂图作战，确保项目早开工、早投产、早见效。",
    "县委书记在讲话中强调，项目建设是推动高质量发展的“牛鼻子”，要以钉钉子精神抓好每一个项目的落地见效。",
]
MENU = "".join(f'<li><a href="/c{i}/">{name}</a></li>' for i, name in enumerate(
    ["首页", "时政", "经济", "社会", "蒲县", "翼城", "图片", "视频", "专题", "评论"]))
SIDEBAR = "".join(f'<li><a href="/puxian/26800{i}.html">{t}</a></li>' for i, t in enumerate([
    "蒲县开展森林防火专项检查行动", "蒲县：春耕备耕正当时", "我市召开全市安全生产工作会议",
    "乡宁：特色农业助力乡村振兴", "蒲县举办农民丰收节系列活动"]))


def page(body: str, *, head: str = "", title: str = "蒲县召开重点项目建设推进会_临汾新闻网",
         before: str = "", after: str = "") -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}
<script>var x = "<p>不是正文，是脚本里的字符串。</p>";</script><style>p{{margin:0}}</style></head>
<body><div class="nav"><ul>{MENU}</ul></div>
<div class="wrap"><div class="left">{before}<div class="article">{body}</div>{after}</div>
<div class="right"><h4>热点新闻</h4><ul>{SIDEBAR}</ul></div></div>
<div class="footer">临汾新闻网版权所有 晋ICP备05002983号</div></body></html>"""


def paragraphs(lines: list[str]) -> str:
    return "".join(f"<p>　　{line}</p>" for line in lines)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_body_by_text_density() -> None:
    article = extract_article(page(paragraphs(STORY)), URL)
    assert list(article.paragraphs) == STORY
    assert article.methods["body"] == "generic"
    assert "脚本" not in article.body


def test_dateline_stays_in_the_first_paragraph() -> None:
    article = extract_article(page(paragraphs(STORY)), URL)
    assert article.paragraphs[0].startswith("临汾新闻网讯 4月8日")


@pytest.mark.parametrize(
    ("footer", "editor"),
    [
        ("<p>责任编辑: 姚建</p>", "姚建"),
        ("<p>【责任编辑: 姚建】</p>", "姚建"),
        ("<p>【责任编辑：姚建】</p>", "姚建"),
        ("<p>[编辑:姚建]</p>", "姚建"),
        ("<p>编辑:姚建</p>", "姚建"),
        ("<p>(编辑：姚建)</p>", "姚建"),
        ("<p>责任编辑：姚建 审核：刘强</p>", "姚建"),
        ("<div>责编：姚建</div>", "姚建"),
    ],
)
def test_editor_footers_are_captured_and_stripped(footer: str, editor: str) -> None:
    article = extract_article(page(paragraphs(STORY) + footer), URL)
    assert article.editor == editor
    assert article.methods["editor"] == "generic"
    assert list(article.paragraphs) == STORY


def test_editor_note_glued_to_the_last_sentence() -> None:
    lines = [*STORY[:-1], STORY[-1] + "（编辑：姚建）"]
    article = extract_article(page(paragraphs(lines)), URL)
    assert article.editor == "姚建"
    assert article.paragraphs[-1] == STORY[-1]


def test_page_furniture_is_stripped() -> None:
    furniture = (
        "<p>【字体：大 中 小】</p>"
        + paragraphs(STORY)
        + "<p>责任编辑：姚建</p>"
        + "<p>版权声明:凡临汾日报、临汾日报晚报版、临汾新闻网刊载及发布的各类稿件，"
          "版权均属临汾日报社所有，未经书面授权不得转载。</p>"
        + "<p>打印本页 关闭窗口</p>"
        + '<p>上一篇：<a href="/puxian/2689990.html">蒲县开展植树活动</a></p>'
        + '<p>下一篇：<a href="/puxian/2690010.html">蒲县举办招聘会</a></p>'
        + "<h4>相关新闻</h4><ul>" + SIDEBAR + "</ul>"
    )
    article = extract_article(page(furniture), URL)
    assert list(article.paragraphs) == STORY
    assert article.editor == "姚建"


def test_standalone_byline_becomes_the_author() -> None:
    body = "<p>记者 王长波 通讯员 张鹏</p>" + paragraphs(STORY)
    article = extract_article(page(body), URL)
    assert article.author == "记者 王长波 通讯员 张鹏"
    assert article.methods["author"] == "generic"
    assert list(article.paragraphs) == STORY


def test_byline_at_the_end() -> None:
    article = extract_article(page(paragraphs(STORY) + "<p>（记者 王长波）</p>"), URL)
    assert article.author == "记者 王长波"
    assert list(article.paragraphs) == STORY


def test_inline_byline_is_read_but_left_in_the_text() -> None:
    first = "本报讯（记者 王长波 通讯员 张鹏）4月8日，蒲县召开2022年重点项目建设推进会。"
    article = extract_article(page(paragraphs([first, *STORY[1:]])), URL)
    assert article.author == "记者 王长波 通讯员 张鹏"
    assert article.paragraphs[0] == first


def test_a_byline_sentence_in_the_story_is_not_removed() -> None:
    line = "记者王长波在现场看到，施工人员正在进行主体浇筑，现场一派繁忙景象。"
    article = extract_article(page(paragraphs([*STORY[:2], line, *STORY[2:]])), URL)
    assert line in article.paragraphs


def test_meta_line_above_the_body_gives_date_and_source() -> None:
    before = ("<h1>蒲县召开重点项目建设推进会</h1>"
              "<div class='info'>2022-04-09 08:30:12 来源：临汾日报 作者：王长波</div>")
    article = extract_article(page(paragraphs(STORY), before=before), URL)
    assert article.title == "蒲县召开重点项目建设推进会"
    assert article.published == sh(2022, 4, 9, 8, 30, 12)
    assert article.source == "临汾日报"
    assert article.author == "王长波"
    assert dict(article.methods) == {"title": "generic", "published": "generic",
                                     "source": "generic", "author": "generic",
                                     "editor": "none", "body": "generic"}


def test_date_in_the_story_is_not_the_publication_date() -> None:
    lines = ["临汾新闻网讯 2022年4月8日，蒲县召开重点项目建设推进会，安排部署下一阶段工作。",
             *STORY[1:]]
    url = "http://www.puxian.gov.cn/xwzx/pxyw/202204/t20220411_14001.html"
    article = extract_article(page(paragraphs(lines)), url)
    assert article.published == sh(2022, 4, 11)
    assert article.methods["published"] == "url"


def test_meta_tags() -> None:
    head = ('<meta name="ArticleTitle" content="蒲县召开2022年重点项目建设推进会">'
            '<meta name="PubDate" content="2022-04-09 08:30">'
            '<meta name="ContentSource" content="蒲县融媒体中心">'
            '<meta name="Author" content="王长波">')
    article = extract_article(page(paragraphs(STORY), head=head), URL)
    assert article.title == "蒲县召开2022年重点项目建设推进会"
    assert article.published == sh(2022, 4, 9, 8, 30)
    assert article.source == "蒲县融媒体中心"
    assert article.author == "王长波"
    assert {k: article.methods[k] for k in ("title", "published", "source", "author")} == {
        "title": "meta", "published": "meta", "source": "meta", "author": "meta"}


def test_open_graph_tags() -> None:
    head = ('<meta property="og:title" content="蒲县召开重点项目建设推进会 - 临汾新闻网">'
            '<meta property="og:site_name" content="临汾新闻网">'
            '<meta property="article:published_time" content="2022-04-09T08:30:00+08:00">')
    article = extract_article(page(paragraphs(STORY), head=head), URL)
    assert article.title == "蒲县召开重点项目建设推进会"
    assert article.published == sh(2022, 4, 9, 8, 30)


def test_author_meta_naming_the_site_is_not_an_author() -> None:
    head = '<meta name="author" content="临汾新闻网">'
    article = extract_article(page(paragraphs(STORY), head=head), URL)
    assert article.author is None and article.methods["author"] == "none"


def test_rules_that_miss_fall_through() -> None:
    rules = ExtractionRules.from_mapping({
        "title": "h2.xb-h2", "published": "h3.xb-h4", "source": "h3.xb-h4", "author": ".author",
        "body": "div.jcontent",
    })
    article = extract_article(page(paragraphs(STORY)), URL, rules)
    assert list(article.paragraphs) == STORY
    assert article.methods["body"] == "generic"
    assert article.methods["title"] == "generic"


def test_site_rules_win_over_meta_and_generic() -> None:
    head = '<meta name="PubDate" content="2022-04-10 08:30">'
    before = "<h2 class='xb-h2'>蒲县召开项目推进会</h2><h3 class='xb-h4'>2022-04-09 08:30:12 来源:临汾日报 浏览次数:</h3>"
    rules = ExtractionRules.from_mapping({
        "title": "h2.xb-h2", "published": "h3.xb-h4", "source": "h3.xb-h4", "body": "div.article",
        "drop": "div.right",
    })
    article = extract_article(page(paragraphs(STORY), head=head, before=before), URL, rules)
    assert article.title == "蒲县召开项目推进会"
    assert article.published == sh(2022, 4, 9, 8, 30, 12)
    assert article.source == "临汾日报"
    assert list(article.paragraphs) == STORY
    assert {k: article.methods[k] for k in ("title", "published", "source", "body")} == {
        "title": "site", "published": "site", "source": "site", "body": "site"}


def test_comments_are_not_the_article() -> None:
    comments = "<div class='comment-list'>" + "".join(
        f"<div class='comment-item'><span>网友{i}</span><p class='comment-text'>"
        f"这个项目建成以后，我们村里的年轻人在家门口就能上班了，希望早日完工，造福一方百姓。{i}</p></div>"
        for i in range(12)) + "</div>"
    article = extract_article(page(paragraphs(STORY), after=comments), URL)
    assert list(article.paragraphs) == STORY


def test_teaser_lists_are_not_the_article() -> None:
    teasers = "<div class='more'>" + "".join(
        f"<div class='item'><h3><a href='/puxian/{i}.html'>蒲县新闻标题第{i}条：春耕生产有序推进</a></h3>"
        f"<p>近日，蒲县各乡镇抢抓农时，组织农机具下田作业，全力推进春耕生产，确保粮食播种面积稳定。</p></div>"
        for i in range(10)) + "</div>"
    article = extract_article(page(paragraphs(STORY), after=teasers), URL)
    assert list(article.paragraphs) == STORY


def test_story_split_over_table_cells_between_advertisements() -> None:
    cells = "".join(
        f"<table><tr><td>{paragraphs([line])}</td><td><a href='/ad{i}'>广告：招商加盟</a></td></tr>"
        f"</table><table><tr><td><a href='/x{i}'>专题</a> <a href='/y{i}'>视频</a></td></tr></table>"
        for i, line in enumerate(STORY))
    article = extract_article(page(cells), URL)
    assert list(article.paragraphs) == STORY


def test_br_separated_paragraphs_in_one_cell() -> None:
    cell = "<table><tr><td class='content'>" + "<br><br>".join(
        f"　　{line}" for line in STORY) + "</td></tr></table>"
    article = extract_article(page(cell), URL)
    assert list(article.paragraphs) == STORY


def test_source_line_breaks_inside_chinese_text_are_joined() -> None:
    article = extract_article(page("<p>临汾新闻网讯 蒲县召开重点项目\n建设推进会，安排部署\n  下一阶段工作。</p>"
                                   + paragraphs(STORY[1:])), URL)
    assert article.paragraphs[0] == "临汾新闻网讯 蒲县召开重点项目建设推进会，安排部署下一阶段工作。"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("蒲县召开重点项目建设推进会 - 临汾新闻网", "蒲县召开重点项目建设推进会"),
        ("蒲县召开重点项目建设推进会_临汾新闻网", "蒲县召开重点项目建设推进会"),
        ("蒲县召开重点项目建设推进会_新闻中心_新浪网", "蒲县召开重点项目建设推进会"),
        ("蒲县召开重点项目建设推进会--时政--人民网", "蒲县召开重点项目建设推进会"),
        ("蒲县召开重点项目建设推进会|光明网", "蒲县召开重点项目建设推进会"),
        ("蒲县召开重点项目建设推进会-中国日报网", "蒲县召开重点项目建设推进会"),
        ("2022-2025年蒲县林业发展规划", "2022-2025年蒲县林业发展规划"),
        ("临汾新闻网 | 蒲县召开会议", "蒲县召开会议"),
    ],
)
def test_title_split(title: str, expected: str) -> None:
    assert split_title(title, "临汾新闻网") == expected


def test_heading_matching_the_document_title_wins() -> None:
    before = "<h1>蒲县召开重点项目建设推进会 全力推动项目早开工早见效</h1>"
    article = extract_article(page(paragraphs(STORY), before=before,
                                   title="蒲县召开重点项目建设推进会 全力推动项目早开工早见效_临汾新闻网"),
                              URL)
    assert article.title == "蒲县召开重点项目建设推进会 全力推动项目早开工早见效"
    assert article.title not in article.paragraphs


def test_methods_say_none_when_nothing_is_found() -> None:
    article = extract_article("<html><body><div><a href='/'>首页</a></div></body></html>", "")
    assert article.title is None and article.published is None and article.paragraphs == ()
    assert set(article.methods.values()) == {"none"}


def test_methods_mapping_is_read_only() -> None:
    article = extract_article(page(paragraphs(STORY)), URL)
    with pytest.raises(TypeError):
        article.methods["body"] = "site"  # type: ignore[index]
    assert hash(article) == hash(extract_article(page(paragraphs(STORY)), URL))


def test_field_lines() -> None:
    assert is_field_line("2019-03-27 10:56:13 来源:临汾新闻网 浏览次数:")
    assert is_field_line("来源：巴彦淖尔日报 编辑：苏亮")
    assert is_field_line("时间:2026-01-13 17:37:51 来源:临汾日报")
    assert is_field_line("2022年4月9日")
    assert not is_field_line(STORY[0])
    assert not is_field_line("来源于群众，服务于群众。")


def test_clean_paragraphs_keeps_the_people() -> None:
    cleaned = clean_paragraphs(["蒲县召开会议", "记者 王长波", *STORY, "【责任编辑：姚建】"],
                               title="蒲县召开会议")
    assert cleaned.paragraphs == STORY
    assert cleaned.author == "记者 王长波" and cleaned.editor == "姚建"


@pytest.mark.parametrize("line", ["分享经验，共同进步。", "编辑部全体人员参加了培训。", "来源于群众，服务于群众。",
                                  "版权保护工作得到加强。"])
def test_short_story_lines_that_look_like_furniture_stay(line: str) -> None:
    article = extract_article(page(paragraphs([*STORY[:2], line, *STORY[2:]])), URL)
    assert line in article.paragraphs
