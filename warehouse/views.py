"""The analysts' views, written once in SQL that both SQLite and PostgreSQL accept.

Only the month bucket differs by dialect. Times are stored as Asia/Shanghai wall time on
SQLite and as ``timestamptz`` on PostgreSQL, so both bucket by the county's calendar.

A pledge's ``stage`` is the most advanced stage any story has shown, backed by the newest
story at that stage (the Obameter's rule: a status always cites its evidence). Stories are
counted once however many sites carried them (``duplicate_of`` copies carry no mentions).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

STAGE_RANK_SQL = ("CASE {col} WHEN 'completed' THEN 4 WHEN 'in_progress' THEN 3 "
                  "WHEN 'started' THEN 2 WHEN 'planned' THEN 1 ELSE 0 END")

_MONTH = {
    "sqlite": "strftime('%Y-%m', {col})",
    "postgresql": "to_char({col} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')",
}
_WEEK = {
    "sqlite": "strftime('%Y-W%W', {col})",
    "postgresql": "to_char({col} AT TIME ZONE 'Asia/Shanghai', 'IYYY-\"W\"IW')",
}

V_PLEDGE_STATUS = """
CREATE VIEW v_pledge_status AS
WITH m AS (
    SELECT fm.pledge_id, fm.stage, fm.progress, fm.quantity_value, fm.quantity_unit,
           fm.evidence, a.url, a.title, a.site, a.published_at,
           {rank} AS stage_rank
    FROM fct_mention fm JOIN article a ON a.id = fm.article_id
), ranked AS (
    SELECT m.*, ROW_NUMBER() OVER (
        PARTITION BY pledge_id ORDER BY stage_rank DESC, published_at DESC, url) AS rn
    FROM m
), agg AS (
    SELECT pledge_id, COUNT(*) AS mention_count, MAX(published_at) AS last_mention_at,
           MAX(progress) AS progress
    FROM m GROUP BY pledge_id
)
SELECT p.id AS pledge_id, p.area, p.kind, p.title, p.target_value, p.target_unit,
       p.deadline,
       COALESCE(r.stage, 'no_news') AS stage,
       r.url AS evidence_url, r.title AS evidence_title, r.published_at AS evidence_date,
       r.evidence AS evidence_sentence,
       COALESCE(agg.mention_count, 0) AS mention_count,
       agg.last_mention_at, agg.progress,
       CASE WHEN p.deadline IS NOT NULL AND p.deadline < CURRENT_DATE
                 AND COALESCE(r.stage, 'no_news') <> 'completed' THEN 1 ELSE 0 END AS overdue
FROM dim_pledge p
LEFT JOIN ranked r ON r.pledge_id = p.id AND r.rn = 1
LEFT JOIN agg ON agg.pledge_id = p.id
"""

V_MENTIONS_MONTHLY = """
CREATE VIEW v_mentions_monthly AS
SELECT fm.pledge_id, {month} AS month, COUNT(*) AS mentions,
       MAX({rank}) AS best_stage_rank
FROM fct_mention fm JOIN article a ON a.id = fm.article_id
WHERE a.published_at IS NOT NULL
GROUP BY fm.pledge_id, {month}
"""

V_SITE_HEALTH = """
CREATE VIEW v_site_health AS
WITH sites AS (
    SELECT site FROM site_run_stats UNION SELECT site FROM article
), latest AS (
    SELECT s.site, s.status, s.requests, s.new_pages, s.errors, s.recorded_at,
           ROW_NUMBER() OVER (PARTITION BY s.site ORDER BY s.recorded_at DESC, s.id DESC) AS rn
    FROM site_run_stats s
), ok AS (
    SELECT site, MAX(recorded_at) AS last_ok_crawl_at
    FROM site_run_stats WHERE status = 'ok' GROUP BY site
), arts AS (
    SELECT site, COUNT(*) AS articles, MAX(published_at) AS last_published_at,
           MAX(first_seen_at) AS last_new_article_at,
           SUM(CASE WHEN title IS NULL OR body = '' THEN 1 ELSE 0 END) AS extraction_failures
    FROM article GROUP BY site
)
SELECT sites.site, latest.recorded_at AS last_crawl_at, latest.status AS last_status,
       latest.requests AS last_requests, latest.new_pages AS last_new_pages,
       latest.errors AS last_errors, ok.last_ok_crawl_at,
       COALESCE(arts.articles, 0) AS articles, arts.last_published_at,
       arts.last_new_article_at, COALESCE(arts.extraction_failures, 0) AS extraction_failures
FROM sites
LEFT JOIN latest ON latest.site = sites.site AND latest.rn = 1
LEFT JOIN ok ON ok.site = sites.site
LEFT JOIN arts ON arts.site = sites.site
"""

V_ARTICLES_WEEKLY = """
CREATE VIEW v_articles_weekly AS
SELECT site, {week} AS week, COUNT(*) AS articles
FROM article WHERE published_at IS NOT NULL
GROUP BY site, {week}
"""

V_STORY_URLS = """
CREATE VIEW v_story_urls AS
SELECT COALESCE(a.duplicate_of, a.id) AS story_id, a.id AS article_id, a.url, a.site,
       CASE WHEN a.duplicate_of IS NULL THEN 1 ELSE 0 END AS is_primary
FROM article a
"""

VIEW_NAMES: tuple[str, ...] = ("v_pledge_status", "v_mentions_monthly", "v_site_health",
                               "v_articles_weekly", "v_story_urls")


def view_sql(dialect: str) -> list[str]:
    month = _MONTH[dialect].format(col="a.published_at")
    week = _WEEK[dialect].format(col="published_at")
    return [
        V_PLEDGE_STATUS.format(rank=STAGE_RANK_SQL.format(col="fm.stage")),
        V_MENTIONS_MONTHLY.format(month=month, rank=STAGE_RANK_SQL.format(col="fm.stage")),
        V_SITE_HEALTH,
        V_ARTICLES_WEEKLY.format(week=week),
        V_STORY_URLS,
    ]


def create_views(connection: Connection) -> None:
    for statement in view_sql(connection.dialect.name):
        connection.execute(text(statement))


def drop_views(connection: Connection) -> None:
    for name in reversed(VIEW_NAMES):
        connection.execute(text(f"DROP VIEW IF EXISTS {name}"))
