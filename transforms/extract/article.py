"""One fetched page in, one article out: site rules first, then <meta>, then generic guesses.

Every field records which path produced it (`methods`), so a site whose declared selectors stop
matching shows up as a rise in "generic" and "none" long before anyone reads the articles.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

import soupsieve
from bs4 import BeautifulSoup, Tag

from .clean import (
    EDITOR_IN,
    EDITOR_LINE,
    clean_paragraphs,
    find_editor,
    find_source,
    trim_source,
)
from .dates import at_midnight, date_from_url, find_datetimes, parse_chinese_datetime
from .density import blocks_within, score_blocks, select_body
from .encoding import decode_html
from .meta import (
    AUTHOR_KEYS,
    DATE_KEYS,
    SITE_KEYS,
    SOURCE_KEYS,
    TITLE_KEYS,
    document_title,
    first,
    read_meta,
    split_title,
    strip_site_name,
)
from .rules import ExtractionRules
from .text import clean_text
from .tree import MAX_HTML_CHARS, Block, linearize, max_depth, parse_html, remove_junk

log = logging.getLogger(__name__)

# Pages nesting deeper than this skip the CSS site rules (see `_Extraction._select`).
MAX_SELECTOR_DEPTH = 400

FIELDS = ("title", "published", "source", "author", "editor", "body")


@dataclass(frozen=True)
class ExtractedArticle:
    """What one page says: headline, date, source, people and body paragraphs."""

    url: str
    title: str | None
    published: datetime | None  # timezone-aware; Asia/Shanghai when the page gives no zone
    source: str | None  # 来源, e.g. 临汾日报, 临汾新闻网
    author: str | None  # reporter(s) as found, e.g. "记者 王长波 通讯员 张鹏"
    editor: str | None  # from 责任编辑: NAME and similar footers
    paragraphs: tuple[str, ...]
    methods: Mapping[str, str] = field(hash=False)  # field -> site|meta|url|generic|none

    def __post_init__(self) -> None:
        object.__setattr__(self, "paragraphs", tuple(self.paragraphs))
        object.__setattr__(self, "methods", MappingProxyType(dict(self.methods)))

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: `published` as an ISO 8601 string, `body` alongside `paragraphs`."""
        return {
            "url": self.url,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "source": self.source,
            "author": self.author,
            "editor": self.editor,
            "paragraphs": list(self.paragraphs),
            "body": self.body,
            "methods": dict(self.methods),
        }


def empty_article(url: str) -> ExtractedArticle:
    return ExtractedArticle(url=url, title=None, published=None, source=None, author=None,
                            editor=None, paragraphs=(), methods=dict.fromkeys(FIELDS, "none"))


def extract_article(
    html: str | bytes,
    url: str,
    rules: ExtractionRules | None = None,
    content_type: str | None = None,
) -> ExtractedArticle:
    """Extract one article; never raises on bad input (the result is then empty, methods "none").

    `html` may be the raw bytes (decoded with `decode_html`, using `content_type`'s charset) or
    text already decoded by the crawler.
    """
    url = url if isinstance(url, str) else ""
    try:
        if isinstance(html, bytes | bytearray | memoryview):
            # 4 bytes a character at most: this keeps MAX_HTML_CHARS of text in any encoding
            text = decode_html(bytes(html[:4 * MAX_HTML_CHARS]), content_type)
        elif isinstance(html, str):
            text = html
        else:
            return empty_article(url)
        return _Extraction(text, url, rules or ExtractionRules()).run()
    except RecursionError:
        log.warning("extract: page too deeply nested, giving up: %s", url)
        return empty_article(url)
    except Exception:  # untrusted input must not stop a crawl; the page stays in the raw layer
        log.warning("extract: failed on %s", url, exc_info=True)
        return empty_article(url)


# a short line that only carries the date, source and counters above or below the body
_META_LABEL = re.compile(
    r"来源|作者|时间|日期|发布|浏览|点击|编辑|记者|字号|阅读|访问|稿源|Posted|posted"
)
_ORGANISATION = re.compile(
    r"(?:网|网站|网络|政府|日报|晚报|报社|报|杂志社|出版社|电视台|融媒体中心|中心|办公室|委员会|局"
    r"|频道|新闻|公司|集团|协会|学会)$"
    r"|https?://|www\.|\.com|\.cn"
)
_DATE_LABEL = re.compile(
    r"发布时间|发表时间|发布日期|时间|日期|发表|发布于|更新|Posted|posted|Date"
)
_AUTHOR_LABEL = re.compile(r"^\s*(?:作者|文|撰稿|记者)\s*[:：/]\s*")


