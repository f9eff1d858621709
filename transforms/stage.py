"""Read the stage of work a sentence reports, on the Obameter-style ordinal scale.

Words alone are not enough: 将于年底并网 (will connect by year end) is a plan, not a
completion, and 尚未开工 (not yet started) is no start. A cue is therefore read together with
the few characters before it, where Chinese puts modality and negation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STAGE_ORDER: dict[str, int] = {"none": 0, "planned": 1, "started": 2, "in_progress": 3,
                               "completed": 4}

# Cue words per stage, strongest stage first; longest cues first within a stage so that
# 开工建设 is read before 开工 and 建成投用 before 建成.
CUES: dict[str, tuple[str, ...]] = {
    "completed": (
        "全容量并网", "并网发电", "并网运行", "顺利并网", "成功并网", "实现并网", "并网",
        "竣工验收", "竣工", "建成投用", "建成投运", "建成并投入使用", "投入使用", "投入运营",
        "投入运行", "正式运营", "正式运行", "正式投用", "交付使用", "建成", "投运", "投用",
        "通过验收", "通过省级验收", "验收合格", "全面完工", "全部完工", "如期完工", "完工",
        "完成任务", "超额完成", "全面完成", "圆满完成", "获评", "被评为", "被命名为", "命名为",
        "授牌", "荣获", "成功创建", "成功获批", "正式开业", "开业", "正式印发", "印发",
        "挂牌成立", "正式揭牌", "揭牌",
    ),
    "in_progress": (
        "主体封顶", "主体完工", "封顶", "完成投资", "完成总工程量", "形象进度", "工程进度",
        "施工进度", "进度", "正在施工", "正在建设", "正在进行", "紧张施工", "加紧施工",
        "加快建设", "加快推进", "稳步推进", "有序推进", "全面推进", "扎实推进", "持续推进",
        "施工中", "在建", "首批", "第一批", "已完成", "累计完成", "吊装", "安装", "浇筑",
        "主体结构", "基础施工", "进入", "已落地", "已签约落地", "落地",
    ),
    "started": (
        "开工建设", "正式开工", "集中开工", "开工仪式", "开工奠基", "开工", "动工", "奠基",
        "破土", "进场施工", "启动建设", "启动实施", "全面启动", "正式启动", "启动",
    ),
    "planned": (
        "核准", "获批", "批复", "立项", "签约", "签订", "规划", "招标", "中标", "可研",
        "可行性研究", "前期手续", "前期工作", "手续办理", "选址", "设计", "评审", "预审",
        "环评", "征地", "谋划", "纳入", "备案", "方案", "部署", "印发方案",
    ),
}

# Before a cue these make it a plan: 将/计划/预计/力争/争取/拟/有望/即将/确保/年内/准备.
_FUTURE = re.compile(r"(?:将于?|将在|计划|预计|力争|争取|拟|有望|即将|确保|准备|要|明年|下一步|"
                     r"尽快|早日|推动|推进项目早)[^，。；,;]{0,8}$")
_NEGATION = re.compile(r"(?:尚未|未能|没有|还未|未)[^，。；,;]{0,3}$")

_CUE_INDEX: list[tuple[str, str]] = sorted(
    ((cue, stage) for stage, cues in CUES.items() for cue in cues),
    key=lambda item: len(item[0]), reverse=True)
_CUE_RE = re.compile("|".join(re.escape(cue) for cue, _ in _CUE_INDEX))
_CUE_STAGE = dict(_CUE_INDEX)


@dataclass(frozen=True)
class StageReading:
    stage: str
    cue: str | None
    future: bool = False


def read_stage(sentence: str) -> StageReading:
    """The most advanced stage the sentence reports as done; plans read as ``planned``."""
    best = StageReading("none", None)
    for match in _CUE_RE.finditer(sentence):
        cue = match.group(0)
        stage = _CUE_STAGE[cue]
        before = sentence[max(0, match.start() - 12):match.start()]
        if _NEGATION.search(before):
            continue
        future = bool(_FUTURE.search(before)) and stage != "planned"
        reading = StageReading("planned" if future else stage, cue, future)
        if STAGE_ORDER[reading.stage] > STAGE_ORDER[best.stage]:
            best = reading
    return best


def more_advanced(a: str, b: str) -> str:
    return a if STAGE_ORDER[a] >= STAGE_ORDER[b] else b
