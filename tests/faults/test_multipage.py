"""Page 2 of a two-page story fails for a night: the next night completes the same article.

The recorded 黄河新闻网临汾频道 story on Pu County's express logistics hub runs over two pages;
page 1 alone shows a plan, page 2 the work in progress. Page 2 answers 503 all night (retries
included), so the night's article is page 1 alone; the next night fetches page 2 again (a
transient failure) and must leave exactly a clean run's facts: one article with both pages, one
new-mention alert for it, and no article for page 2.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from pledgewatch.replay import Fault, ReplayServer
from pledgewatch.settings import Settings
from tests.faults.conftest import Reference, assert_recovered, exactly, run_case
from warehouse.db import get_engine

HUB_1 = "http://lf.sxgov.cn/content/2022-11/18/content_12862105.htm"
HUB_2 = "http://lf.sxgov.cn/content/2022-11/18/content_12862105_2.htm"
PLEDGE = "express-logistics-center"


def stages(facts: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """The stages the hub story's mentions of its pledge show (a mention row names its story
    by the URLs of its articles, and its stage fourth)."""
    return [m[3] for m in facts["fct_mention"] if m[0] == (HUB_1,) and m[1] == PLEDGE]


def test_page_2_failing_for_a_night_completes_the_article_the_next(
        replay: ReplayServer, sqlite_settings: Settings, reference: Reference) -> None:
    out = run_case(sqlite_settings, replay, {exactly(HUB_2): Fault(status=503)})
    faulted = out.after_fault.facts
    assert (HUB_2,) not in faulted["raw_article"] and (HUB_1,) in faulted["raw_article"]
    assert stages(faulted) == ["planned"]
    assert replay.hits_for(exactly(HUB_2))  # the next night asked for page 2 again

    assert_recovered(out, reference, health_sites={"sxgov_lf"})
    assert HUB_2 not in out.state.article_urls
    assert stages(out.state.facts) == ["in_progress"]
    with get_engine(sqlite_settings.warehouse_url).connect() as conn:
        alerts = conn.execute(text(
            "SELECT count(*) FROM alert_outbox WHERE kind = 'new_mention'"
            " AND channel = 'file' AND pledge_id = :p"), {"p": PLEDGE}).scalar()
        pages = conn.execute(text(
            "SELECT r.url, p.page_no FROM article_page p JOIN raw_page r"
            " ON r.id = p.raw_page_id JOIN article a ON a.id = p.article_id"
            " WHERE a.url = :u ORDER BY p.page_no"), {"u": HUB_1}).all()
    assert alerts == 1
    assert [tuple(r) for r in pages] == [(HUB_1, 1), (HUB_2, 2)]
