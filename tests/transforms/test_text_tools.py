"""Normalisation, URLs, quantities, stages and near-duplicates on real-shaped text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.dedupe import Candidate, find_duplicate, fingerprint
from transforms.normalise import normalise_text
from transforms.quantity import find_quantities
from transforms.stage import read_stage
from transforms.urls import canonical_url


def test_traditional_fullwidth_and_pinyin_artefacts() -> None:
    raw = "臨汾新聞網(wǎng)訊　蒲縣完成１．６６萬畝營造林任務?/p>"
    assert normalise_text(raw) == "临汾新闻网讯蒲县完成1.66万亩营造林任务"


@given(st.text(max_size=300))
def test_normalise_never_raises(text: str) -> None:
    assert isinstance(normalise_text(text), str)


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://www.lfxww.com/puxian/2701234.html?utm_source=wx#top",
     "http://www.lfxww.com/puxian/2701234.html"),
    ("http://m.lfxww.com/puxian/2701234.html", "http://www.lfxww.com/puxian/2701234.html"),
    ("http://WWW.PUXIAN.GOV.CN/xwzx/pxyw/index.html", "http://www.puxian.gov.cn/xwzx/pxyw/"),
    ("http://lf.sxgov.cn:80/content/2022-09/14/content_1.htm?b=2&a=1",
     "http://lf.sxgov.cn/content/2022-09/14/content_1.htm?a=1&b=2"),
])
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(("text", "value", "unit", "base"), [
    ("全年完成营造林一万六千六百亩", 16600, "亩", 16600),
    ("累计完成营造林1.72万亩", 1.72, "万亩", 17200),
    ("八个老旧小区改造全面完工", 8, "个", 8),
    ("已落地县校合作项目53个", 53, "个", 53),
    ("装机容量10万千瓦", 10, "万千瓦", 100),
    ("签约金额52.6亿元", 52.6, "亿元", 5.26e9),
])
def test_quantities(text: str, value: float, unit: str, base: float) -> None:
    (q,) = find_quantities(text)
    assert (q.value, q.unit) == (value, unit)
    assert q.base == pytest.approx(base)


def test_one_and_two_as_words_are_not_counts() -> None:
    assert find_quantities("两个产业链条、一个目标") == []


@pytest.mark.parametrize(("sentence", "kind", "stage"), [
    ("蒲县博远风电项目日前顺利实现并网发电", "project", "completed"),
    # An intention is no progress; a procedure is.
    ("该项目预计将于年底前并网发电", "project", "none"),
    ("力争年内开工建设", "project", "none"),
    ("蒲县抽水蓄能电站项目获省发改委核准", "project", "planned"),
    ("蒲伊东街改造工程已完成施工图设计，正在进行施工招标，计划6月中旬开工", "project", "planned"),
    ("蒲县第一中学新校区项目正式开工建设", "project", "started"),
    ("新校区教学楼主体封顶", "project", "in_progress"),
    ("锦绣幼儿园主体工程已完工，正在进行内部装修", "project", "in_progress"),
    ("新大楼建成后，全县检测能力将明显提升", "project", "none"),
    ("项目目前尚未开工", "project", "none"),
    ("该县被命名为国家森林城市", "title", "completed"),
    ("省发改委正式印发批复文件，核准建设该电站", "project", "planned"),
    # Issuing its plan starts a policy; the campaign verbs of the same sentence do not outrank it.
    ("县委审议通过并正式印发《蒲县2022年改革要点》", "policy", "started"),
    ("县工信局召开节能降耗技术改造推进会，印发《实施方案》，部署重点任务", "policy", "started"),
    ("县人社局召开动员部署会，对全县开展重点群体就业帮扶进行部署", "policy", "started"),
    # A policy's built parts and its amounts are progress; its year's task done is completion.
    ("县人民医院先后建成胸痛中心、卒中中心和创伤中心", "policy", "in_progress"),
    ("蒲县农民合作社整县推进试点通过省级验收", "policy", "completed"),
    ("全乡托管果园2100亩，占全乡苹果面积的四成", "policy", "in_progress"),
    ("明确今年城镇新增就业1800人、就业困难人员就业100人的目标", "policy", "none"),
    ("分别完成全年目标任务的103.3%和108%，提前一个月完成全年就业目标任务", "policy",
     "completed"),
    ("国企改革三年行动已完成主体任务的96%，全部完成公司制改制", "policy", "in_progress"),
    # A part done while the rest is being built is progress, however far apart the words are.
    ("华润100兆瓦光伏项目一期50兆瓦已于6月28日并网发电，二期在建", "project", "in_progress"),
    ("18个技改项目中已有11个完成改造，剩余7个正在加紧施工", "project", "in_progress"),
    ("北山治理工程已完工，西山正在施工", "project", "in_progress"),
    ("博远风电送出线路工程通过验收", "project", "in_progress"),
    ("茂洲肉牛屠宰加工厂完成提质扩容", "project", "completed"),
    ("项目9月开工以来，已完成场地平整和基础施工", "project", "in_progress"),
    ("分拣线设备已安装完毕，正在联调联试，计划12月中旬投入运营", "project", "in_progress"),
    ("两座烘干塔钢结构已安装完毕，正在进行设备调试前的准备工作", "project", "in_progress"),
    ("蒲县申报材料顺利通过市级评审，已正式上报省商务厅", "title", "planned"),
    ("蒲县经济技术开发区获批设立", "title", "completed"),
    # A design's figures are no work done: 安装4台机组 says what will be installed.
    ("抽水蓄能电站装机容量120万千瓦，安装4台30万千瓦机组，总投资约78亿元", "project", "none"),
])
def test_stage_reading(sentence: str, kind: str, stage: str) -> None:
    assert read_stage(sentence, kind).stage == stage


def test_a_pledge_to_issue_a_document_is_done_when_it_is_issued() -> None:
    sentence = "县委审议通过并正式印发《蒲县2022年改革要点》"
    assert read_stage(sentence, "policy", completed_by=("印发", "正式印发")).stage == "completed"


def test_preparatory_work_is_no_plan_carried_to_the_next_clause() -> None:
    from transforms.sentences import split_sentences

    text = "烘干塔正在进行设备调试前的准备工作；屠宰加工厂提质扩容项目6月中旬破土动工。"
    second = split_sentences(text)[1]
    assert not second.plan_lead
    assert read_stage(second.text, "project", lead=second.plan_lead).stage == "started"


def test_misconverted_traditional_words_are_mended() -> None:
    from transforms.normalise import normalise_text

    assert normalise_text("根據批覆，開發區規劃面積12.6平方公里") == "根据批复，开发区规划面积12.6平方公里"


STORY = ("临汾新闻网讯 日前，蒲县博远风电项目顺利实现并网发电，标志着该县新能源产业发展迈出关键一步。"
         "该项目总装机容量10万千瓦，共安装风机40台，年发电量约2亿千瓦时。项目负责人介绍，自去年开工以来，"
         "建设者克服山高坡陡、施工难度大等困难，加班加点推进工程建设。")
REPRINT = ("本报讯 蒲县博远风电项目顺利实现并网发电，标志着该县新能源产业发展迈出关键一步。"
           "该项目总装机容量10万千瓦，共安装风机40台，年发电量约2亿千瓦时。")
OTHER = ("临汾新闻网讯 日前，隰县召开老旧小区改造推进会，会议要求各部门加快进度，确保年内完成改造任务，"
         "让群众住得更舒心。会议还就冬季供暖、安全生产等工作作出安排。")


def test_trimmed_reprint_is_a_duplicate_and_other_story_is_not() -> None:
    candidates = [Candidate(1, STORY, fingerprint(STORY)), Candidate(2, OTHER, fingerprint(OTHER))]
    assert find_duplicate(REPRINT, candidates) == 1
    assert find_duplicate(OTHER, [candidates[0]]) is None