class _Extraction:
    def __init__(self, html: str, url: str, rules: ExtractionRules) -> None:
        self.url = url
        self.rules = rules
        self.soup: BeautifulSoup = parse_html(html)
        self.methods: dict[str, str] = dict.fromkeys(FIELDS, "none")
        self._site_editor: str | None = None
        self._site: dict[str, list[list[str]]] = {}
        self._too_deep: bool | None = None

    # -- helpers -------------------------------------------------------------------------------

    def _select(self, selectors: Iterable[str]) -> Iterable[list[Tag]]:
        """For each selector in order, the elements it matches (bad selectors match nothing).

        CSS matching costs the number of elements times the nesting depth; no template nests
        hundreds of levels deep, so such a page gets the generic path instead of a stall.
        """
        selectors = tuple(selectors)
        if not selectors:
            return
        if self._too_deep is None:
            self._too_deep = max_depth(self.soup) > MAX_SELECTOR_DEPTH
            if self._too_deep:
                log.warning("extract: nesting deeper than %d, site rules skipped: %s",
                            MAX_SELECTOR_DEPTH, self.url)
        if self._too_deep:
            return
        for selector in selectors:
            try:
                found = [t for t in soupsieve.select(selector, self.soup) if isinstance(t, Tag)]
            except Exception:
                log.debug("extract: selector %r failed", selector, exc_info=True)
                continue
            if found:
                yield found

    def _site_texts(self, selectors: Iterable[str]) -> list[list[str]]:
        """Per selector that matches, the texts of its elements, in document order.

        Read before scripts and <head> are removed, so a rule may name a <meta> (its content
        attribute is its text) or a <time> (its datetime attribute comes after its text).
        """
        found: list[list[str]] = []
        for tags in self._select(selectors):
            texts: list[str] = []
            for tag in tags:
                text = "\n".join(b.text for b in linearize(tag))
                if text:
                    texts.append(text)
                for attr in ("content", "datetime"):
                    value = tag.get(attr)
                    if isinstance(value, str) and value.strip():
                        texts.append(clean_text(value))
            if texts:
                found.append(texts)
        return found

    def _site_value(self, field: str, accept: Callable[[str], Any]) -> Any:
        for texts in self._site.get(field, []):
            for text in texts:
                value = accept(text)
                if value:
                    return value
        return None

    # -- the run -------------------------------------------------------------------------------

    def run(self) -> ExtractedArticle:
        soup = self.soup
        meta = read_meta(soup)
        doc_title = document_title(soup)
        site_name = first(meta, SITE_KEYS)
        for tags in self._select(self.rules.drop):
            for tag in tags:
                if not tag.decomposed:
                    tag.decompose()
        rules = self.rules
        self._site = {field: self._site_texts(selectors) for field, selectors in (
            ("title", rules.title), ("published", rules.published), ("source", rules.source),
            ("author", rules.author)) if selectors}
        remove_junk(soup)
        root = soup.body if isinstance(soup.body, Tag) else soup
        blocks = linearize(root)
        score_blocks(blocks)

        title = self._title(meta, doc_title, site_name, blocks)
        body_blocks = self._body_blocks(root, blocks)
        page_ids = {id(b) for b in blocks}  # an inline site container has blocks of its own
        on_page = [b.index for b in body_blocks if id(b) in page_ids]
        start = on_page[0] if on_page else None
        end = on_page[-1] if on_page else None

        kept = [b.text for b in body_blocks if b.link_density <= 0.5]
        cleaned = clean_paragraphs(kept, title)
        paragraphs = cleaned.paragraphs

        published = self._published(meta, blocks, start, end)
        source = self._source(meta, blocks, start)
        author = self._author(meta, site_name, source, cleaned.author, blocks, start)
        editor = self._editor(cleaned.editor, blocks, start)
        if not paragraphs:
            self.methods["body"] = "none"
        return ExtractedArticle(
            url=self.url, title=title, published=published, source=source, author=author,
            editor=editor, paragraphs=tuple(paragraphs), methods=self.methods,
        )

    def _title(self, meta: Mapping[str, str], doc_title: str | None, site_name: str | None,
               blocks: Sequence[Block]) -> str | None:
        value = self._site_value("title", lambda t: clean_text(t.replace("\n", " ")))
        if value:
            self.methods["title"] = "site"
            return value
        value = first(meta, TITLE_KEYS)
        if value:
            self.methods["title"] = "meta"
            return strip_site_name(value, site_name)
        value = _generic_title(blocks, doc_title, site_name)
        if value:
            self.methods["title"] = "generic"
        return value

    def _body_blocks(self, root: Tag, blocks: list[Block]) -> list[Block]:
        for tags in self._select(self.rules.body):
            containers = _outermost(tags)
            found: list[Block] = []
            for container in containers:
                inside = blocks_within(container, blocks)
                if not inside:  # an inline container: its text is owned by an outer block
                    inside = linearize(container)
                    score_blocks(inside)
                found.extend(inside)
            if any(b.chars for b in found):
                self.methods["body"] = "site"
                return found
        found = select_body(root, blocks)
        if found:
            self.methods["body"] = "generic"
        return found

    def _published(self, meta: Mapping[str, str], blocks: Sequence[Block], start: int | None,
                   end: int | None) -> datetime | None:
        from_meta = None
        for key in DATE_KEYS:
            raw = meta.get(key)
            from_meta = parse_chinese_datetime(raw) if raw else None
            if from_meta:
                break
        value = self._site_value("published", parse_chinese_datetime)
        if value:
            self.methods["published"] = "site"
            if from_meta and _midnight(value) and from_meta.date() == value.date():
                return from_meta  # the page gives the day, PubDate the same day with its time
            return value
        if from_meta:
            self.methods["published"] = "meta"
            return from_meta
        value = _generic_date(self.soup, blocks, start, end)
        if value:
            self.methods["published"] = "generic"
            return value
        day = date_from_url(self.url)
        if day:
            self.methods["published"] = "url"
            return at_midnight(day)
        return None

    def _source(self, meta: Mapping[str, str], blocks: Sequence[Block], start: int | None
                ) -> str | None:
        value = self._site_value("source", lambda t: find_source(t) or _bare_source(t))
        if value:
            self.methods["source"] = "site"
            return value
        raw = first(meta, SOURCE_KEYS)
        if raw:
            value = trim_source(find_source(raw) or raw)
            if value:
                self.methods["source"] = "meta"
                return value
        for block in _around(blocks, start):
            if block.chars <= 120:
                value = find_source(block.text)
                if value and _plausible(value):
                    self.methods["source"] = "generic"
                    return value
        return None

    def _author(self, meta: Mapping[str, str], site_name: str | None, source: str | None,
                byline: str | None, blocks: Sequence[Block], start: int | None) -> str | None:
        def from_site(text: str) -> str | None:
            text = clean_text(text.replace("\n", " "))
            if find_editor(text) and EDITOR_LINE.match(text):
                self._site_editor = find_editor(text)
                return None
            return _AUTHOR_LABEL.sub("", text) or None

        value = self._site_value("author", from_site)
        if value:
            self.methods["author"] = "site"
            return value
        raw = first(meta, AUTHOR_KEYS)
        if raw and _plausible(raw) and not _ORGANISATION.search(raw) and not re.search(
                r"\d|Team|,|，", raw) and raw not in (site_name, source):
            self.methods["author"] = "meta"
            return raw
        if byline:
            self.methods["author"] = "generic"
            return byline
        for block in _around(blocks, start):
            if block.chars <= 80:
                match = re.search(
                    r"(?:作者|撰稿)\s*[:：]\s*(?P<a>[^\s|｜,，;；:：【\[(（]{2,20})", block.text)
                if match and _plausible(match.group("a")):
                    self.methods["author"] = "generic"
                    return match.group("a")
        return None

    def _editor(self, from_body: str | None, blocks: Sequence[Block], start: int | None
                ) -> str | None:
        if self._site_editor:
            self.methods["editor"] = "site"
            return self._site_editor
        if from_body:
            self.methods["editor"] = "generic"
            return from_body
        if start is None:
            return None
        for block in blocks[start:]:
            if block.chars <= 40:
                match = EDITOR_IN.search(block.text)
                if match:
                    self.methods["editor"] = "generic"
                    return match.group("name")
        return None


