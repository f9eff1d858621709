"""The dedupe window's fingerprint filter: exactly the stories within the SimHash radius.

`duplicate_candidates(..., near=(fingerprint, radius))` computes the Hamming distance in SQL on
PostgreSQL and from the fingerprints elsewhere; both must return what a brute-force scan of the
window returns, stories without a fingerprint included, copies and the article itself excluded.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from transforms.dedupe import hamming
from warehouse.db import session_scope
from warehouse.facts import duplicate_candidates
from warehouse.models import Article

DAY = dt.datetime(2022, 6, 1, 12, tzinfo=dt.UTC)
fingerprints = st.one_of(st.just(""), st.integers(0, 2**64 - 1).map(lambda n: f"{n:016x}"))
stories = st.lists(st.tuples(fingerprints, st.integers(-90, 90), st.booleans()), max_size=12)


@given(stories, st.integers(0, 2**64 - 1), st.integers(0, 64))
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_the_filter_keeps_exactly_the_close_stories(warehouse_url: str,
                                                    stored: list[tuple[str, int, bool]],
                                                    mine: int, radius: int) -> None:
    near = f"{mine:016x}"
    with session_scope(warehouse_url) as session:
        session.execute(delete(Article))
        me = Article(url="http://x/me", site="lfxww", extractor_version="t", fingerprint=near,
                     published_at=DAY)
        session.add(me)
        session.flush()
        expected = set()
        for n, (fp, days, is_copy) in enumerate(stored):
            article = Article(url=f"http://x/{n}", site="lfxww", extractor_version="t",
                              fingerprint=fp, text_simplified=f"story {n}",
                              published_at=DAY + dt.timedelta(days=days),
                              duplicate_of=me.id if is_copy else None)
            session.add(article)
            session.flush()
            if not is_copy and abs(days) <= 60 and (not fp or hamming(fp, near) <= radius):
                expected.add((article.id, f"story {n}", fp))
        found = duplicate_candidates(session, DAY, exclude_id=me.id, near=(near, radius))
        assert set(found) == expected
        everything = duplicate_candidates(session, DAY, exclude_id=me.id)
        assert set(found) <= set(everything)
