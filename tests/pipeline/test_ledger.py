"""The run's on-disk index: pages grouped by article, articles in publication order.

Processing order decides which copy of a story is its primary and the order stage changes
are seen in, so the ledger's order must be publication time, undated last, ties by URL,
whatever order pages were extracted in.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pledgewatch.pipeline.process import Part, _Ledger

SHANGHAI = ZoneInfo("Asia/Shanghai")
A = "http://lf.sxgov.cn/content/2022-11/18/content_12862105.htm"
B = "http://www.lfxww.com/puxian/2700100.html"
C = "http://www.lfxww.com/puxian/2700099.html"


def part(no: int, page_id: int, url: str, fresh: bool = True) -> Part:
    return Part(no, page_id, url, "x", (page_id * 10, 5), fresh)


def test_pages_group_by_article_in_arrival_order() -> None:
    with _Ledger() as ledger:
        ledger.add_part(A, part(2, 7, A.replace(".htm", "_2.htm")))
        ledger.add_part(B, part(1, 8, B))
        ledger.add_part(A, part(1, 9, A))
        assert list(ledger.article_keys()) == [A, B]
        ledger.add_part(A, part(3, 3, A.replace(".htm", "_3.htm"), fresh=False))
        assert [(p.page_no, p.raw_page_id, p.fresh) for p in ledger.parts(A)] == [
            (2, 7, True), (1, 9, True), (3, 3, False)]
        assert ledger.parts(B) == [part(1, 8, B)]


def test_articles_come_in_publication_order_undated_last_ties_by_url() -> None:
    noon = dt.datetime(2022, 11, 18, 12, 0, tzinfo=SHANGHAI)
    with _Ledger() as ledger:
        ledger.add_article("undated", None, (1, 1))
        ledger.add_article(B, noon, (2, 2))
        ledger.add_article(A, noon + dt.timedelta(hours=1), (3, 3))
        ledger.add_article(C, noon.astimezone(dt.UTC), (4, 4))  # the same instant as B
        assert [key for key, _ in ledger.in_publication_order()] == [C, B, A, "undated"]
        assert dict(ledger.in_publication_order())[A] == (3, 3)
