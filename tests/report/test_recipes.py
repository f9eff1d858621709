"""Every SQL recipe in docs/analysts.md runs on SQLite and PostgreSQL and gives the right answer.

The expected answers are worked out here in Python from the tables (not from the views the
recipes mostly read), so a recipe that runs but answers the wrong question fails.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import RowMapping, select, text
from sqlalchemy.orm import Session

from tests.report.conftest import COPY_SITE, COPY_URL, PLEDGE, PRIMARY_URL, load_warehouse
from tests.report.recipes import DIALECTS, Recipe, parse_recipes
from warehouse.db import get_engine
from warehouse.models import (
    AlertOutbox,
    Article,
    DimPledge,
    FctMention,
    FctStageChange,
    SiteRunStats,
)
from warehouse.roles import grant_analyst_role

SHANGHAI = ZoneInfo("Asia/Shanghai")
RANK = {"none": 0, "planned": 1, "started": 2, "in_progress": 3, "completed": 4}
BASE_TABLES = ("raw_page", "article", "dim_pledge", "fct_mention", "fct_stage_change",
               "crawl_run", "site_run_stats", "alert_outbox")
ANALYST_ROLE = "pledgewatch_analyst_recipes"


# --- the answers, from the tables -------------------------------------------------------------
def county(value: Any) -> dt.datetime | None:
    """SQLite keeps Shanghai wall time, PostgreSQL an instant; both as county time."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)