def _plausible(value: str) -> bool:
    """A name, not markup or an id that a template leaked: letters, no `=`, quotes or tags."""
    return bool(re.search(r"[^\W\d_]", value)) and not re.search(r"[=<>\"']", value)


def _midnight(value: datetime) -> bool:
    return not (value.hour or value.minute or value.second)


def _outermost(tags: list[Tag]) -> list[Tag]:
    """Matches minus those nested in another match, in document order."""
    chosen = {id(t) for t in tags}
    result = []
    for tag in tags:
        if not any(id(parent) in chosen for parent in tag.parents):
            result.append(tag)
    return result


def _bare_source(text: str) -> str | None:
    """A source element holding just the name: <span id="source_baidu">临汾日报</span>."""
    text = clean_text(text.replace("\n", " "))
    if 2 <= len(text) <= 30 and not re.search(r"\d{4}", text):
        return trim_source(text)
    return None


def _around(blocks: Sequence[Block], start: int | None, before: int = 15, after: int = 3
            ) -> Sequence[Block]:
    """The blocks just above the body (where title, date and source sit) and its first lines."""
    if start is None:
        return blocks[:40]
    lo = max(0, start - before)
    return blocks[lo:start + after]


def _generic_title(blocks: Sequence[Block], doc_title: str | None, site_name: str | None
                   ) -> str | None:
    """A heading that the document title contains, else the document title's main part."""
    squashed = re.sub(r"\s+", "", doc_title) if doc_title else ""
    best: str | None = None
    for block in blocks:
        if block.chars < 4 or block.chars > 200:
            continue
        if block.link_density > 0.5 and not block.heading:
            continue
        text = block.text
        key = re.sub(r"\s+", "", text)
        if not (squashed and key in squashed) or (best is not None and len(text) <= len(best)):
            continue
        if block.heading or len(key) >= 0.5 * len(squashed) or len(key) >= 8:
            best = text
    if best and (not site_name or re.sub(r"\s+", "", site_name) != re.sub(r"\s+", "", best)):
        return best
    if doc_title:
        return split_title(doc_title, site_name)
    for block in blocks:
        if block.heading and block.chars >= 4:
            return block.text
    return None


