"""The generic body finder: which blocks of a page are the article, judged by text density.

Each text block gets a value: positive when it reads like prose (letters and Han characters,
punctuated, few links), negative when it reads like navigation or furniture (link lists, short
unpunctuated labels, footers). The body is then found in three steps (see `select_body`): the
element holding the most prose in its own paragraphs, widened to ancestors that also hold
paragraphs, widened again to the surrounding run of prose when the layout scatters the story.

Measured on extbench (`python -m benchmarks.extbench`), not tuned to any one site.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bs4 import Tag

from .clean import is_furniture
from .tree import Block

# class/id words of containers that are not the article. Comment threads are prose, so they are
# always held against a container; the other words also name wrappers on some sites (a sticky
# "sidebar" plugin wrapping the post, a "nav" class on the page frame), so they count only for
# an element that does not hold the core paragraph container.
_COMMENTS = re.compile(r"comment|reply|respond|pinglun|discuss|\bgentie", re.I)
_NEGATIVE = re.compile(
    r"sidebar|side-bar|sidenav|footer|foot\b|copyright|banner|breadcrumb|crumb"
    r"|\bnav|menu|share|social|related|recommend|tuijian|xiangguan|hotnews|hot-news|ranking"
    r"|\brank|paihang|advert|\bads?\b|\bad-|sponsor|popup|login|toolbar|pagination|pager"
    r"|\bpage-nav|subscribe|newsletter|tags?-list|widget|aside",
    re.I,
)
_POSITIVE = re.compile(
    r"article|content|main|\bbody|entry|post|story|text|detail|zoom|trs_editor|newsfont"
    r"|cont\b|zw\b|zhengwen|neirong",
    re.I,
)


def _hint(tag: Tag) -> str:
    attrs = tag.attrs
    if not attrs:
        return ""
    classes = attrs.get("class")
    if isinstance(classes, list):
        classes = " ".join(classes)
    ident = attrs.get("id")
    return f"{classes or ''} {ident or ''}".strip()


def block_value(block: Block) -> float:
    """How much a block looks like article prose; negative for navigation and boilerplate.

    Prose is counted in letters and Han characters outside links, so a line of digits and
    dates ("(2006-12-24 03:45:27)", "浏览 1234") is worth nothing; punctuation raises the
    value up to double, links and short unpunctuated labels count against it.
    """
    n = block.chars
    if n == 0:
        return 0.0
    if is_furniture(block.text):
        return -float(n)
    links = block.link_chars
    if links / n > 0.5:
        return -float(n)
    words = block.letters
    if block.punct == 0 and words < 10:
        return -0.5 * n
    value = words - 1.5 * links
    if block.punct and words:
        value *= 1.0 + min(1.0, 10.0 * block.punct / words)
    return value


def score_blocks(blocks: Sequence[Block]) -> None:
    for block in blocks:
        block.value = block_value(block)


def _penalised(tag: Tag) -> float:
    """How strongly a class/id says "not the article": 1 comments, 0.5 side boxes, 0 none."""
    hint = _hint(tag)
    if not hint:
        return 0.0
    if _COMMENTS.search(hint):  # "comment-text", "comment-content": still comments
        return 1.0
    if _POSITIVE.search(hint):
        return 0.0
    return 0.5 if _NEGATIVE.search(hint) else 0.0


# Elements that are one paragraph each: their prose is credited to the box around them.
_PARAGRAPHS = frozenset({
    "p", "li", "dd", "dt", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
    "figcaption", "caption", "address", "center", "font", "span", "strong", "b",
})


def _direct_prose(blocks: Sequence[Block], excluded: dict[int, bool],
                  discounted: dict[int, bool]) -> dict[int, float]:
    """Per element, the prose of the paragraphs it holds directly (readability's candidates).

    A block counts for the box that holds it: the owner itself when several runs of text sit
    directly in a <div> or <td> (line breaks between paragraphs); the nearest block-level
    parent of a <p>, or of a <div> holding a single run of text. Blocks in comment threads do
    not count; blocks under a side-box class (footer, sidebar, related...) count half.
    """
    per_owner: dict[int, int] = {}
    for block in blocks:
        per_owner[id(block.owner)] = per_owner.get(id(block.owner), 0) + 1
    direct: dict[int, float] = {}
    for block in blocks:
        if block.value <= 0 or excluded.get(id(block.owner), False):
            continue
        box = block.owner
        if box.name in _PARAGRAPHS or per_owner[id(box)] == 1:
            parent = box.parent
            while parent is not None and parent.name in _PARAGRAPHS:
                parent = parent.parent
            box = parent if parent is not None else box
        value = block.value * (0.5 if discounted.get(id(block.owner), False) else 1.0)
        direct[id(box)] = direct.get(id(box), 0.0) + value
    return direct


def _find_core(order: Sequence[Tag], direct: dict[int, float]) -> Tag | None:
    """The element with the most direct prose."""
    best: Tag | None = None
    best_score = 0.0
    for tag in order:
        value = direct.get(id(tag), 0.0)
        if value > best_score:
            best, best_score = tag, value
    return best


def _hinted(order: Sequence[Tag], levels: dict[int, float], level: float) -> dict[int, bool]:
    """Per element: it or an ancestor carries a class/id hint at least as strong as `level`."""
    found: dict[int, bool] = {}
    for tag in order:
        found[id(tag)] = levels[id(tag)] >= level or found.get(id(tag.parent), False)
    return found


def select_body(root: Tag, blocks: Sequence[Block]) -> list[Block]:
    """The blocks of the article body, in document order ([] when the page has no prose).

    1. The core: the element holding the most prose in paragraphs of its own (comment
       threads excluded, side boxes discounted).
    2. The box: climb from the core to an ancestor only while the ancestor holds paragraphs
       of its own too (the lead above a "read more" wrapper) and taking it whole loses nothing
       net. Prose under comment or side-box classes counts negative for that sum, except on
       the path to the core: sites wrap whole pages in class="nav", or the post in a
       "sticky-sidebar" plugin. Ancestors that merely gather other boxes are not climbed.
    3. Fragments: the maximum-sum run of blocks in document order around the core's best
       paragraph. When it holds well over half as much prose again outside the box, the box
       was a fragment (old table layouts put every paragraph or two in its own cell between
       advertisements; templates split stories around figures) and the run is added. Unless
       the extra prose alternates with link lines: that is a teaser list, not more story.
    """
    if not blocks:
        return []
    order = _elements_in_order(root)
    levels = {id(tag): _penalised(tag) for tag in order}
    in_comments = _hinted(order, levels, 1.0)
    discounted = _hinted(order, levels, 0.5)
    direct = _direct_prose(blocks, in_comments, discounted)
    core = _find_core(order, direct)
    if core is None:  # everything sits under a "comment" class: ignore that class
        direct = _direct_prose(blocks, {}, discounted)
        core = _find_core(order, direct)
        if core is None:
            return []
    on_path: set[int] = set()
    node = core
    while node is not None:
        on_path.add(id(node))
        node = node.parent
    penalised: dict[int, bool] = {}
    for tag in order:
        key = id(tag)
        own = key not in on_path and levels[key] > 0
        penalised[key] = own or penalised.get(id(tag.parent), False)
    values = [-b.value if b.value > 0 and penalised.get(id(b.owner), False) else b.value
              for b in blocks]
    box = _climb(root, core, order, blocks, values, direct)
    inside = blocks_within(box, blocks)
    chosen = {id(b) for b in inside}
    extra = [b for b in _run_around(core, blocks, values) if id(b) not in chosen]
    prose = [b for b in extra if b.value > 0]
    links = [b for b in extra if b.link_density > 0.5 and b.chars >= 8]  # headlines
    own = sum(b.value for b in inside if b.value > 0)
    if sum(b.value for b in prose) > 0.6 * own and len(links) <= 0.4 * len(prose):
        chosen.update(id(b) for b in extra)
        return [b for b in blocks if id(b) in chosen]
    return inside


def _climb(root: Tag, core: Tag, order: Sequence[Tag], blocks: Sequence[Block],
           values: Sequence[float], direct: dict[int, float]) -> Tag:
    score: dict[int, float] = {}
    for block, value in zip(blocks, values, strict=True):
        score[id(block.owner)] = score.get(id(block.owner), 0.0) + value
    for tag in reversed(order):
        value = score.get(id(tag))
        if tag is not root and value and tag.parent is not None:
            score[id(tag.parent)] = score.get(id(tag.parent), 0.0) + value
    node = core
    floor = 0.2 * direct.get(id(core), 0.0)
    while node is not root and node.parent is not None:
        parent = node.parent
        if direct.get(id(parent), 0.0) < floor:
            break
        if score.get(id(parent), 0.0) < score.get(id(node), 0.0):
            break
        node = parent
    return node


def _run_around(core: Tag, blocks: Sequence[Block], values: Sequence[float]) -> list[Block]:
    """The maximum-sum run of blocks (document order) through the core's best paragraph."""
    inside = blocks_within(core, blocks)
    if not inside:
        return []
    seed = max(inside, key=lambda b: b.value).index
    first, run, gain = seed, 0.0, 0.0
    for i in range(seed - 1, -1, -1):
        run += values[i]
        if run > gain:
            gain, first = run, i
    last, run, gain = seed, 0.0, 0.0
    for i in range(seed + 1, len(blocks)):
        run += values[i]
        if run > gain:
            gain, last = run, i
    return list(blocks[first:last + 1])


def _elements_in_order(root: Tag) -> list[Tag]:
    return [root, *(node for node in root.descendants if isinstance(node, Tag))]


def blocks_within(container: Tag, blocks: Sequence[Block]) -> list[Block]:
    """The blocks whose owner is `container` or inside it."""
    inside = {id(container)}
    inside.update(id(node) for node in container.descendants if isinstance(node, Tag))
    return [block for block in blocks if id(block.owner) in inside]