def utc(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def since(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=SHANGHAI)


@dataclass
class Truth:
    pledges: dict[str, DimPledge]
    articles: dict[int, Article]
    mentions: list[FctMention]
    changes: list[FctStageChange]
    stats: list[SiteRunStats]
    alerts: list[AlertOutbox]
    by_pledge: dict[str, list[FctMention]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        grouped: dict[str, list[FctMention]] = defaultdict(list)
        for m in self.mentions:
            grouped[m.pledge_id].append(m)
        self.by_pledge = dict(grouped)

    def stage(self, pledge_id: str) -> str:
        mentions = self.by_pledge.get(pledge_id)
        if not mentions:
            return "no_news"
        return max((m.stage for m in mentions), key=RANK.__getitem__)

    def last_mention(self, pledge_id: str) -> dt.datetime | None:
        dates = [county(self.articles[m.article_id].published_at)
                 for m in self.by_pledge.get(pledge_id, [])]
        dates = [d for d in dates if d is not None]
        return max(dates) if dates else None

    def copies_sites(self, story_id: int) -> set[str]:
        return {a.site for a in self.articles.values()
                if a.id == story_id or a.duplicate_of == story_id}


def read_truth(url: str) -> Truth:
    with Session(get_engine(url)) as session:
        def rows(model: Any) -> list[Any]:
            return list(session.scalars(select(model)))

        return Truth(pledges={p.id: p for p in rows(DimPledge)},
                     articles={a.id: a for a in rows(Article)}, mentions=rows(FctMention),
                     changes=rows(FctStageChange), stats=rows(SiteRunStats),
                     alerts=rows(AlertOutbox))


# --- one check per recipe ---------------------------------------------------------------------
Rows = Sequence[RowMapping]
Check = Callable[[Rows, Truth], None]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn
    return register


def num(value: Any) -> float | None:
    return None if value is None else float(value) if isinstance(value, Decimal) else value


@check("pledges-by-area-and-stage")
def _by_area_stage(rows: Rows, t: Truth) -> None:
    want = Counter((p.area, t.stage(p.id)) for p in t.pledges.values())
    assert {(r["area"], r["stage"]): r["pledges"] for r in rows} == want
    assert sum(r["pledges"] for r in rows) == len(t.pledges)


@check("completion-by-area")
def _completion(rows: Rows, t: Truth) -> None:
    assert {r["area"] for r in rows} == {p.area for p in t.pledges.values()}
    for r in rows:
        ids = [p.id for p in t.pledges.values() if p.area == r["area"]]
        done = sum(1 for i in ids if t.stage(i) == "completed")
        assert (r["pledges"], r["completed"]) == (len(ids), done), r["area"]
        assert num(r["pct_completed"]) == pytest.approx(round(100 * done / len(ids), 1))
    shares = [num(r["pct_completed"]) for r in rows]
    assert shares == sorted(shares, reverse=True)


@check("overdue")
def _overdue(rows: Rows, t: Truth) -> None:
    today = dt.date.today()
    want = {p.id for p in t.pledges.values()
            if p.deadline is not None and p.deadline < today and t.stage(p.id) != "completed"}
    assert want, "the recording has overdue pledges (2022 deadlines, not all completed)"
    assert {r["pledge_id"] for r in rows} == want
    assert all(r["stage"] != "completed" for r in rows)


@check("no-news-since")
def _no_news(rows: Rows, t: Truth) -> None:
    bound = since("2022-10-01")
    want = {p for p in t.pledges if (t.last_mention(p) or bound - dt.timedelta(1)) < bound}
    got = [r["pledge_id"] for r in rows]
    assert set(got) == want and len(got) == len(want)
    assert PLEDGE not in want  # its last story is from 2023
    never = [r["last_mention_at"] is None for r in rows]
    assert never == sorted(never, reverse=True), "never-mentioned pledges come first"


@check("completed-this-month")
def _completed_this_month(rows: Rows, t: Truth) -> None:
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    want = {c.pledge_id for c in t.changes
            if c.to_stage == "completed" and utc(c.detected_at).strftime("%Y-%m") == month}
    assert want, "the load just detected completions"
    assert {r["pledge_id"] for r in rows} == want
    assert PLEDGE in want


@check("stage-changes-between")
def _changes_between(rows: Rows, t: Truth) -> None:
    lo, hi = since("2022-07-01"), since("2023-01-01")
    want = {(c.pledge_id, c.to_stage) for c in t.changes
            if c.evidence_date is not None and lo <= county(c.evidence_date) < hi}
    assert want
    assert {(r["pledge_id"], r["to_stage"]) for r in rows} == want
    dates = [county(r["evidence_date"]) for r in rows]
    assert dates == sorted(dates)


@check("evidence-trail")
def _evidence_trail(rows: Rows, t: Truth) -> None:
    mine = t.by_pledge[PLEDGE]
    assert len(rows) == len(mine) >= 5
    assert {r["url"] for r in rows} == {t.articles[m.article_id].url for m in mine}
    dates = [county(r["published_at"]) for r in rows]
    assert dates == sorted(dates), "oldest first"
    assert rows[-1]["stage"] == "completed"
    assert all("博远风电" in r["evidence"] for r in rows)


@check("stories-per-pledge-per-site")
def _per_site(rows: Rows, t: Truth) -> None:
    want: Counter[tuple[str, str]] = Counter()
    for m in t.mentions:
        for site in t.copies_sites(m.article_id):
            want[(m.pledge_id, site)] += 1
    assert {(r["pledge_id"], r["site"]): r["stories"] for r in rows} == want
    assert want[(PLEDGE, COPY_SITE)] >= 1, "the syndicated copy counts for the site carrying it"


@check("syndicated-stories")
def _syndicated(rows: Rows, t: Truth) -> None:
    stories: dict[int, set[str]] = defaultdict(set)
    for r in rows:
        stories[r["story_id"]].add(r["url"])
    primary = next(a for a in t.articles.values() if a.url == PRIMARY_URL)
    assert stories[primary.id] == {PRIMARY_URL, COPY_URL}
    want = {a.duplicate_of for a in t.articles.values() if a.duplicate_of is not None}
    assert set(stories) == want
    first = next(r for r in rows if r["story_id"] == primary.id)
    assert first["is_primary"] == 1 and first["url"] == PRIMARY_URL


@check("mentions-per-month")
def _per_month(rows: Rows, t: Truth) -> None:
    want: Counter[str] = Counter()
    for m in t.mentions:
        published = county(t.articles[m.article_id].published_at)
        if published is not None:
            want[published.strftime("%Y-%m")] += 1
    assert {r["month"]: num(r["mentions"]) for r in rows} == want
    assert [r["month"] for r in rows] == sorted(want)


@check("quantified-progress")
def _progress(rows: Rows, t: Truth) -> None:
    targets = {p.id for p in t.pledges.values() if p.target_value is not None}
    assert {r["pledge_id"] for r in rows} == targets
    for r in rows:
        reported = [m.progress for m in t.by_pledge.get(r["pledge_id"], [])
                    if m.progress is not None]
        assert num(r["progress"]) == (max(reported) if reported else None), r["pledge_id"]
    assert any(r["progress"] is not None for r in rows)
    assert rows[-1]["progress"] is None or all(r["progress"] is not None for r in rows)


@check("site-health")
def _site_health(rows: Rows, t: Truth) -> None:
    by_site = {r["site"]: r for r in rows}
    assert {s: r["articles"] for s, r in by_site.items()} == Counter(
        a.site for a in t.articles.values())
    lf = by_site["lfxww"]
    assert (lf["last_status"], lf["last_errors"]) == ("degraded", 3)
    assert lf["last_ok_crawl_at"] is not None
    assert utc(lf["last_ok_crawl_at"]) < utc(lf["last_crawl_at"]), "last good crawl is older"
    assert by_site["linfen_gov"]["last_crawl_at"] is None


@check("crawls-last-week")
def _crawls(rows: Rows, t: Truth) -> None:
    week_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
    recent = [s for s in t.stats if utc(s.recorded_at) >= week_ago]
    assert len(recent) < len(t.stats), "the old crawl is left out"
    want = {site: (sum(1 for s in recent if s.site == site),
                   sum(s.errors for s in recent if s.site == site)) for site in
            {s.site for s in recent}}
    assert {r["site"]: (r["runs"], num(r["errors"])) for r in rows} == want
    assert next(r for r in rows if r["site"] == "lfxww")["runs_not_ok"] == 1


@check("unlinked-articles")
def _unlinked(rows: Rows, t: Truth) -> None:
    linked = {m.article_id for m in t.mentions}
    want = {a.url for a in t.articles.values() if a.duplicate_of is None and a.id not in linked}
    assert want
    assert {r["url"] for r in rows} == want
    assert COPY_URL not in want


@check("matched-words")
def _matched(rows: Rows, t: Truth) -> None:
    want = Counter((m.pledge_id, w) for m in t.mentions for w in m.matched)
    assert {(r["pledge_id"], r["word"]): r["links"] for r in rows} == want
    links = [r["links"] for r in rows]
    assert links == sorted(links, reverse=True)


@check("alert-outbox")
def _alerts(rows: Rows, t: Truth) -> None:
    want = Counter((a.channel, a.kind, a.state) for a in t.alerts)
    assert want
    assert {(r["channel"], r["kind"], r["state"]): r["alerts"] for r in rows} == want


# --- the tests --------------------------------------------------------------------------------
RECIPES = parse_recipes()


def test_the_doc_has_a_dozen_checked_recipes_in_both_dialects() -> None:
    names = {r.name for r in RECIPES}
    assert len(names) >= 12
    assert names == set(CHECKS), "every recipe has a check here, and every check a recipe"
    for dialect in DIALECTS:
        runnable = [r.name for r in RECIPES if r.runs_on(dialect)]
        assert sorted(runnable) == sorted(names), f"{dialect} lacks a variant"
    variants = Counter(r.name for r in RECIPES)
    assert all(n in (1, 2) for n in variants.values())


def test_views_only_recipes_read_no_table() -> None:
    views_only = [r for r in RECIPES if r.views_only]
    assert len(views_only) >= 5
    for recipe in views_only:
        used = {t for t in BASE_TABLES if re.search(rf"\b{t}\b", recipe.sql)}
        assert not used, f"{recipe.name} is marked views only but reads {used}"


def test_recipes_answer_right(warehouse_url: str, tmp_path: Path,
                              subtests: pytest.Subtests) -> None:
    load_warehouse(warehouse_url, tmp_path / "data")
    engine = get_engine(warehouse_url)
    dialect = engine.dialect.name
    truth = read_truth(warehouse_url)
    for recipe in RECIPES:
        if not recipe.runs_on(dialect):
            continue
        with subtests.test(recipe=recipe.name, dialect=dialect), engine.connect() as conn:
            rows = conn.execute(text(recipe.sql)).mappings().all()
            CHECKS[recipe.name](rows, truth)
    if dialect == "postgresql":
        with subtests.test("views-only recipes as the analyst role"):
            _run_as_analyst(warehouse_url, [r for r in RECIPES if r.views_only], truth)


def _run_as_analyst(url: str, recipes: list[Recipe], truth: Truth) -> None:
    engine = get_engine(url)
    with engine.begin() as conn:
        grant_analyst_role(conn, ANALYST_ROLE)
    for recipe in recipes:
        with engine.connect() as conn:
            conn.execute(text(f"SET ROLE {ANALYST_ROLE}"))
            rows = conn.execute(text(recipe.sql)).mappings().all()
            conn.rollback()
        CHECKS[recipe.name](rows, truth)