def _generic_date(soup: BeautifulSoup, blocks: Sequence[Block], start: int | None,
                  end: int | None) -> datetime | None:
    """The date line nearest above the body, else one just below it (blogs sign off dated)."""
    if start is None or end is None:
        for tag in soup.find_all("time"):
            value = tag.get("datetime")
            parsed = parse_chinese_datetime(value) if isinstance(value, str) else None
            if parsed:
                return parsed
        return None
    candidates: list[tuple[float, datetime]] = []
    lo = max(0, start - 20)
    for block in blocks[lo:min(end + 1, start + 10)]:
        if block.chars > 150 or block.link_density > 0.5:
            continue
        found = find_datetimes(block.text)
        if not found:
            continue
        labelled = bool(_DATE_LABEL.search(block.text) or _META_LABEL.search(block.text))
        if block.index >= start and (
            "。" in block.text or not (labelled or block.chars <= 40)
        ):
            continue  # a date inside a sentence of the story is not its publication date
        distance = start - block.index if block.index < start else 2 * (block.index - start)
        with_time = any(dt.hour or dt.minute for _, dt in found)
        weight = distance - (5 if labelled else 0) - (2 if with_time else 0)
        candidates.append((weight, found[0][1]))
    if candidates:
        return min(candidates, key=lambda item: item[0])[1]
    for tag in soup.find_all("time"):
        value = tag.get("datetime") or tag.get_text(" ")
        parsed = parse_chinese_datetime(value) if isinstance(value, str) else None
        if parsed:
            return parsed
    for block in blocks[end + 1:end + 8]:
        if block.chars <= 100 and _DATE_LABEL.search(block.text):
            found = find_datetimes(block.text)
            if found:
                return found[0][1]
    return None
