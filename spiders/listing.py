"""Reading list pages: which article links a page holds, and where the list continues.

Pure functions on HTML text, so the golden tests can pin them down per site. Each answer says
which path produced it (declared selectors or the generic fallback; TRS pager script, pager
text, pager link, or a blind guess), and the spider counts those paths per site: a template
change shows up as a shift from "selector" to "generic", not as a silent zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector

from spiders.sites import ListPage, Pagination, SiteDeclaration

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Link:
    url: str
    title: str
    context: str  # text of the row holding the link (list dates live there)


@dataclass(frozen=True)
class ListLinks:
    links: tuple[Link, ...]
    path: str  # "selector" | "generic" | "selector+generic" | "none"
    generic_only: int = 0  # article links the selectors missed (a drift signal)


@dataclass(frozen=True)
class NextPage:
    url: str | None
    path: str  # "trs_script" | "pager_text" | "pager_link" | "blind" | "last_page" | "none"


def _text(value: str | None) -> str:
    return _SPACE.sub(" ", value or "").strip()


def _base(selector: Selector, url: str) -> str:
    href = selector.xpath("//base/@href").get()
    return urljoin(url, href) if href else url


def normalise(url: str) -> str:
    """Absolute URL without fragment; host lower-cased (what ``known_urls`` compares)."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


def is_article(url: str, site: SiteDeclaration) -> bool:
    host = urlsplit(url).hostname or ""
    return host in site.domains and bool(site.article_pattern.match(url))


