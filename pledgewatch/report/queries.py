"""What the report reads from the warehouse, with SQLAlchemy Core, into plain records.

The overview and the site page read the analyst views only, so they show exactly what an
analyst querying the views would see. The pledge pages also need the marts behind them (the
seed sentence, each story's evidence and matched words), so the report needs read access to
``dim_pledge``, ``fct_mention``, ``fct_stage_change`` and ``article`` as well.

Times come back as text from SQLite views and as ``timestamptz`` from PostgreSQL; everything
is turned into Python dates here so the templates never see a dialect. Publication times are
the county's (Asia/Shanghai); operational times (crawls) are shown in UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, column, func, inspect, select, table

from warehouse.models import Article, DimPledge, FctMention, FctStageChange

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Every status a pledge can show, no news first, completed last (the report's column order).
STATUSES: tuple[str, ...] = ("no_news", "none", "planned", "started", "in_progress", "completed")
REQUIRED_RELATIONS: tuple[str, ...] = (
    "v_pledge_status", "v_mentions_monthly", "v_site_health", "v_articles_weekly",
    "v_story_urls", "dim_pledge", "fct_mention", "fct_stage_change", "article")

_pledge_status = table(
    "v_pledge_status", *(column(n) for n in (
        "pledge_id", "area", "kind", "title", "target_value", "target_unit", "deadline",
        "stage", "evidence_url", "evidence_title", "evidence_date", "evidence_sentence",
        "mention_count", "last_mention_at", "progress", "overdue")))
_mentions_monthly = table("v_mentions_monthly", column("pledge_id"), column("month"),
                          column("mentions"))
_site_health = table("v_site_health", *(column(n) for n in (
    "site", "last_crawl_at", "last_status", "last_requests", "last_new_pages", "last_errors",
    "last_ok_crawl_at", "articles", "last_published_at", "last_new_article_at",
    "extraction_failures")))
_articles_weekly = table("v_articles_weekly", column("site"), column("week"),
                         column("articles"))
_story_urls = table("v_story_urls", column("story_id"), column("article_id"), column("url"),
                    column("site"), column("is_primary"))


class WarehouseNotReady(RuntimeError):
    """The warehouse lacks the tables or views the report reads (not migrated yet)."""


# --- value coercion ---------------------------------------------------------------------------
def as_datetime(value: Any) -> dt.datetime | None:
    """A datetime from whatever the driver returned (SQLite views give text)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip().replace("T", " ")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    moment = as_datetime(value)
    return moment.date() if moment else None


def county_time(value: Any) -> dt.datetime | None:
    """A publication time on the county's clock (SQLite stores it as Shanghai wall time)."""
    moment = as_datetime(value)
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


def utc_time(value: Any) -> dt.datetime | None:
    """An operational time in UTC (SQLite stores ``utcnow()`` as naive UTC wall time)."""
    moment = as_datetime(value)
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _int(value: Any) -> int:
    return int(value or 0)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


# --- records ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PledgeStatus:
    id: str
    area: str
    kind: str
    title: str
    target_value: float | None
    target_unit: str | None
    deadline: dt.date | None
    stage: str
    evidence_url: str | None
    evidence_title: str | None
    evidence_date: dt.datetime | None
    evidence_sentence: str | None
    stories: int
    last_evidence_at: dt.datetime | None
    progress: float | None
    overdue: bool


@dataclass(frozen=True)
class SiteHealth:
    site: str
    last_crawl_at: dt.datetime | None
    last_status: str | None
    last_requests: int | None
    last_new_pages: int | None
    last_errors: int | None
    last_ok_crawl_at: dt.datetime | None
    articles: int
    last_published_at: dt.datetime | None
    last_new_article_at: dt.datetime | None
    extraction_failures: int


@dataclass(frozen=True)
class Copy:
    site: str
    url: str


