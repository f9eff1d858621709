"""The offline demo: the whole pipeline through the recorded sites, no network, no setting."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import text

from pledgewatch.pipeline.run import run_pipeline
from pledgewatch.replay import ReplayServer
from pledgewatch.report import build_report
from pledgewatch.settings import Settings
from warehouse.db import get_engine


@contextmanager
def proxied_through(replay: ReplayServer) -> Iterator[None]:
    """Route the crawl (and only for its duration) through the replay."""
    saved = {k: os.environ.get(k) for k in replay.proxy_env()}
    os.environ.update(replay.proxy_env())
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_demo(settings: Settings, echo: Callable[[str], None] = print) -> None:
    with ReplayServer() as replay, proxied_through(replay):
        echo(f"replaying the recorded sites on {replay.url}")
        report = run_pipeline(settings, crawl_overrides={"DOWNLOAD_DELAY": 0,
                                                         "AUTOTHROTTLE_ENABLED": False})
    for line in report.lines():
        echo(line)
    with get_engine(settings.warehouse_url).connect() as conn:
        by_stage = dict(conn.execute(text(
            "SELECT stage, COUNT(*) FROM v_pledge_status GROUP BY stage")).all())
        rows = conn.execute(text(
            "SELECT pledge_id, stage, mention_count, evidence_title FROM v_pledge_status "
            "WHERE stage NOT IN ('none', 'no_news') ORDER BY area, pledge_id")).all()
    echo("\npledges by stage: " + ", ".join(
        f"{stage} {by_stage.get(stage, 0)}" for stage in
        ("completed", "in_progress", "started", "planned", "none", "no_news")))
    echo(f"{len(rows)} pledges show progress on evidence:")
    for pledge_id, stage, count, title in rows:
        echo(f"  {pledge_id:36} {stage:12} {count:3} stories  latest: {title}")
    echo(f"\nwarehouse: {settings.warehouse_url}")
    echo(f"alert outbox: {settings.outbox_path}")
    echo(f"report: {build_report(settings.warehouse_url, settings.data_dir / 'report').index}")
