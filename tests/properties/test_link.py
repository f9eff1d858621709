"""The linker on arbitrary articles: never raises, and every link it makes is a valid row.

Built once from the real registry and gazetteer (building the automaton is the expensive part),
then fed text that mixes noise with pledge names, cue words, place names, stage cues and
quantities, so that links are actually made and checked.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pledges import load_registry
from pledges.places import load_gazetteer
from tests.properties.strategies import NEWS_WORDS, devset_slices
from transforms.link import EARLIEST, ArticleText, Link, Linker
from transforms.normalise import normalise_text
from transforms.quantity import UNITS
from transforms.stage import STAGE_ORDER

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
COUNTY_URL = "http://www.lfxww.com/puxian/2700001.html"


@lru_cache(maxsize=1)
def linker() -> Linker:
    return Linker(load_registry(), load_gazetteer())


@lru_cache(maxsize=1)
def registry_words() -> tuple[str, ...]:
    words: list[str] = []
    for pledge in load_registry().pledges:
        words.extend(pledge.aliases[:2])
        for group in pledge.cues[:2]:
            words.append("".join(group))
        words.extend(pledge.exclude[:1])
    gazetteer = load_gazetteer()
    return (*words, *gazetteer.home_names[:8], *gazetteer.elsewhere[:8])


piece = st.one_of(st.sampled_from(NEWS_WORDS), st.text(max_size=5), devset_slices(),
                  st.builds(lambda: None).flatmap(lambda _: st.sampled_from(registry_words())))
article_text = st.lists(piece, max_size=30).map("".join)
published = st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2025, 12, 31)))
urls = st.sampled_from([COUNTY_URL, "http://www.linfen.gov.cn/xwzx/a.html",
                        "http://lf.sxgov.cn/content/2022-06/02/content_1.htm", "", "not a url"])


def assert_valid_links(article: ArticleText, links: list[Link]) -> None:
    assert isinstance(links, list)
    registry = linker().pledges
    text = "\n".join(filter(None, (normalise_text(article.title), normalise_text(article.body))))
    seen: set[str] = set()
    for link in links:
        assert isinstance(link, Link)
        assert link.pledge_id in registry and link.pledge_id not in seen  # one link per pledge
        seen.add(link.pledge_id)
        assert link.stage in STAGE_ORDER
        assert 0.0 <= link.score <= 1.0
        assert link.evidence and link.evidence in text  # cited word for word
        if link.quantity is not None:
            assert link.quantity.unit in UNITS
            assert math.isfinite(link.quantity.value) and link.quantity.value > 0
        if link.progress is not None:
            assert math.isfinite(link.progress) and link.progress > 0
        assert link.to_dict()["pledge_id"] == link.pledge_id
    assert [lk.score for lk in links] == sorted((lk.score for lk in links), reverse=True)


@given(article_text, article_text, published, urls)
@settings(FAST, max_examples=200)
@example("蒲县75个重点项目", "蒲县75个重点项目已完成" + "一" * 400 + "个。", dt.date(2022, 6, 1),
         COUNTY_URL)
@example("蒲县75个重点项目", "蒲县75个重点项目已完成" + "9" * 400 + "个。", dt.date(2022, 6, 1),
         COUNTY_URL)
@example("", "蒲县75个重点项目已完成0个。", dt.date(2022, 6, 1), COUNTY_URL)
def test_links_are_valid_rows(title: str, body: str, day: dt.date | None, url: str) -> None:
    article = ArticleText("a1", url, title, body, day)
    links = linker().link(article)
    assert_valid_links(article, links)
    if day is not None and day < EARLIEST:
        assert links == []  # the pledges are 2022's


@given(devset_slices(min_size=20), devset_slices(), published)
@settings(FAST, max_examples=100)
def test_real_text_cut_anywhere_links_validly(body: str, title: str, day: dt.date | None) -> None:
    article = ArticleText("a2", COUNTY_URL, title, body, day)
    assert_valid_links(article, linker().link(article))