@dataclass(frozen=True)
class Story:
    """One story (primary article) that a pledge was linked to, with its evidence."""

    article_id: int
    url: str
    site: str
    headline: str | None
    published_at: dt.datetime | None
    stage: str
    evidence: str
    matched: tuple[str, ...]
    progress: float | None
    quantity_value: float | None
    quantity_unit: str | None
    copies: tuple[Copy, ...] = ()


@dataclass(frozen=True)
class StageChange:
    from_stage: str
    to_stage: str
    evidence_date: dt.datetime | None
    headline: str | None
    url: str | None


@dataclass(frozen=True)
class PledgeDetail:
    id: str
    seed_sentence: str
    aliases: tuple[str, ...]
    target_at_least: bool
    stories: tuple[Story, ...]
    stage_changes: tuple[StageChange, ...]


@dataclass
class ReportData:
    pledges: list[PledgeStatus]
    details: dict[str, PledgeDetail]
    mentions_by_month: list[tuple[str, int]]
    site_health: list[SiteHealth]
    articles_weekly: dict[str, dict[str, int]]
    week_style: str  # "sqlite" (strftime %W) or "postgresql" (ISO weeks)
    linked_stories: int
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


# --- queries ----------------------------------------------------------------------------------
def check_ready(conn: Connection) -> None:
    """Fail with the missing relations named, rather than with a driver traceback later."""
    inspector = inspect(conn)
    present = set(inspector.get_table_names()) | set(inspector.get_view_names())
    missing = [name for name in REQUIRED_RELATIONS if name not in present]
    if missing:
        raise WarehouseNotReady(
            f"the warehouse has no {', '.join(missing)}; run `pledgewatch db upgrade` "
            "(and a crawl or `pledgewatch process`) first")


def pledge_statuses(conn: Connection) -> list[PledgeStatus]:
    v = _pledge_status.c
    rows = conn.execute(select(_pledge_status).order_by(v.area, v.pledge_id)).mappings()
    return [PledgeStatus(
        id=r["pledge_id"], area=r["area"], kind=r["kind"], title=r["title"],
        target_value=_float(r["target_value"]), target_unit=r["target_unit"],
        deadline=as_date(r["deadline"]), stage=r["stage"], evidence_url=r["evidence_url"],
        evidence_title=r["evidence_title"], evidence_date=county_time(r["evidence_date"]),
        evidence_sentence=r["evidence_sentence"], stories=_int(r["mention_count"]),
        last_evidence_at=county_time(r["last_mention_at"]), progress=_float(r["progress"]),
        overdue=bool(_int(r["overdue"])),
    ) for r in rows]


def mentions_by_month(conn: Connection) -> list[tuple[str, int]]:
    v = _mentions_monthly.c
    rows = conn.execute(select(v.month, func.sum(v.mentions)).group_by(v.month)
                        .order_by(v.month))
    return [(str(month), _int(total)) for month, total in rows if month]


def site_health(conn: Connection) -> list[SiteHealth]:
    rows = conn.execute(select(_site_health).order_by(_site_health.c.site)).mappings()
    return [SiteHealth(
        site=r["site"], last_crawl_at=utc_time(r["last_crawl_at"]),
        last_status=r["last_status"],
        last_requests=None if r["last_requests"] is None else _int(r["last_requests"]),
        last_new_pages=None if r["last_new_pages"] is None else _int(r["last_new_pages"]),
        last_errors=None if r["last_errors"] is None else _int(r["last_errors"]),
        last_ok_crawl_at=utc_time(r["last_ok_crawl_at"]), articles=_int(r["articles"]),
        last_published_at=county_time(r["last_published_at"]),
        last_new_article_at=utc_time(r["last_new_article_at"]),
        extraction_failures=_int(r["extraction_failures"]),
    ) for r in rows]


def articles_weekly(conn: Connection) -> dict[str, dict[str, int]]:
    v = _articles_weekly.c
    weekly: dict[str, dict[str, int]] = defaultdict(dict)
    for site, week, count in conn.execute(select(v.site, v.week, v.articles)):
        if week:
            weekly[site][str(week)] = _int(count)
    return dict(weekly)


