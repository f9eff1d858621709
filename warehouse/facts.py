"""Staging and mart writes: articles, mentions, stage changes. Idempotent on both dialects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, and_, case, delete, func, or_, select, text, true
from sqlalchemy.orm import Session

from warehouse.models import (
    STAGES,
    Article,
    ArticlePage,
    FctMention,
    FctStageChange,
    RawPage,
    utcnow,
)
from warehouse.upsert import upsert

STAGE_RANK = {stage: rank for rank, stage in enumerate(STAGES)}
_ARTICLE_MUTABLE = ("raw_page_id", "title", "published_at", "source", "author", "editor", "body",
                    "text_simplified", "fingerprint", "is_local", "extraction",
                    "extractor_version")
_MENTION_MUTABLE = ("score", "stage", "quantity_value", "quantity_unit", "progress", "evidence",
                    "matched", "linker_version")


def _to_process(stmt: Select[Any], reprocess: bool) -> Select[Any]:
    newest = (select(RawPage.url, func.max(RawPage.id).label("id"))
              .where(RawPage.kind == "article", RawPage.status == 200, RawPage.error.is_(None))
              .group_by(RawPage.url).subquery())
    stmt = stmt.join(newest, RawPage.id == newest.c.id).order_by(RawPage.id)
    if not reprocess:
        # Done means part of an article: page 1 or a later page (``article_page``).
        stmt = stmt.outerjoin(ArticlePage, ArticlePage.raw_page_id == RawPage.id).where(
            ArticlePage.raw_page_id.is_(None))
    return stmt


def pages_to_process(session: Session, reprocess: bool, limit: int | None = None
                     ) -> list[RawPage]:
    """The newest successful article fetch of each URL not yet extracted (or all of them)."""
    stmt = _to_process(select(RawPage), reprocess)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def page_ids_to_process(session: Session, reprocess: bool, after_id: int = 0,
                        limit: int = 1000) -> list[int]:
    """The ids of `pages_to_process`, the next ``limit`` of them after ``after_id``.

    Ids only, a chunk at a time: a run reads pages one by one, and loading every raw page
    (bodies included) up front cost memory in proportion to the crawl.
    """
    stmt = _to_process(select(RawPage.id), reprocess).where(RawPage.id > after_id)
    return list(session.scalars(stmt.limit(limit)))


def save_article(session: Session, row: Mapping[str, Any]) -> tuple[int, bool]:
    """Upsert an article by canonical URL; returns (id, created)."""
    existing = session.scalar(select(Article.id).where(Article.url == row["url"]))
    upsert(session, Article.__table__, [{**row, "updated_at": utcnow()}], conflict=("url",),
           update=_ARTICLE_MUTABLE, touch="updated_at")
    article_id = session.scalar(select(Article.id).where(Article.url == row["url"]))
    assert article_id is not None
    return article_id, existing is None


def article_pages(session: Session, url: str) -> list[tuple[int, str, str]]:
    """(raw page id, page URL, site) of every page the article at ``url`` was built from."""
    stmt = (select(RawPage.id, RawPage.url, RawPage.site)
            .join(ArticlePage, ArticlePage.raw_page_id == RawPage.id)
            .join(Article, Article.id == ArticlePage.article_id)
            .where(Article.url == url).order_by(ArticlePage.page_no, RawPage.id))
    return [(i, u, s) for i, u, s in session.execute(stmt)]


def save_article_pages(session: Session, article_id: int, pages: Mapping[int, int]) -> None:
    """Record that the article is made of ``pages`` (raw page id -> page number), and only
    of them: a page listed under another article moves here, and this article's rows for
    fetches it is no longer built from go (an older fetch of a page it now reads anew)."""
    session.execute(delete(ArticlePage).where(
        ArticlePage.article_id == article_id, ArticlePage.raw_page_id.not_in(list(pages))))
    session.execute(delete(ArticlePage).where(
        ArticlePage.raw_page_id.in_(list(pages)), ArticlePage.article_id != article_id))
    upsert(session, ArticlePage.__table__,
           [{"raw_page_id": raw_id, "article_id": article_id, "page_no": number}
            for raw_id, number in sorted(pages.items())],
           conflict=("raw_page_id",), update=("article_id", "page_no"))


def drop_article(session: Session, url: str) -> bool:
    """Delete the article stored under ``url`` with its mentions and stage changes; True if
    there was one. For a later page that was made an article of its own before multi-page
    stories were joined (revision 0003): its page now belongs to page 1's article."""
    article_id = session.scalar(select(Article.id).where(Article.url == url))
    if article_id is None:
        return False
    # Copies that pointed at it as their story's primary are primaries again.
    session.execute(delete(Article).where(Article.id == article_id))
    return True