def _anchor_link(anchor: Selector, base: str) -> tuple[str, str, str] | None:
    href = anchor.attrib.get("href", "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "#")):
        return None
    url = normalise(urljoin(base, href))
    title = _text(anchor.attrib.get("title") or " ".join(anchor.css("::text").getall()))
    row = anchor.xpath("ancestor::li[1]")
    holder = row[0] if row else anchor.xpath("..")[0]
    context = _text(" ".join(holder.css("::text").getall()))
    return url, title, context


def _anchors(selector: Selector, css: str) -> list[Selector]:
    found: list[Selector] = []
    for node in selector.css(css):
        if getattr(node.root, "tag", None) == "a":
            found.append(node)
        else:
            found.extend(node.css("a"))
    return found


def parse_links(html: str, url: str, site: SiteDeclaration, page: ListPage | None = None
                ) -> ListLinks:
    """Article links on a list page, by the declared selectors, else every matching link."""
    selector = Selector(text=html or "<html></html>")
    base = _base(selector, url)
    selectors = site.selectors_for(page) if page else site.list_link_selectors

    def collect(anchors: list[Selector]) -> dict[str, Link]:
        out: dict[str, Link] = {}
        for anchor in anchors:
            found = _anchor_link(anchor, base)
            if found and is_article(found[0], site) and found[0] not in out:
                out[found[0]] = Link(*found)
        return out

    by_selector: dict[str, Link] = {}
    for css in selectors:
        for key, link in collect(_anchors(selector, css)).items():
            by_selector.setdefault(key, link)
    generic = collect(selector.xpath("//a[@href]"))
    missed = len(set(generic) - set(by_selector))
    if page is not None and page.generic_links:
        merged = {**generic, **by_selector}
        path = "selector+generic" if by_selector else "declared_generic"
        return ListLinks(tuple(merged.values()), path if merged else "none", 0)
    if by_selector:
        return ListLinks(tuple(by_selector.values()), "selector", missed)
    if generic:
        return ListLinks(tuple(generic.values()), "generic", len(generic))
    return ListLinks((), "none", 0)


# -- pagination --------------------------------------------------------------------------------

_INDEX = re.compile(r"^(?P<dir>.*/)(?:index(?:_(?P<n>\d+))?\.(?P<ext>s?html?))?$")
_CHAN = re.compile(r"^(?P<dir>.*/)(?P<chan>[^/_]+?)(?:_(?P<n>\d+))?\.(?P<ext>s?html?)$")
_PAGER_TEXT = re.compile(r"(\d+)\s*/\s*(\d+)")


def _same(url_a: str, url_b: str) -> bool:
    return normalise(url_a) == normalise(url_b)


def _pager_link(selector: Selector, base: str, candidate: str, texts: tuple[str, ...]
                ) -> tuple[str | None, bool]:
    """(next URL from the page's pager, whether the page has a pager at all)."""
    has_pager = False
    by_text: str | None = None
    folder = candidate.rsplit("/", 1)[0] + "/"
    for anchor in selector.xpath("//a[@href]"):
        href = anchor.attrib.get("href", "")
        if href.startswith("javascript:"):
            continue
        target = normalise(urljoin(base, href))
        label = _text(" ".join(anchor.css("::text").getall()))
        if _same(target, candidate):
            return target, True
        if target.startswith(folder) and re.search(r"_(\d+)\.s?html?$|/index\.s?html?$", target):
            has_pager = True
            if label in texts and by_text is None:
                by_text = target
    return by_text, has_pager


def _index_next(selector: Selector, url: str, rule: Pagination, prefix: str = ""
                ) -> NextPage:
    path = urlsplit(url).path
    match = _INDEX.match(path)
    if not match:
        return NextPage(None, prefix + "none")
    current = int(match["n"]) if match["n"] else 0
    ext = match["ext"] or "html"
    candidate = normalise(urljoin(url, f"{match['dir']}index_{current + 1}.{ext}"))
    found, has_pager = _pager_link(selector, _base(selector, url), candidate, rule.next_link_texts)
    if found:
        return NextPage(found, prefix + "pager_link")
    if has_pager:
        return NextPage(None, prefix + "last_page")
    return NextPage(candidate if rule.blind_next else None,
                    prefix + ("blind" if rule.blind_next else "none"))


def next_page(html: str, url: str, rule: Pagination) -> NextPage:
    """Where a list continues after ``url`` (None at its last page)."""
    if rule.style == "none":
        return NextPage(None, "none")
    selector = Selector(text=html or "<html></html>")
    if rule.style == "trs":
        match = re.search(rule.trs_regex, html or "")
        if not match:
            return _index_next(selector, url, rule, prefix="trs_missing/")
        total, current, stem, ext = int(match[1]), int(match[2]), match[3], match[4]
        if current + 1 >= total:
            return NextPage(None, "last_page")
        folder = urlsplit(url).path
        folder = folder if folder.endswith("/") else folder.rsplit("/", 1)[0] + "/"
        return NextPage(normalise(urljoin(url, f"{folder}{stem}_{current + 1}.{ext}")),
                        "trs_script")
    if rule.style == "index_n":
        return _index_next(selector, url, rule)
    # chan_n: {chan}.html, {chan}_2.html, ...
    match = _CHAN.match(urlsplit(url).path)
    if not match:
        return NextPage(None, "none")
    current = int(match["n"]) if match["n"] else 1
    candidate = normalise(urljoin(url, f"{match['dir']}{match['chan']}_{current + 1}."
                                       f"{match['ext']}"))
    if rule.pager_text_selector:
        text = _text(" ".join(selector.css(rule.pager_text_selector + " ::text").getall()))
        counted = _PAGER_TEXT.search(text)
        if counted:
            shown, total = int(counted[1]), int(counted[2])
            if shown >= total:
                return NextPage(None, "last_page")
            return NextPage(candidate, "pager_text")
    found, has_pager = _pager_link(selector, _base(selector, url), candidate, rule.next_link_texts)
    if found:
        return NextPage(found, "pager_link")
    if has_pager:
        return NextPage(None, "last_page")
    return NextPage(candidate if rule.blind_next else None, "blind" if rule.blind_next else "none")


def discover_columns(html: str, url: str, selectors: tuple[str, ...], texts: tuple[str, ...]
                     ) -> list[tuple[str, str]]:
    """Navigation links whose text names a wanted column: [(url, text)]."""
    selector = Selector(text=html or "<html></html>")
    base = _base(selector, url)
    found: dict[str, str] = {}
    for css in selectors:
        for anchor in selector.css(css):
            label = _text(" ".join(anchor.css("::text").getall()))
            href = anchor.attrib.get("href", "").strip()
            if href and label and any(t == label or t in label for t in texts):
                found.setdefault(normalise(urljoin(base, href)), label)
    return list(found.items())
