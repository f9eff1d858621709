"""The generic body finder: which element holds the article, judged by text density.

Each text block gets a value: positive when it reads like prose (long, punctuated, few links),
negative when it reads like navigation (link lists, short unpunctuated labels). An element's
score is the sum of the values of the blocks inside it, and the body is the element with the
highest score. Going one level up adds the siblings' blocks, so the search stops exactly where
the next level would add more menu than text: a maximum-sum subtree instead of thresholds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

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
    classes = tag.get("class")
    if isinstance(classes, list):
        classes = " ".join(classes)
    ident = tag.get("id")
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


def _direct_prose(blocks: Sequence[Block], excluded: dict[int, bool]) -> dict[int, float]:
    """Per element, the prose of the paragraphs it holds directly (readability's candidates).

    A block counts for the box that holds it: the owner itself when several runs of text sit
    directly in a <div> or <td> (line breaks between paragraphs); the nearest block-level
    parent of a <p>, or of a <div> holding a single run of text. Blocks in comment threads do
    not count.
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
        direct[id(box)] = direct.get(id(box), 0.0) + block.value
    return direct


def _find_core(order: Sequence[Tag], direct: dict[int, float]) -> Tag | None:
    """The element with the most direct prose; a side-box class halves an element's claim."""
    best: Tag | None = None
    best_score = 0.0
    for tag in order:
        value = direct.get(id(tag), 0.0)
        if value <= 0:
            continue
        if _penalised(tag) == 0.5:
            value *= 0.5
        if value > best_score:
            best, best_score = tag, value
    return best


def choose_container(root: Tag, blocks: Sequence[Block]) -> Tag | None:
    """The element whose blocks sum to the highest value, or None when nothing scores.

    First pass: the maximum-sum element, class names ignored; it holds the article, perhaps
    with its comments and side boxes. Second pass, inside it: prose in comment threads, and in
    side boxes that do not hold the core paragraph container, turns negative, and the maximum
    is taken again, among the core paragraph container and its ancestors. Class names never
    count against that path: sites wrap whole pages in class="nav", or the post in a
    "sticky-sidebar" plugin.
    """
    if not blocks:
        return None
    order = _elements_in_order(root)
    score = _subtree_sums(order, root, {}, blocks, lambda b: b.value)
    outer = _argmax(order, score)
    if outer is None:
        return root if any(b.value > 0 for b in blocks) else None
    inside = _elements_in_order(outer)
    inner_blocks = blocks_within(outer, blocks)
    in_comments: dict[int, bool] = {id(outer): False}
    for tag in inside[1:]:
        in_comments[id(tag)] = _penalised(tag) == 1.0 or in_comments.get(id(tag.parent), False)
    direct = _direct_prose(inner_blocks, in_comments)
    core = _find_core(inside, direct)
    protected: set[int] = set()
    node = core
    while node is not None and node is not outer:
        protected.add(id(node))
        node = node.parent
    penalised: dict[int, bool] = {id(outer): False}
    for tag in inside[1:]:
        key = id(tag)
        own = in_comments[key] or (key not in protected and _penalised(tag) > 0)
        penalised[key] = own or penalised.get(id(tag.parent), False)
    if core is None:
        return outer
    score = _subtree_sums(
        inside, outer, {}, inner_blocks,
        lambda b: -b.value if b.value > 0 and penalised.get(id(b.owner), False) else b.value,
    )
    # The article box is the core or an ancestor that holds paragraphs of its own as well (the
    # first paragraphs above a "read more" wrapper) and loses nothing net by being taken whole.
    # Ancestors that merely gather other boxes (teaser lists, sidebars) are not climbed.
    theta = 0.2
    node = core
    while node is not outer and node.parent is not None:
        parent = node.parent
        if direct.get(id(parent), 0.0) < theta * direct.get(id(core), 0.0):
            break
        if score.get(id(parent), 0.0) < score.get(id(node), 0.0):
            break
        node = parent
    return node


def _with_siblings(core: Tag, score: dict[int, float], blocks: Sequence[Block], share: float
                   ) -> Tag | list[Tag]:
    parent = core.parent
    if parent is None:
        return core
    own = score.get(id(core), 0.0)
    threshold = max(10.0, share * own)
    chosen: list[Tag] = []
    for child in parent.children:
        if child is core:
            chosen.append(child)
            continue
        if not isinstance(child, Tag):
            continue
        value = score.get(id(child), 0.0)
        if value < threshold:
            continue
        inner = blocks_within(child, blocks)
        chars = sum(b.chars for b in inner)
        links = sum(b.link_chars for b in inner)
        if chars and links / chars < 0.25:
            chosen.append(child)
    return chosen if len(chosen) > 1 else core


def _argmax(order: Sequence[Tag], score: dict[int, float]) -> Tag | None:
    """The highest-scoring element; on a tie the later (deeper) one, i.e. the tighter box."""
    best: Tag | None = None
    best_score = 0.0
    for tag in order:
        value = score.get(id(tag), 0.0)
        if value > 0 and value >= best_score:
            best, best_score = tag, value
    return best


def _subtree_sums(order: Sequence[Tag], root: Tag, start: dict[int, float],
                  blocks: Sequence[Block], value_of: Callable[[Block], float]) -> dict[int, float]:
    """Per element, the sum of `value_of` over the blocks inside it (one bottom-up pass)."""
    sums = dict(start)
    for block in blocks:
        key = id(block.owner)
        sums[key] = sums.get(key, 0.0) + value_of(block)
    for tag in reversed(order):
        if tag is root:
            continue
        value = sums.get(id(tag))
        parent = tag.parent
        if value and parent is not None:
            sums[id(parent)] = sums.get(id(parent), 0.0) + value
    return sums


def _elements_in_order(root: Tag) -> list[Tag]:
    return [root, *(node for node in root.descendants if isinstance(node, Tag))]


def blocks_within(container: Tag, blocks: Sequence[Block]) -> list[Block]:
    inside = {id(container)}
    inside.update(id(node) for node in container.descendants if isinstance(node, Tag))
    return [block for block in blocks if id(block.owner) in inside]


def log_value(x: float) -> float:
    return math.log(max(x, 1.0))


def choose_span(root: Tag, blocks: Sequence[Block]) -> list[Block]:
    """The maximum-sum run of blocks, in document order, around the best paragraph of the core.

    Blind to the tree, so it reaches paragraphs that old table layouts scatter over several
    cells and tables between advertisements; `select_body` uses it only then.
    """
    if not blocks:
        return []
    order = _elements_in_order(root)
    in_comments: dict[int, bool] = {}
    for tag in order:
        in_comments[id(tag)] = _penalised(tag) == 1.0 or in_comments.get(id(tag.parent), False)
    core = _find_core(order, _direct_prose(blocks, in_comments))
    if core is None:
        return []
    protected: set[int] = set()
    node = core
    while node is not None:
        protected.add(id(node))
        node = node.parent
    penalised: dict[int, bool] = {}
    for tag in order:
        key = id(tag)
        own = key not in protected and _penalised(tag) > 0
        penalised[key] = own or penalised.get(id(tag.parent), False)
    values = [-b.value if b.value > 0 and penalised.get(id(b.owner), False) else b.value
              for b in blocks]
    inside = blocks_within(core, blocks)
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


def select_body(root: Tag, blocks: Sequence[Block]) -> list[Block]:
    """The body's blocks: the chosen container's, widened to the surrounding run of prose when
    the container is a fragment of it.

    A fragment: the run holds well over half as much prose again outside the container (old
    table layouts put every paragraph or two in its own cell between advertisements; some
    templates split a story around figures). But when the extra prose alternates with link
    lines, it is a list of teasers (headline link, summary), not more of the story.
    """
    container = choose_container(root, blocks)
    if container is None:
        return []
    inside = blocks_within(container, blocks)
    chosen = {id(b) for b in inside}
    extra = [b for b in choose_span(root, blocks) if id(b) not in chosen]
    prose = [b for b in extra if b.value > 0]
    links = [b for b in extra if b.link_density > 0.5]
    own = sum(b.value for b in inside if b.value > 0)
    if sum(b.value for b in prose) > 0.6 * own and len(links) <= 0.4 * len(prose):
        chosen.update(id(b) for b in extra)
        return [b for b in blocks if id(b) in chosen]
    return inside
