"""Text functions on arbitrary input: they never raise and always keep their promises.

Page text is untrusted; these run on every sentence of every article, so an exception here is a
page that is never linked, and an impossible value (an infinite quantity, a naive date, a
stage off the scale) is a wrong row in the warehouse.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from urllib.parse import parse_qsl, urlsplit

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.properties.strategies import devset_slices, news_text
from transforms.dedupe import (
    MIN_SHINGLES,
    Candidate,
    _hash64,
    find_duplicate,
    fingerprint,
    shingles,
    simhash,
)
from transforms.extract import parse_chinese_datetime
from transforms.normalise import normalise_text
from transforms.quantity import UNITS, find_quantities, parse_number
from transforms.stage import STAGE_ORDER, StageReading, read_stage
from transforms.urls import canonical_url

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
any_text = st.one_of(st.text(max_size=200), news_text)

# -- normalise ---------------------------------------------------------------------------------


@given(any_text)
@settings(FAST, max_examples=200)
@example("?/?/p>p>")
@example("网(wa(wǎng)ng)")
@example("&nbs&nbsp;p;")
@example("臨汾新聞網(wǎng)訊　蒲縣完成１．６６萬畝")
def test_normalised_text_is_clean_and_stable(text: str) -> None:
    norm = normalise_text(text)
    assert isinstance(norm, str)
    assert "\r" not in norm and "\u3000" not in norm and "\n\n" not in norm
    for line in norm.split("\n") if norm else ():
        assert line and line == line.strip()
    assert not re.search(r"[０-９Ａ-Ｚａ-ｚ]", norm)  # full-width letters and digits folded
    # Normalising twice changes nothing: stored text and the linker's evidence agree.
    assert normalise_text(norm) == norm


# -- dates -----------------------------------------------------------------------------------


def assert_plausible(value: dt.datetime | None) -> None:
    if value is None:
        return
    assert isinstance(value, dt.datetime)
    offset = value.utcoffset()
    assert offset is not None, "naive datetime"
    assert abs(offset) <= dt.timedelta(hours=14)
    assert 1900 <= value.year <= 2100


_date_noise = st.text(alphabet="0123456789-/.:年月日号時时分秒 T上下午〇零一二三四五六七八九十Z+GMTUC,",
                      max_size=60)


@given(st.one_of(any_text, _date_noise))
@settings(FAST, max_examples=300)
@example("9999年99月99日 99:99:99")
@example("2022-02-29")
@example("Mon, 01 Jan 0001 00:00:00 +0000")
@example("2022-03-05T10:00:00+99:99")
@example("2022-03-05 10:00 GMT+15")
def test_dates_are_aware_and_plausible(text: str) -> None:
    assert_plausible(parse_chinese_datetime(text))


_prose = st.text(alphabet=st.sampled_from("蒲县召开重点项目建设推进会安排部署下一阶段工作，。：、 "), max_size=30)


@given(_prose, st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2099, 12, 31)),
       st.sampled_from(["{:%Y-%m-%d %H:%M:%S}", "{d.year}年{d.month}月{d.day}日 {d:%H:%M}",
                        "{:%Y/%m/%d %H:%M}"]), _prose)
@settings(FAST, max_examples=150)
def test_a_date_in_prose_is_found(before: str, moment: dt.datetime, form: str, after: str) -> None:
    written = form.format(moment, d=moment)
    found = parse_chinese_datetime(f"{before}{written}{after}")
    assert found is not None
    assert_plausible(found)
    assert found.replace(tzinfo=None) == moment.replace(second=found.second, microsecond=0)


# -- quantities ------------------------------------------------------------------------------


@given(any_text)
@settings(FAST, max_examples=300)
@example("完成" + "一" * 400 + "亩")
@example("完成" + "9" * 400 + "亩")
@example("完成0个，0.0亿元，零个")
def test_quantities_are_positive_and_finite(text: str) -> None:
    last_end = 0
    for q in find_quantities(text):
        assert q.unit in UNITS
        assert math.isfinite(q.value) and q.value > 0, q
        assert math.isfinite(q.base) and q.base > 0, q
        start, end = q.span
        assert last_end <= start < end <= len(text)  # in order, not overlapping
        assert q.unit in text[start:end]
        last_end = end


@given(st.one_of(any_text, st.text(alphabet="零〇一二两三四五六七八九十百千万亿点.0123456789e-+",
                                   max_size=40), st.sampled_from(["nan", "inf", "-Infinity",
                                                                   "1e400", "一" * 500])))
@settings(FAST, max_examples=300)
def test_parse_number_is_a_finite_number_or_none(text: str) -> None:
    value = parse_number(text)
    assert value is None or (isinstance(value, float) and math.isfinite(value))


# -- stages ----------------------------------------------------------------------------------


@given(any_text, st.sampled_from(["project", "quantity", "title", "policy", "unknown"]),
       st.one_of(st.just(""), devset_slices()), st.booleans())
@settings(FAST, max_examples=300)
def test_stage_is_on_the_scale_with_its_cue(sentence: str, kind: str, scope: str,
                                           lead: bool) -> None:
    reading = read_stage(sentence, kind, scope, lead)
    assert isinstance(reading, StageReading)
    assert reading.stage in STAGE_ORDER
    if reading.stage == "none":
        assert reading.cue is None
    else:
        assert reading.cue and reading.cue in sentence and not reading.future


def _simhash_by_definition(grams: set[str]) -> int:
    votes = [0] * 64
    for gram in grams:
        h = _hash64(gram)
        for bit in range(64):
            votes[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if votes[bit] > 0)


@given(st.sets(st.text(max_size=6), max_size=80))
@settings(FAST, max_examples=300)
def test_simhash_is_the_majority_vote_of_the_hashes(grams: set[str]) -> None:
    # Stored fingerprints must not change when the way of counting the votes does.
    assert simhash(grams) == _simhash_by_definition(grams)


# -- URLs ------------------------------------------------------------------------------------

_url_parts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_hosts = st.one_of(st.sampled_from(["www.lfxww.com", "m.lfxww.com", "WWW.PUXIAN.GOV.CN",
                                    "lf.sxgov.cn:80", "127.0.0.1:8089", "[::1]:8080", "[::1",
                                    "a:99999", "a:-1", "x.com:abc", "user:pw@host", ""]),
                   _url_parts)


@given(st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "", "//", "javascript:"]),
       _hosts, _url_parts)
@settings(FAST, max_examples=300)
@example("http://", "[::1]:8080", "/a/index.html?utm_source=x&b=1#top")
@example("http://", "a:99999", "/")
@example("https://", "x.com:abc", "/")
def test_canonical_url_never_raises_and_is_stable(scheme: str, host: str, rest: str) -> None:
    url = scheme + host + rest
    canonical = canonical_url(url)
    assert isinstance(canonical, str)
    assert canonical_url(canonical) == canonical  # one spelling per page
    try:
        parts = urlsplit(canonical)
        parts.port  # noqa: B018 - parsing the port is what raises
    except ValueError:
        assert canonical == url.strip()  # unparseable: kept as written
        return
    if parts.scheme == "http":
        assert not parts.fragment
        assert not any(k.lower().startswith("utm_")
                       for k, _ in parse_qsl(parts.query, keep_blank_values=True))


# -- near-duplicates -----------------------------------------------------------------------


@given(st.one_of(devset_slices(min_size=30), any_text),
       st.lists(st.one_of(devset_slices(), any_text), max_size=4))
@settings(FAST, max_examples=150)
def test_duplicates_are_a_candidate_or_none(text: str, others: list[str]) -> None:
    candidates = [Candidate(i, other, fingerprint(other)) for i, other in enumerate(others)]
    found = find_duplicate(text, candidates)
    assert found is None or found in range(len(others))
    # Handing over the fingerprint already computed changes nothing.
    assert find_duplicate(text, candidates, mine=fingerprint(text)) == found
    # A text is a copy of itself whenever it is long enough to judge.
    itself = find_duplicate(text, [*candidates, Candidate(99, text, fingerprint(text))])
    if len(shingles(text)) >= MIN_SHINGLES:
        assert itself is not None
    fp = fingerprint(text)
    assert re.fullmatch(r"[0-9a-f]{16}", fp)