def _copies(conn: Connection) -> dict[int, list[Copy]]:
    v = _story_urls.c
    copies: dict[int, list[Copy]] = defaultdict(list)
    for story_id, site, url in conn.execute(
            select(v.story_id, v.site, v.url).where(v.is_primary == 0)
            .order_by(v.story_id, v.site, v.url)):
        copies[int(story_id)].append(Copy(site=site, url=url))
    return copies


def _story_sort_key(story: Story) -> tuple[bool, dt.datetime, str]:
    # Undated stories go last; the URL breaks ties so the order is stable between runs.
    moment = story.published_at or dt.datetime.max.replace(tzinfo=SHANGHAI)
    return (story.published_at is None, moment, story.url)


def pledge_details(conn: Connection) -> dict[str, PledgeDetail]:
    m, a, p, sc = (FctMention.__table__, Article.__table__, DimPledge.__table__,
                   FctStageChange.__table__)
    copies = _copies(conn)
    stories: dict[str, list[Story]] = defaultdict(list)
    for r in conn.execute(select(
            m.c.pledge_id, m.c.stage, m.c.evidence, m.c.matched, m.c.progress,
            m.c.quantity_value, m.c.quantity_unit, a.c.id, a.c.url, a.c.site, a.c.title,
            a.c.published_at).join(a, a.c.id == m.c.article_id)).mappings():
        stories[r["pledge_id"]].append(Story(
            article_id=r["id"], url=r["url"], site=r["site"], headline=r["title"],
            published_at=county_time(r["published_at"]), stage=r["stage"],
            evidence=r["evidence"] or "", matched=_words(r["matched"]),
            progress=_float(r["progress"]), quantity_value=_float(r["quantity_value"]),
            quantity_unit=r["quantity_unit"], copies=tuple(copies.get(r["id"], ()))))
    changes: dict[str, list[StageChange]] = defaultdict(list)
    for r in conn.execute(select(
            sc.c.pledge_id, sc.c.from_stage, sc.c.to_stage, sc.c.evidence_date, a.c.title,
            a.c.url).join(a, a.c.id == sc.c.article_id, isouter=True)).mappings():
        changes[r["pledge_id"]].append(StageChange(
            from_stage=r["from_stage"], to_stage=r["to_stage"],
            evidence_date=county_time(r["evidence_date"]), headline=r["title"], url=r["url"]))
    details: dict[str, PledgeDetail] = {}
    for r in conn.execute(select(p.c.id, p.c.seed_sentence, p.c.aliases,
                                 p.c.target_at_least)).mappings():
        pledge_changes = sorted(changes.get(r["id"], []), key=lambda c: (
            c.evidence_date is None, c.evidence_date or dt.datetime.min.replace(
                tzinfo=SHANGHAI), c.to_stage))
        details[r["id"]] = PledgeDetail(
            id=r["id"], seed_sentence=r["seed_sentence"], aliases=_words(r["aliases"]),
            target_at_least=bool(r["target_at_least"]),
            stories=tuple(sorted(stories.get(r["id"], []), key=_story_sort_key)),
            stage_changes=tuple(pledge_changes))
    return details


def _words(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # a JSON column read through a view or a raw cursor
        try:
            value = json.loads(value)
        except ValueError:
            return (value,)
    if not isinstance(value, Sequence):
        return ()
    return tuple(str(v) for v in value if v)


def linked_stories(conn: Connection) -> int:
    m = FctMention.__table__
    return _int(conn.execute(select(func.count(func.distinct(m.c.article_id)))).scalar())


def read_report_data(conn: Connection) -> ReportData:
    check_ready(conn)
    return ReportData(
        pledges=pledge_statuses(conn), details=pledge_details(conn),
        mentions_by_month=mentions_by_month(conn), site_health=site_health(conn),
        articles_weekly=articles_weekly(conn), week_style=conn.dialect.name,
        linked_stories=linked_stories(conn))
