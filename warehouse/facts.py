"""Staging and mart writes: articles, mentions, stage changes. Idempotent on both dialects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from warehouse.models import STAGES, Article, FctMention, FctStageChange, RawPage, utcnow
from warehouse.upsert import upsert

STAGE_RANK = {stage: rank for rank, stage in enumerate(STAGES)}
_ARTICLE_MUTABLE = ("raw_page_id", "title", "published_at", "source", "author", "editor", "body",
                    "text_simplified", "fingerprint", "is_local", "extraction",
                    "extractor_version")
_MENTION_MUTABLE = ("score", "stage", "quantity_value", "quantity_unit", "progress", "evidence",
                    "matched", "linker_version")


def pages_to_process(session: Session, reprocess: bool, limit: int | None = None
                     ) -> list[RawPage]:
    """The newest successful article fetch of each URL not yet extracted (or all of them)."""
    newest = (select(RawPage.url, func.max(RawPage.id).label("id"))
              .where(RawPage.kind == "article", RawPage.status == 200, RawPage.error.is_(None))
              .group_by(RawPage.url).subquery())
    stmt = select(RawPage).join(newest, RawPage.id == newest.c.id).order_by(RawPage.id)
    if not reprocess:
        stmt = stmt.outerjoin(Article, Article.raw_page_id == RawPage.id).where(
            Article.id.is_(None))
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def save_article(session: Session, row: Mapping[str, Any]) -> tuple[int, bool]:
    """Upsert an article by canonical URL; returns (id, created)."""
    existing = session.scalar(select(Article.id).where(Article.url == row["url"]))
    upsert(session, Article.__table__, [{**row, "updated_at": utcnow()}], conflict=("url",),
           update=_ARTICLE_MUTABLE, touch="updated_at")
    article_id = session.scalar(select(Article.id).where(Article.url == row["url"]))
    assert article_id is not None
    return article_id, existing is None


def duplicate_candidates(session: Session, published: dt.datetime | None, exclude_id: int,
                         days: int = 60) -> list[tuple[int, str, str]]:
    """Primary articles published near ``published``: (id, text, fingerprint).

    Two months either way: the provincial sites reprint county stories weeks later.
    """
    stmt = select(Article.id, Article.text_simplified, Article.fingerprint).where(
        Article.duplicate_of.is_(None), Article.id != exclude_id)
    if published is not None:
        window = dt.timedelta(days=days)
        stmt = stmt.where(or_(Article.published_at.is_(None),
                              and_(Article.published_at >= published - window,
                                   Article.published_at <= published + window)))
    return [(i, t, f) for i, t, f in session.execute(stmt)]


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
