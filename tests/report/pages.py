"""Reading the report's pages back (from the file or from Chromium's DOM) and the SQL truth."""

from __future__ import annotations

from typing import Any

import lxml.html
from sqlalchemy import text

from warehouse.db import get_engine


def parse(html: str) -> Any:
    return lxml.html.document_fromstring(html)


def figures(doc: Any) -> dict[str, str]:
    return {dd.get("data-figure"): dd.text_content().strip()
            for dd in doc.xpath("//dd[@data-figure]")}


def overview_from_page(doc: Any) -> dict[str, Any]:
    """What the overview says: the figures, the stage counts, the matrix and every row."""
    f = figures(doc)
    return {
        "pledges": int(f["pledges"]), "with_news": int(f["with_news"]),
        "completed": int(f["completed"]), "overdue": int(f["overdue"]),
        "stages": {e.get("data-stage-count"): int(e.text_content())
                   for e in doc.xpath("//*[@data-stage-count]")},
        "matrix": {(tr.get("data-area"), td.get("data-stage")): int(td.text_content() or 0)
                   for tr in doc.xpath("//table[@class='matrix']//tr[@data-area]")
                   for td in tr.xpath("./td[@data-stage]")},
        "rows": {tr.get("data-pledge-id"): (tr.get("data-stage"), int(tr.get("data-stories")),
                                            tr.get("data-overdue") == "1")
                 for tr in doc.xpath("//table[@class='pledges']//tr[@data-pledge-id]")},
    }


def overview_from_sql(url: str) -> dict[str, Any]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(text(
            "SELECT pledge_id, area, stage, mention_count, overdue FROM v_pledge_status"
        )).mappings().all()
    stages: dict[str, int] = {}
    matrix: dict[tuple[str, str], int] = {}
    for r in rows:
        stages[r["stage"]] = stages.get(r["stage"], 0) + 1
        matrix[(r["area"], r["stage"])] = matrix.get((r["area"], r["stage"]), 0) + 1
    return {
        "pledges": len(rows),
        "with_news": sum(1 for r in rows if r["mention_count"] > 0),
        "completed": stages.get("completed", 0),
        "overdue": sum(1 for r in rows if r["overdue"] == 1),
        "stages": stages,
        "matrix": matrix,
        "rows": {r["pledge_id"]: (r["stage"], int(r["mention_count"]), r["overdue"] == 1)
                 for r in rows},
    }


def comparable(overview: dict[str, Any]) -> dict[str, Any]:
    """Drop zero cells (the page shows every status; SQL only those that occur)."""
    out = dict(overview)
    out["stages"] = {k: v for k, v in overview["stages"].items() if v}
    out["matrix"] = {k: v for k, v in overview["matrix"].items() if v}
    return out


def timeline_from_sql(url: str, pledge_id: str) -> list[int]:
    with get_engine(url).connect() as conn:
        return [r[0] for r in conn.execute(text(
            "SELECT a.id FROM fct_mention fm JOIN article a ON a.id = fm.article_id "
            "WHERE fm.pledge_id = :p ORDER BY a.published_at, a.url"), {"p": pledge_id})]


def pledge_title(url: str, pledge_id: str) -> str:
    with get_engine(url).connect() as conn:
        return conn.execute(text("SELECT title FROM dim_pledge WHERE id = :p"),
                            {"p": pledge_id}).scalar_one()
