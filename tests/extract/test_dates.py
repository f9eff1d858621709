"""Dates as Linfen pages and URLs write them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.extract import date_from_url, parse_chinese_datetime
from transforms.extract.dates import SHANGHAI, find_datetimes


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年3月5日", sh(2022, 3, 5)),
        ("2022年03月05日 10:00", sh(2022, 3, 5, 10, 0)),
        ("2022-03-05 10:00:00", sh(2022, 3, 5, 10, 0, 0)),
        ("2022/3/5", sh(2022, 3, 5)),
        ("2022.03.05", sh(2022, 3, 5)),
        ("时间:2026-01-13 17:37:51 来源:临汾日报", sh(2026, 1, 13, 17, 37, 51)),
        ("2019-03-27 10:56:13 来源:临汾新闻网 浏览次数:", sh(2019, 3, 27, 10, 56, 13)),
        ("发布时间：2022-02-15　来源：蒲县文化和旅游局", sh(2022, 2, 15)),
        ("【发布日期：2022年04月17日 14时46分】", sh(2022, 4, 17, 14, 46)),
        ("2022年3月5日下午3:30", sh(2022, 3, 5, 15, 30)),
        ("2022年3月5日 上午9:30", sh(2022, 3, 5, 9, 30)),
        ("２０２２年３月５日 １０：２０", sh(2022, 3, 5, 10, 20)),  # full-width forms
        ("二〇二二年三月五日", sh(2022, 3, 5)),
        ("二〇二一年十二月三十一日印发", sh(2021, 12, 31)),
        ("2022年3月5号", sh(2022, 3, 5)),
        ("2005/05/17 22:11:42 by 眉间尺", sh(2005, 5, 17, 22, 11, 42)),
    ],
)
def test_page_forms(text: str, expected: datetime) -> None:
    assert parse_chinese_datetime(text) == expected


def test_dates_without_a_zone_are_beijing_time() -> None:
    value = parse_chinese_datetime("2022-03-05 10:00")
    assert value is not None and value.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2022-03-05T10:00:00+08:00", timedelta(hours=8)),
        ("2022-03-05T02:00:00Z", timedelta(0)),
        ("2022-03-05T10:00:00+0800", timedelta(hours=8)),
        ("2022-03-05 10:00 GMT+8", timedelta(hours=8)),
    ],
)
def test_an_offset_in_the_text_is_kept(text: str, offset: timedelta) -> None:
    value = parse_chinese_datetime(text)
    assert value is not None and value.utcoffset() == offset


def test_http_dates() -> None:
    value = parse_chinese_datetime("Sat, 05 Mar 2022 02:00:00 GMT")
    assert value == datetime(2022, 3, 5, 2, 0, tzinfo=UTC)


def test_first_date_wins() -> None:
    text = "临汾新闻网讯 2022年3月16日，记者获悉，项目计划于2023年6月30日前建成。"
    assert parse_chinese_datetime(text) == sh(2022, 3, 16)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "蒲县召开会议",
        "3月5日",  # no year: not a publication date we can place
        "2022年13月5日",
        "2022-02-30",
        "电话：0357-2022-1234",
        "浏览次数: 20221130",
        "1850年3月5日",  # out of range
        "V2.2022.03.05",
    ],
)
def test_no_date(text: str) -> None:
    assert parse_chinese_datetime(text) is None


def test_invalid_time_keeps_the_day() -> None:
    assert parse_chinese_datetime("2022-03-05 25:61") == sh(2022, 3, 5)


def test_find_datetimes_returns_every_date_in_order() -> None:
    found = find_datetimes("2022年1月27日印发　2022年01月28日发布")
    assert [value.date() for _, value in found] == [date(2022, 1, 27), date(2022, 1, 28)]


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_never_raises(text: str) -> None:
    value = parse_chinese_datetime(text)
    assert value is None or value.tzinfo is not None


@given(st.text(alphabet="0123456789-/.:年月日号时分秒 T上下午〇一二三四五六七八九十Z+", max_size=60))
@settings(max_examples=500, deadline=None)
def test_date_like_noise_never_raises(text: str) -> None:
    value = parse_chinese_datetime(text)
    assert value is None or value.tzinfo is not None
    find_datetimes(text)


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)))
@settings(max_examples=200, deadline=None)
def test_round_trip_of_common_forms(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    for text in (moment.strftime("%Y-%m-%d %H:%M:%S"),
                 f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M:%S}"):
        assert parse_chinese_datetime(text) == moment.replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.puxian.gov.cn/zjpx/lyjd/202208/t20220809_13377.html", date(2022, 8, 9)),
        ("http://www.linfen.gov.cn/szf/zfgzbg/202204/t20220412_5820.html", date(2022, 4, 12)),
        ("http://lf.sxgov.cn/content/2025-03/14/content_13403413.htm", date(2025, 3, 14)),
        ("http://lf.sxgov.cn/content/2017-11/01/content_8386693_5.htm", date(2017, 11, 1)),
        ("https://lf.sxrb.com/content/202601/13/c85472.html", date(2026, 1, 13)),
        ("http://www.news.cn/fortune/2023-11/17/c_1129981476.htm", date(2023, 11, 17)),
        ("http://politics.people.com.cn/n1/2024/0424/c1001-40223222.html", date(2024, 4, 24)),
        ("http://business.sohu.com/20050311/n224643115.shtml", date(2005, 3, 11)),
        ("http://news.example.cn/2022/03/05/story.html", date(2022, 3, 5)),
    ],
)
def test_date_from_url(url: str, expected: date) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://www.lfxww.com/2022/gzlsslh/fzrft/2685169.html",  # ids, not dates
        "http://www.lfxww.com/puxian/2607216.html",
        "http://www.puxian.gov.cn/zjpx/lyjd/202213/t20221309_1.html",  # month 13
        "http://example.cn/list.html?date=20220305",  # only the path is read
        "",
        "not a url at all",
    ],
)
def test_no_date_in_url(url: str) -> None:
    assert date_from_url(url) is None


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_date_from_url_never_raises(url: str) -> None:
    date_from_url(url)
    date_from_url("http://x.cn/" + url)
