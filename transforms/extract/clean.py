"""Body clean-up: the footers, share bars and by-lines that Linfen pages put around the text.

Patterns are anchored to whole paragraphs (or to a paragraph's end, for editor notes glued to
the last sentence) so that a sentence merely mentioning 编辑 or 来源 stays in the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = r"[\[【［(（〔<《]?"
_CLOSE = r"[\]】］)）〕>》]?"
_NAME = r"[^\]】］)）〕\s:：|｜]{1,12}(?:\s[^\]】］)）〕\s:：|｜]{1,12}){0,3}"

# 责任编辑: 姚建 / 【责任编辑: 姚建】 / [编辑:姚建] / 编辑:姚建 / (编辑 姚建) / 责编: 姚建
EDITOR_LINE = re.compile(
    rf"^{_OPEN}\s*(?:责任编辑|责编|编辑|网络编辑|值班编辑|本文编辑)(?:\s*[:：]\s*|\s+)"
    rf"(?P<name>{_NAME})\s*{_CLOSE}"
    rf"(?:\s*[,，;；/|｜]?\s*(?:审核|校对|审校|终审|监制|责任校对|复审|初审|二审|三审|签发|制作)"
    rf"\s*[:：]?\s*{_NAME}\s*{_CLOSE})*\s*$"
)
# the same note at the end of the last sentence: "...取得实效。(编辑:姚建)"
EDITOR_TAIL = re.compile(
    rf"\s*[\[【［(（〔](?:责任编辑|责编|编辑)\s*[:：]?\s*(?P<name>{_NAME})\s*[\]】］)）〕]\s*$"
)

_BOILERPLATE = [
    r"版权声明.*",
    r"(?:本站|本网)?(?:版权所有|版权归).*",
    r"(?:Copyright|COPYRIGHT|©|\(c\)|（c）).{0,200}",
    r"(?:未经|凡本网注明|凡注明).{0,80}(?:授权|许可|转载|不得).*",
    r"(?:声明|免责声明)\s*[:：].{0,300}",
    r"【?\s*字[体号]\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中\s*[】\]]?\s*[【\[]?\s*小\s*[】\]]?\s*】?.*",
    r"[【\[]?\s*(?:打印本页|打印此文|打印文章|打印|关闭窗口|关闭|返回顶部|收藏本页|收藏|纠错|推荐给朋友|告诉好友|我要评论|发表评论|查看评论|返回首页|返回)\s*[】\]]?"
    r"(?:\s*[【\[]?\s*(?:打印本页|打印此文|打印文章|打印|关闭窗口|关闭|返回顶部|收藏本页|收藏|纠错|推荐给朋友|告诉好友|我要评论|发表评论|查看评论|返回首页|返回)\s*[】\]]?)*",
    r"(?:分享到|分享至|扫一扫|微信扫一扫|手机扫一扫|用微信扫码|扫描二维码).{0,40}",
    r"(?:上一篇|下一篇|上一条|下一条|上一页|下一页|前一篇|后一篇)\s*[:：].*",
    r"(?:上一篇|下一篇|上一页|下一页|首页|尾页|末页)(?:\s*(?:上一篇|下一篇|上一页|下一页|首页|尾页|末页|\d+))*",
    r"[【\[]?\s*(?:相关新闻|相关阅读|相关链接|相关文章|相关报道|延伸阅读|推荐阅读|热点推荐|热门推荐|更多精彩|更多新闻|猜你喜欢)\s*[】\]]?\s*[:：]?",
    r"(?:浏览次数|阅读次数|点击数|点击次数|访问次数|阅读量)\s*[:：]?\s*\d*\s*次?",
    r"(?:来源|稿源)\s*[:：]\s*\S{1,30}\s*(?:作者\s*[:：]\s*\S{1,20}\s*)?",
]
BOILERPLATE_LINE = re.compile(r"^(?:" + "|".join(_BOILERPLATE) + r")\s*$", re.S)
# Site furniture: footers, licence numbers, share and print bars. A block saying this is not
# article text however long and punctuated it is (a footer's address line has commas too).
FURNITURE = re.compile(
    r"ICP\s*[备证]|公网安备|网安备|备案号|许可证|版权所有|版权声明|Copyright|©|All Rights Reserved"
    r"|主办单位|承办单位|主办\s*[:：]|承办\s*[:：]|技术支持\s*[:：]|网站标识码|网站识别码"
    r"|违法和不良信息|举报电话|举报邮箱|联系我们|关于我们|网站地图|设为首页|加入收藏"
    r"|分享到|扫一扫|打印本页|关闭窗口|【字体|字号\s*[:：]|浏览次数|上一篇|下一篇"
    r"|转载请注明|未经授权|禁止转载|不得转载|建议使用.{0,20}浏览器|分辨率",
    re.I,
)


# markup that reached the page as text (a <noscript> tracking pixel, a broken template)
_MARKUP = re.compile(
    r"<\s*/?\s*(?:img|a|div|span|p|script|iframe|br|input|link|meta)\b[^>]{0,300}>", re.I
)


def is_furniture(text: str) -> bool:
    return (len(text) <= 300 and bool(FURNITURE.search(text))) or bool(_MARKUP.search(text))


# after one of these headings the rest of the container is a link list, not the article
RELATED_HEADING = re.compile(
    r"^[【\[]?\s*(?:相关新闻|相关阅读|相关链接|相关文章|相关报道|延伸阅读|推荐阅读|热点推荐|热门推荐"
    r"|更多精彩|更多新闻|猜你喜欢|今日推荐|热点新闻|新闻排行|图片新闻)\s*[】\]]?\s*[:：]?\s*$"
)
COPYRIGHT_START = re.compile(r"^(?:版权声明|免责声明|本站声明)")

_ROLE = (r"(?:本报|本台|本刊|本网|新华社|中新社)?(?:特约|实习|见习|首席|融媒体)?"
         r"(?:记者|通讯员|通迅员|摄影|摄像|撰稿|整理|报道员|作者)")
_PERSON = r"[\u4e00-\u9fff·]{2,4}"
# 记者 王长波 通讯员 张鹏 / （记者 王长波） / 本报记者 王长波 张三 / 文/图 王长波 / 作者：王长波
BYLINE = re.compile(
    rf"^[(（【\[]?\s*(?:(?:{_ROLE})\s*[:：/]?\s*{_PERSON}(?:\s*[、,，\s]\s*{_PERSON})*\s*)+[)）】\]]?$"
    rf"|^[(（]?(?:文\s*/\s*图|文图|文|图|摄影|摄)\s*[/:：]\s*{_PERSON}"
    rf"(?:\s*[、,，\s]\s*{_PERSON})*(?:\s+(?:图|摄影|摄)\s*[/:：]\s*{_PERSON})?[)）]?$"
)
# a by-line opening the first paragraph: "本报讯（记者 王长波 通讯员 张鹏）...",
# "据新华社拉萨电（记者 格桑边觉）..."
BYLINE_INLINE = re.compile(
    rf"^.{{0,20}}?(?:讯|电)\s*[(（]\s*(?P<byline>(?:{_ROLE})\s*[:：]?\s*{_PERSON}"
    rf"(?:\s*[、,，\s]\s*(?:(?:{_ROLE})\s*[:：]?\s*)?{_PERSON})*)\s*[)）]"
)
SOURCE_IN = re.compile(
    r"(?:来源|来自|稿源|出处)\s*[:：]\s*(?P<source>[^\s|｜,，;；:：【\[\]】]{2,40})"
)
EDITOR_IN = re.compile(
    r"(?:责任编辑|责编|编辑)\s*[:：]\s*(?P<name>[^\s|｜,，;；:：【\[\]】()（）]{2,12})"
)
_SOURCE_TAIL = re.compile(
    r"(?:浏览次数|阅读次数|点击数|点击|作者|编辑|责任编辑|发布时间|时间|字号|阅读).*$"
)


@dataclass
class Cleaned:
    paragraphs: list[str]
    author: str | None = None
    editor: str | None = None


def trim_source(text: str) -> str | None:
    """The publisher named in a `来源:` fragment, without the fields that follow it."""
    value = _SOURCE_TAIL.sub("", text).strip(" :：-—|｜,，")
    return value or None


def find_source(text: str) -> str | None:
    match = SOURCE_IN.search(text)
    if not match:
        return None
    return trim_source(match.group("source"))


def find_editor(text: str) -> str | None:
    match = EDITOR_LINE.match(text) or EDITOR_TAIL.search(text)
    if match:
        return match.group("name").strip() or None
    return None


def is_boilerplate(text: str) -> bool:
    return bool(BOILERPLATE_LINE.match(text))


def strip_byline(text: str) -> str:
    return text.strip(" ()（）【】[]")


# A line of fields, not prose: "2019-03-27 10:56:13 来源:临汾新闻网 浏览次数:",
# "来源：巴彦淖尔日报 编辑：苏亮", "发布时间：2022-02-13 【字体：大 中 小】 打印".
_FIELD = (r"(?:来源|稿源|出处|作者|编辑|责任编辑|责编|记者|通讯员|发布时间|发布日期|发表时间"
          r"|更新时间|时间|日期|浏览次数|浏览|点击数|点击|阅读数|阅读|访问量|字号|字体|发布者|发布人|供稿"
          r"|审核|校对|摄影|分享到|来自|信息来源|文章来源)")
_FIELDS_LINE = re.compile(
    rf"^(?:\s*[【\[(（]?\s*{_FIELD}\s*[:：]?\s*[^\s:：【】\[\]]{{0,30}}\s*[】\])）]?)+\s*$"
)
_DATE_OR_TIME = re.compile(
    r"\d{2,4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：时]\d{1,2}"
    r"(?:[:：分]\d{1,2}秒?)?)?|星期[一二三四五六日天]|周[一二三四五六日]"
)


def is_field_line(text: str) -> bool:
    """A short line of labelled fields and dates: metadata above or below a story."""
    if len(text) > 120 or "。" in text:
        return False
    rest = _DATE_OR_TIME.sub(" ", text)
    if rest != text and len(rest.strip()) <= 4:
        return True  # a bare date line
    if rest == text:
        return bool(_FIELDS_LINE.match(text))
    return not rest.strip() or bool(_FIELDS_LINE.match(rest.strip())) or is_boilerplate(
        rest.strip())


def clean_paragraphs(paragraphs: list[str], title: str | None = None) -> Cleaned:
    """Remove footers, share bars, field lines and stand-alone by-lines; keep what they say
    about people (author, editor)."""
    texts = [t for t in paragraphs if t]
    author: str | None = None
    editor: str | None = None
    norm_title = _squash(title) if title else None
    # Edges first: the headline repeated in the container, date/source lines, editor notes.
    for _ in range(6):
        if not texts:
            break
        head = texts[0]
        repeated_title = bool(norm_title) and _squash(head) == norm_title
        if len(head) <= 40 and BYLINE.match(head):
            author = author or strip_byline(head)
        elif repeated_title or is_field_line(head) or is_boilerplate(head):
            editor = editor or _field_editor(head)
        else:
            break
        texts.pop(0)
    out: list[str] = []
    for position, text in enumerate(texts):
        if out and (COPYRIGHT_START.match(text) or (
                RELATED_HEADING.match(text) and _only_headlines(texts[position + 1:]))):
            break  # a copyright notice or related-links heading: the rest is page furniture
        name = find_editor(text)
        if name is not None:
            editor = editor or name
            if EDITOR_LINE.match(text):
                continue
            text = EDITOR_TAIL.sub("", text).rstrip()
            if not text:
                continue
        if is_boilerplate(text):
            continue
        near_edge = len(out) < 3 or position >= len(texts) - 3
        if near_edge and len(text) <= 40 and BYLINE.match(text):
            author = author or strip_byline(text)
            continue
        if author is None and len(out) < 2:
            match = BYLINE_INLINE.match(text)
            if match:
                author = match.group("byline").strip()
        out.append(text)
    while out:
        tail = out[-1]
        if len(tail) <= 40 and BYLINE.match(tail):
            author = author or strip_byline(tail)
        elif is_field_line(tail) or is_boilerplate(tail):
            editor = editor or _field_editor(tail)
        else:
            break
        out.pop()
    return Cleaned(out, author, editor)


def _field_editor(text: str) -> str | None:
    match = EDITOR_IN.search(text)
    return match.group("name") if match else None


def _only_headlines(rest: list[str]) -> bool:
    """After a 相关新闻 / 相关阅读 heading: only short lines, i.e. a list of headlines."""
    return all(len(t) <= 60 for t in rest)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
