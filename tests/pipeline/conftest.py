"""Fixtures that load the recorded sites' article pages into the raw layer, as a crawl would."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from pledgewatch.replay import DEFAULT_ROOT, Recording
from pledgewatch.settings import Settings, load_settings
from spiders.sites import load_sites
from warehouse.db import get_engine, session_scope
from warehouse.raw import FetchedPage, save_raw_page

FETCHED = dt.datetime(2023, 1, 5, 2, 0, tzinfo=dt.UTC)


def expected_articles() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((DEFAULT_ROOT / "expected.yaml").read_text(encoding="utf-8"))
    return data["articles"]


def site_of(url: str) -> str:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname
    return next(name for name, s in load_sites().items() if host in s.domains)


def load_recorded_pages(url: str, pages: dict[str, dict[str, Any]]) -> int:
    """Store each recorded page's exact reply as a successful fetch; returns the count."""
    recording = Recording.load()
    stored = 0
    with session_scope(url) as session:
        for page_url in pages:
            reply = recording.reply("GET", page_url, {}, b"")
            if reply.status != 200:
                continue
            stored += save_raw_page(session, FetchedPage(
                url=page_url, final_url=page_url, site=site_of(page_url), status=200,
                headers=dict(reply.headers), body=reply.body, fetched_at=FETCHED))
    return stored


def digest(url: str) -> str:
    """A digest of every mart and the outbox, to compare runs by content, not by count."""
    queries = {
        "article": "SELECT url, title, published_at, duplicate_of IS NULL, is_local FROM article",
        "fct_mention": "SELECT a.url, m.pledge_id, m.stage, m.evidence, m.score FROM fct_mention m"
                       " JOIN article a ON a.id = m.article_id",
        "fct_stage_change": "SELECT pledge_id, from_stage, to_stage FROM fct_stage_change",
        "alert_outbox": "SELECT alert_key, channel, kind, state FROM alert_outbox",
    }
    h = hashlib.sha256()
    with get_engine(url).connect() as conn:
        for name, sql in queries.items():
            rows = sorted(repr(tuple(r)) for r in conn.execute(text(sql)))
            h.update(name.encode())
            h.update("\n".join(rows).encode())
    return h.hexdigest()


@pytest.fixture
def pipeline_settings(warehouse_url: str, tmp_path: Path) -> Settings:
    return load_settings({"PLEDGEWATCH_DB_URL": warehouse_url,
                          "PLEDGEWATCH_DATA_DIR": str(tmp_path / "data")})