def duplicate_candidates(session: Session, published: dt.datetime | None, exclude_id: int,
                         days: int = 60, near: tuple[str, int] | None = None
                         ) -> list[tuple[int, str, str]]:
    """Primary articles published near ``published``: (id, text, fingerprint).

    Two months either way: the provincial sites reprint county stories weeks later.
    ``near`` (a fingerprint and a radius in bits) keeps only candidates whose SimHash is that
    close, or that have none: the window holds every story of four months, and fetching all
    their texts for each page made a check cost time and memory in proportion to it. On
    PostgreSQL the distance is computed by the server; elsewhere from the fingerprints alone.
    """
    where = [Article.duplicate_of.is_(None), Article.id != exclude_id]
    if published is not None:
        window = dt.timedelta(days=days)
        where.append(or_(Article.published_at.is_(None),
                         and_(Article.published_at >= published - window,
                              Article.published_at <= published + window)))
    columns = (Article.id, Article.text_simplified, Article.fingerprint)
    if near is None:
        return [(i, t, f) for i, t, f in session.execute(select(*columns).where(*where))]
    mine, radius = near
    if session.get_bind().dialect.name == "postgresql":
        distance = text("bit_count(('x' || article.fingerprint)::bit(64) "
                        "# ('x' || :mine)::bit(64)) <= :radius").bindparams(
            mine=mine, radius=radius)
        close = case((Article.fingerprint == "", true()), else_=distance)
        return [(i, t, f) for i, t, f in session.execute(select(*columns).where(*where, close))]
    wanted = int(mine, 16)
    ids = [i for i, f in session.execute(select(Article.id, Article.fingerprint).where(*where))
           if not f or (int(f, 16) ^ wanted).bit_count() <= radius]
    found: list[tuple[int, str, str]] = []
    for start in range(0, len(ids), 500):
        stmt = select(*columns).where(Article.id.in_(ids[start:start + 500]))
        found.extend((i, t, f) for i, t, f in session.execute(stmt))
    return found


def mark_duplicate(session: Session, article_id: int, primary_id: int | None) -> None:
    article = session.get(Article, article_id)
    assert article is not None
    if article.duplicate_of != primary_id:
        article.duplicate_of = primary_id
    if primary_id is not None:
        session.query(FctMention).filter(FctMention.article_id == article_id).delete()


def save_mentions(session: Session, article_id: int, rows: list[dict[str, Any]]
                  ) -> list[dict[str, Any]]:
    """Upsert an article's mentions and drop ones the linker no longer makes.

    Returns the rows that are new (first seen now), for alerting.
    """
    existing = {m.pledge_id: m for m in session.scalars(
        select(FctMention).where(FctMention.article_id == article_id))}
    keep = {row["pledge_id"] for row in rows}
    for pledge_id, mention in existing.items():
        if pledge_id not in keep:
            session.delete(mention)
    now = utcnow()
    upsert(session, FctMention.__table__,
           [{**row, "article_id": article_id, "updated_at": now} for row in rows],
           conflict=("article_id", "pledge_id"), update=_MENTION_MUTABLE, touch="updated_at")
    return [row for row in rows if row["pledge_id"] not in existing]


def advance_stage(session: Session, pledge_id: str, article_id: int, stage: str,
                  evidence_date: dt.datetime | None) -> str | None:
    """Record that a pledge reached ``stage`` if no story had shown it that far before.

    Returns the previous stage when the pledge moved forward, else None.
    """
    reached = session.scalars(select(FctStageChange.to_stage)
                              .where(FctStageChange.pledge_id == pledge_id)).all()
    best = max((STAGE_RANK[s] for s in reached), default=0)
    if STAGE_RANK[stage] <= best:
        return None
    previous = next((s for s, r in STAGE_RANK.items() if r == best), "none")
    inserted = upsert(session, FctStageChange.__table__, [{
        "pledge_id": pledge_id, "from_stage": previous, "to_stage": stage,
        "article_id": article_id, "evidence_date": evidence_date, "detected_at": utcnow()}],
        conflict=("pledge_id", "to_stage"))
    return previous if inserted else None
