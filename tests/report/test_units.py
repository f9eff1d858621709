"""The report's small pieces: highlighting, safe links, file names, chart axes."""

from __future__ import annotations

import datetime as dt

from pledgewatch.report.charts import bar_chart, fill_months, week_monday, weekly_series
from pledgewatch.report.queries import as_date, county_time, utc_time
from pledgewatch.report.render import highlight, pledge_filename, safe_href


def test_highlight_prefers_the_longest_word_and_keeps_all_text() -> None:
    text = "博远风电项目全容量并网发电，博远风电运行"
    runs = highlight(text, ["博远风电", "博远风电项目"])
    assert "".join(piece for piece, _ in runs) == text
    assert [p for p, hit in runs if hit] == ["博远风电项目", "博远风电"]
    assert highlight("", ["x"]) == []
    assert highlight("abc", []) == [("abc", False)]


def test_highlight_leaves_markup_to_the_template_to_escape() -> None:
    runs = highlight("<b>风电</b>", ["风电"])
    assert runs == [("<b>", False), ("风电", True), ("</b>", False)]


def test_only_http_links_are_made() -> None:
    assert safe_href("http://www.lfxww.com/a.html") == "http://www.lfxww.com/a.html"
    assert safe_href("https://x.cn/") == "https://x.cn/"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x",
                "vbscript:x", "file:///etc/passwd", "", None, "http://[bad"):
        assert safe_href(bad) is None, bad


def test_pledge_file_names_are_safe() -> None:
    assert pledge_filename("boyuan-wind-farm-grid") == "boyuan-wind-farm-grid.html"
    for odd in ("../../etc/passwd", "a/b", "蒲县", "..", ""):
        name = pledge_filename(odd)
        assert name.startswith("p-") and "/" not in name and name.endswith(".html")


def test_month_axis_has_no_holes() -> None:
    assert fill_months([("2022-11", 2), ("2023-02", 1)]) == [
        ("2022-11", 2), ("2022-12", 0), ("2023-01", 0), ("2023-02", 1)]
    assert fill_months([]) == []


def test_week_labels_of_both_dialects() -> None:
    # SQLite %W: 2022-W00 is Sat 1 and Sun 2 January, the week of Monday 27 December 2021.
    assert week_monday("2022-W00", "sqlite") == dt.date(2021, 12, 27)
    assert week_monday("2021-W52", "sqlite") == dt.date(2021, 12, 27)
    assert week_monday("2022-W45", "postgresql") == dt.date(2022, 11, 7)
    assert week_monday("junk", "sqlite") is None
    labels, series = weekly_series({"a": {"2021-W52": 1, "2022-W00": 2, "2022-W02": 1}},
                                   "sqlite")
    assert labels == ["2021-W52", "2022-W01", "2022-W02"]
    assert series == {"a": [3, 0, 1]}
    labels, series = weekly_series({"a": {"2022-W52": 1}, "b": {"2023-W02": 4}}, "postgresql")
    assert labels == ["2022-W52", "2023-W01", "2023-W02"]
    assert series == {"a": [1, 0, 0], "b": [0, 0, 4]}


def test_bar_chart_scales_to_a_round_maximum() -> None:
    chart = bar_chart([("a", 3), ("b", 0), ("c", 7)], title="t")
    assert [t.text for t in chart.y_ticks] == ["0", "2", "4", "6", "8", "10"]
    tallest = max(chart.bars, key=lambda b: b.value)
    assert tallest.height < chart.plot_bottom - chart.plot_top
    assert [b.value for b in chart.bars] == [3, 0, 7]
    assert bar_chart([], title="t").empty


def test_times_from_either_driver() -> None:
    assert county_time("2022-11-08 10:15:03.000000") == dt.datetime(
        2022, 11, 8, 10, 15, 3, tzinfo=county_time("2022-01-01").tzinfo)
    aware = dt.datetime(2022, 11, 8, 2, 15, 3, tzinfo=dt.UTC)
    assert county_time(aware).hour == 10
    assert utc_time("2026-01-01 00:00:00").tzinfo == dt.UTC
    assert as_date("2022-12-31") == dt.date(2022, 12, 31)
    assert as_date(dt.date(2022, 12, 31)) == dt.date(2022, 12, 31)
    assert county_time(None) is None and as_date("") is None
