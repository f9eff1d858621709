"""Typed models of every warehouse table, layered as dbt would name them.

raw: ``raw_page`` (exactly what was fetched, never rewritten);
staging: ``article`` (one row per article, however many pages it was published on; syndicated
copies point at their story's primary through ``duplicate_of``), ``article_page`` (which raw
pages an article was made from);
marts: ``dim_pledge``, ``fct_mention``, ``fct_stage_change``; operations: ``crawl_run``,
``site_run_stats``, ``alert_outbox``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Progress stages, weakest first; the ordinal is what "moved forward" means.
STAGES: tuple[str, ...] = ("none", "planned", "started", "in_progress", "completed")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # JSONB on PostgreSQL: it has equality, which the idempotent upserts compare with.
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON().with_variant(JSONB(), "postgresql"),
        list[Any]: JSON().with_variant(JSONB(), "postgresql"),
    }


Timestamp = DateTime(timezone=True)


class CrawlRun(Base):
    __tablename__ = "crawl_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    status: Mapped[str] = mapped_column(String(20), default="running")
    sites: Mapped[list[Any]] = mapped_column(default=list)
    since: Mapped[dt.date | None]
    until: Mapped[dt.date | None]


class SiteRunStats(Base):
    __tablename__ = "site_run_stats"
    __table_args__ = (UniqueConstraint("crawl_run_id", "site"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int] = mapped_column(ForeignKey("crawl_run.id", ondelete="CASCADE"))
    site: Mapped[str] = mapped_column(String(40))
    requests: Mapped[int] = mapped_column(default=0)
    new_pages: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    bytes: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(20), default="ok")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    recorded_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class RawPage(Base):
    __tablename__ = "raw_page"
    __table_args__ = (
        UniqueConstraint("url", "content_hash"),
        Index("ix_raw_page_site_fetched", "site", "fetched_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), index=True)
    final_url: Mapped[str] = mapped_column(String(2048))
    site: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16), default="article")
    status: Mapped[int]
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    error: Mapped[str | None] = mapped_column(String(40))
    crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_run.id", ondelete="SET NULL"))


class Article(Base):
    __tablename__ = "article"
    __table_args__ = (Index("ix_article_published", "published_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    site: Mapped[str] = mapped_column(String(40))
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_page.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    source: Mapped[str | None] = mapped_column(String(200))
    author: Mapped[str | None] = mapped_column(String(200))
    editor: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, default="")
    text_simplified: Mapped[str] = mapped_column(Text, default="")
    fingerprint: Mapped[str] = mapped_column(String(32), default="")
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", ondelete="SET NULL"), index=True)
    is_local: Mapped[bool] = mapped_column(Boolean, default=False)
    extraction: Mapped[dict[str, Any]] = mapped_column(default=dict)
    extractor_version: Mapped[str] = mapped_column(String(20))
    first_seen_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class ArticlePage(Base):
    """One raw page an article was made from, and its place in the article.

    A story split over pages (``content_123.htm``, ``content_123_2.htm``) is one article whose
    body joins its pages in ``page_no`` order. A row here is also what marks a raw page as
    processed: a later page never becomes an article of its own, so ``article.raw_page_id``
    (page 1's fetch) cannot say that it was read. One row per raw page: a page belongs to one
    article. Only the fetch an article was last built from is listed for each page.
    """

    __tablename__ = "article_page"

    raw_page_id: Mapped[int] = mapped_column(
        ForeignKey("raw_page.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), index=True)
    page_no: Mapped[int] = mapped_column(Integer)


class DimPledge(Base):
    __tablename__ = "dim_pledge"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    area: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    seed_sentence: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    target_value: Mapped[float | None] = mapped_column(Float)
    target_unit: Mapped[str | None] = mapped_column(String(8))
    target_at_least: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline: Mapped[dt.date | None]
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class FctMention(Base):
    __tablename__ = "fct_mention"
    __table_args__ = (UniqueConstraint("article_id", "pledge_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    pledge_id: Mapped[str] = mapped_column(ForeignKey("dim_pledge.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    stage: Mapped[str] = mapped_column(String(16))
    quantity_value: Mapped[float | None] = mapped_column(Float)
    quantity_unit: Mapped[str | None] = mapped_column(String(8))
    progress: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)
    matched: Mapped[list[Any]] = mapped_column(default=list)
    linker_version: Mapped[str] = mapped_column(String(20))
    first_seen_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class FctStageChange(Base):
    """A pledge's stage moved forward on the evidence of one article."""

    __tablename__ = "fct_stage_change"
    __table_args__ = (UniqueConstraint("pledge_id", "to_stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pledge_id: Mapped[str] = mapped_column(ForeignKey("dim_pledge.id"))
    from_stage: Mapped[str] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    evidence_date: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    detected_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class AlertOutbox(Base):
    """One row per alert and channel; the key is the idempotency key receivers see."""

    __tablename__ = "alert_outbox"
    __table_args__ = (
        UniqueConstraint("alert_key", "channel"),
        Index("ix_alert_outbox_state", "state", "channel"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_key: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    pledge_id: Mapped[str | None] = mapped_column(String(80))
    article_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
