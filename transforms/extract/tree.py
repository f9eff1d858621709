"""Parsing untrusted HTML and flattening it into text blocks.

Everything here walks the tree iteratively (BeautifulSoup's `descendants` follows the
`next_element` chain), so a page nested ten thousand levels deep costs time, not the stack.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData

from .text import clean_text, letter_count, punct_count, strip_controls, visible_len

# Text beyond this is not a news article; cutting it bounds the work a hostile page can cause.
MAX_HTML_CHARS = 5_000_000
# Nor are tags beyond this (the largest real page in extbench has about 15,000). Parsing and
# every walk cost per element, so this, not the length, bounds the time: five million
# characters of `<br>` are over a million elements, some 25 s; a hundred thousand take ~2 s.
MAX_TAGS = 100_000
_TAG_START = re.compile(r"<[A-Za-z/!?]")

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend",
    "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul", "title",
})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Never text a reader sees.
JUNK_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "applet", "svg",
    "canvas", "math", "select", "option", "textarea", "button", "input", "map", "audio", "video",
    "source", "track", "link", "meta", "base", "frame", "title",
)
_JUNK = frozenset(JUNK_TAGS)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def cap_markup(html: str) -> str:
    """The page cut at MAX_HTML_CHARS characters and before its (MAX_TAGS + 1)th tag."""
    html = html[:MAX_HTML_CHARS]
    for count, match in enumerate(_TAG_START.finditer(html), start=1):
        if count > MAX_TAGS:
            return html[:match.start()]
    return html


def parse_html(html: str) -> BeautifulSoup:
    """BeautifulSoup over lxml, with the input capped and control characters removed."""
    html = strip_controls(cap_markup(html))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BeautifulSoup(html, "lxml")


def max_depth(root: Tag) -> int:
    """How deeply elements nest below `root` (one pass, no recursion)."""
    depth: dict[int, int] = {id(root): 0}
    deepest = 0
    for node in root.descendants:
        if isinstance(node, Tag):
            level = depth.get(id(node.parent), 0) + 1
            depth[id(node)] = level
            deepest = max(deepest, level)
    return deepest


def remove_junk(root: Tag) -> None:
    """Remove scripts, styles, form controls, comments and hidden elements in place."""
    strings = []
    doomed = []
    heads = []
    for node in root.descendants:
        if isinstance(node, Tag):
            if node.name in _JUNK:
                doomed.append(node)
            elif node.name == "head":
                heads.append(node)
            else:
                style = node.get("style")
                if (isinstance(style, str) and _HIDDEN_STYLE.search(style)) or node.has_attr(
                        "hidden"):
                    doomed.append(node)
        elif type(node) is not NavigableString and not isinstance(node, CData):
            strings.append(node)  # comments, doctype, processing instructions
    for string in strings:
        if string.parent is not None:
            string.extract()
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()
    # lxml nests <body> inside <head> when an unknown tag precedes it (sohu's <sohu_cms_include>)
    for head in heads:
        if not head.decomposed and not any(
            isinstance(n, Tag) and n.name == "body" for n in head.descendants
        ):
            head.decompose()


@dataclass(eq=False)
class Block:
    """A run of text between block boundaries: one paragraph, list item, table cell or line."""

    index: int
    text: str
    owner: Tag  # the nearest block-level element holding the text
    chars: int  # visible characters
    link_chars: int  # visible characters inside <a>
    punct: int  # sentence punctuation outside links
    letters: int  # letters and Han characters outside links
    heading: bool  # inside h1-h6
    value: float = 0.0  # the density scorer's verdict (positive = reads like body text)

    @property
    def link_density(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0


def linearize(root: Tag) -> list[Block]:
    """Flatten `root` into text blocks in document order.

    A block ends at every block-level element boundary and at <br>. Owner and in-link state are
    inherited from the parent, which `descendants` always visits first, so no ancestor walks.
    """
    blocks: list[Block] = []
    owner_of: dict[int, Tag] = {id(root): root}
    link_of: dict[int, bool] = {id(root): root.name == "a"}
    heading_of: dict[int, bool] = {id(root): root.name in HEADING_TAGS}
    parts: list[str] = []
    link_parts: list[str] = []
    state: dict[str, object] = {"owner": None, "heading": False}

    def flush() -> None:
        if parts:
            text = clean_text("".join(parts))
            if text:
                chars = visible_len(text)
                link_text = clean_text("".join(link_parts))
                link_chars = min(chars, visible_len(link_text))
                blocks.append(Block(
                    index=len(blocks), text=text, owner=state["owner"],  # type: ignore[arg-type]
                    chars=chars, link_chars=link_chars,
                    punct=max(0, punct_count(text) - punct_count(link_text)),
                    letters=max(0, letter_count(text) - letter_count(link_text)),
                    heading=bool(state["heading"]),
                ))
        parts.clear()
        link_parts.clear()

    for node in root.descendants:
        if isinstance(node, Tag):
            parent = node.parent
            pid = id(parent)
            name = node.name
            if name in BLOCK_TAGS:
                owner_of[id(node)] = node
                flush()
            else:
                owner_of[id(node)] = owner_of.get(pid, root)
            link_of[id(node)] = name == "a" or link_of.get(pid, False)
            heading_of[id(node)] = name in HEADING_TAGS or heading_of.get(pid, False)
            if name == "br" or name == "hr":
                flush()
            continue
        if type(node) is not NavigableString and not isinstance(node, CData):
            continue
        text = str(node)
        pid = id(node.parent)
        owner = owner_of.get(pid, root)
        if not text.strip():
            if parts:
                parts.append(text)
            continue
        if owner is not state["owner"]:
            flush()
            state["owner"] = owner
            state["heading"] = heading_of.get(pid, False)
        parts.append(text)
        if link_of.get(pid, False):
            link_parts.append(text)
    flush()
    return blocks
