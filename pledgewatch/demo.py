"""The offline demo: everything on the embedded default, no network, no setting."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from pledgewatch.pipeline.pledges import sync_pledges
from pledgewatch.settings import Settings
from warehouse.db import get_engine
from warehouse.migrate import upgrade


def run_demo(settings: Settings, echo: Callable[[str], None] = print) -> None:
    upgrade(settings.warehouse_url)
    changed = sync_pledges(settings)
    echo(f"warehouse: {settings.warehouse_url}")
    echo(f"pledges loaded: {changed} new or changed")
    with get_engine(settings.warehouse_url).connect() as conn:
        rows = conn.execute(text(
            "SELECT area, COUNT(*), SUM(CASE WHEN stage = 'completed' THEN 1 ELSE 0 END) "
            "FROM v_pledge_status GROUP BY area ORDER BY area")).all()
    for area, total, completed in rows:
        echo(f"  {area}: {total} pledges, {completed} completed on evidence")
