"""What a page says about itself in <meta> tags and its <title>.

Government sites on the intensive platform carry GB/T 42147-2022 tags (ArticleTitle, PubDate,
ContentSource, Author, SiteName); news sites carry Open Graph and article:* tags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bs4 import BeautifulSoup, Tag

from .text import clean_text

_TAGS = re.compile(r"<[^>]{0,500}>")

TITLE_KEYS = ("articletitle", "og:title", "twitter:title", "dc.title")
DATE_KEYS = (
    "pubdate", "publishdate", "publish_date", "publish-date", "article:published_time",
    "og:published_time", "og:article:published_time", "datepublished", "published_time",
    "dc.date.issued", "dc.date", "dcterms.created", "sailthru.date", "parsely-pub-date",
    "firstpublishedtime", "publishtime", "publish_time", "releasedate", "created",
)
SOURCE_KEYS = ("contentsource", "source", "og:article:source", "article:source", "media")
AUTHOR_KEYS = ("author", "article:author", "dc.creator", "byl", "og:article:author")
SITE_KEYS = ("sitename", "og:site_name", "application-name", "site_name", "twitter:site")


def read_meta(soup: BeautifulSoup) -> dict[str, str]:
    """Lower-cased name/property/itemprop -> first non-empty content.

    Also schema.org microdata outside <meta>: <time itemprop="datePublished" datetime="...">.
    """
    found: dict[str, str] = {}
    for tag in soup.descendants:
        if not isinstance(tag, Tag):
            continue
        if tag.name == "meta":
            content = tag.get("content")
            if not isinstance(content, str):
                continue
            if "<" in content:  # CMS templates leak markup into content="..."
                content = _TAGS.sub(" ", content)
            content = clean_text(content)
            if not content:
                continue
            for attr in ("name", "property", "itemprop", "http-equiv"):
                key = tag.get(attr)
                if isinstance(key, str) and key.strip():
                    found.setdefault(key.strip().lower(), content)
        elif tag.get("itemprop") == "datePublished":
            value = tag.get("datetime") or tag.get("content")
            if isinstance(value, str) and value.strip():
                found.setdefault("datepublished", value.strip())
    return found


def first(meta: Mapping[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = meta.get(key)
        if value:
            return value
    return None


def document_title(soup: BeautifulSoup) -> str | None:
    tag = soup.find("title")
    if not isinstance(tag, Tag):
        return None
    return clean_text(tag.get_text(" ")) or None


# "标题 - 临汾新闻网", "标题_新闻中心_新浪网", "标题--时政--人民网", "标题|光明网",
# "标题-中国日报网"
_SEPARATORS = re.compile(r"\s*(?:_{1,2}|\||｜|--+|\s[-–—·]\s|\s?::\s?|—\s|\s—)\s*")
_TAIL_HYPHEN = re.compile(r"^(?P<head>.+?)\s*[-－]\s*(?P<tail>[^-－\d]{2,14})$")


def split_title(title: str, site_name: str | None = None) -> str:
    """The longest part of a document title that is not the site's name."""
    parts = [p.strip() for p in _SEPARATORS.split(title) if p and p.strip()]
    if len(parts) <= 1:
        match = _TAIL_HYPHEN.match(title)
        parts = [match["head"], match["tail"]] if match else [title.strip()]
    site = _squash(site_name) if site_name else None
    keep = [p for p in parts if not site or _squash(p) != site] or parts
    return max(keep, key=len)


def strip_site_name(title: str, site_name: str | None) -> str:
    """og:title and ArticleTitle sometimes carry the site name; drop it only when it is there."""
    if not site_name or _squash(site_name) not in _squash(title):
        return title
    return split_title(title, site_name)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
