"""One article from the pages of a story published over several pages.

Sites split long stories (lf.sxgov.cn: ``content_123.htm``, ``content_123_2.htm``, ...). Each
page extracts on its own, but the story is one: the linker needs the whole text, because a
later page often reports the progress without naming the county again, and page 1 names it;
dedupe needs the whole text to recognise a reprint that ran on one page. Which URL is which
page is the site declaration's business (``spiders.sites.Continuation``); this module only
joins what it is given, in page order, whatever order the pages arrived in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from transforms.extract import ExtractedArticle

#: Fields taken from the first page that has them (page 1 unless it lacks one).
HEAD_FIELDS = ("title", "published", "source", "author", "editor")


def join_pages(pages: Iterable[tuple[int, ExtractedArticle]], url: str | None = None
               ) -> ExtractedArticle:
    """The article made of ``pages`` (page number, extraction), in any order.

    The body is the pages' paragraphs in page order. Headline, date, source, author and editor
    come from the lowest-numbered page that has them: page 1 normally, a later page when page
    1 lacks one (or has not been fetched yet). ``methods`` says, per field, how the page that
    gave it found it, so extraction statistics stay per field. ``url`` is the article's URL
    (page 1's, even before page 1 is stored); by default the lowest page's.

    Two pages with one number are refused: which one to take is the caller's choice.
    """
    ordered = sorted(pages, key=lambda item: item[0])
    if not ordered:
        raise ValueError("an article needs at least one page")
    numbers = [number for number, _ in ordered]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"two pages share a page number: {numbers}")
    if min(numbers) < 1:
        raise ValueError(f"page numbers start at 1: {numbers}")
    articles = [article for _, article in ordered]
    first = articles[0]
    values: dict[str, Any] = {}
    methods: dict[str, str] = dict(first.methods)
    for name in HEAD_FIELDS:
        giver = next((a for a in articles if getattr(a, name)), first)
        values[name] = getattr(giver, name)
        if name in giver.methods:
            methods[name] = giver.methods[name]
    body_giver = next((a for a in articles if a.paragraphs), None)
    if body_giver is not None and "body" in body_giver.methods:
        methods["body"] = body_giver.methods["body"]
    return ExtractedArticle(
        url=url if url is not None else first.url,
        paragraphs=tuple(p for article in articles for p in article.paragraphs),
        methods=methods,
        **values,
    )


__all__ = ["HEAD_FIELDS", "join_pages"]
