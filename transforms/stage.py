"""Read the stage of work a sentence reports, on the Obameter-style ordinal scale.

Words alone are not enough: 将于年底并网 (will connect by year end) and 建成后 (once built)
are no completion, 尚未开工 (not yet started) is no start, and 印发 (issued) completes a
policy but only approves a project. A cue is therefore read with the modality and negation
before it, the 后 after it, and the kind of pledge it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pledges.stages import STAGE_ORDER

# Cue words per stage. Longest cues are matched first, so 开工建设 wins over 开工.
CUES: dict[str, tuple[str, ...]] = {
    "completed": (
        "全容量并网", "并网发电", "并网运行", "顺利并网", "成功并网", "实现并网", "并网",
        "竣工验收", "竣工", "建成投用", "建成投运", "建成并投入使用", "投入使用", "投入运营",
        "投入运行", "正式运营", "正式运行", "正式投用", "交付使用", "建成", "投运", "投用",
        "通过验收", "通过省级验收", "验收合格", "全面完工", "全部完工", "如期完工", "完工",
        "完成任务", "超额完成", "全面完成", "全部完成", "圆满完成", "上线运行", "上线",
        "正式开业", "开业", "完成改造", "改造完成", "通车", "正式开园", "开园", "投入生产",
        "投产",
    ),
    "in_progress": (
        "主体封顶", "主体完工", "封顶", "形象进度", "施工至", "主体施工", "正在施工",
        "紧张施工", "加紧施工", "施工中", "在建", "首批", "第一批", "吊装", "浇筑",
        "内部装修", "装修", "完成投资", "完成主体", "冲刺", "加快实施", "同步建设", "进场",
        "如火如荼", "收尾", "攻坚",
    ),
    "started": (
        "开工建设", "正式开工", "全面开工", "集中开工", "开工仪式", "开工奠基", "开工",
        "动工", "奠基", "破土", "进场施工", "启动建设", "启动实施", "全面启动", "正式启动",
        "启动", "全面铺开", "铺开",
    ),
    "planned": (
        "核准", "获批", "批复", "立项", "签约", "签订", "规划", "招标", "中标", "可研",
        "可行性研究", "前期手续", "前期工作", "手续办理", "选址", "施工图", "设计", "评审",
        "预审", "环评", "征地", "征收", "土地流转", "谋划", "备案", "方案",
    ),
}

# Cues whose meaning depends on the kind of pledge: a policy is done when it is issued or
# adopted; a title when it is won. For a project the same words are only approval.
KIND_CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "policy": {"completed": ("正式印发", "印发", "出台", "审议通过", "入选", "获评", "授牌",
                             "全覆盖"),
               "in_progress": ("开展", "推进", "实施", "深化", "拓展", "推行", "推广", "召开",
                               "排查", "整治", "拆除", "助力", "覆盖", "建立", "发挥")},
    "title": {"completed": ("获评", "被评为", "被命名为", "命名为", "授牌", "荣获",
                            "成功创建", "入选", "通过验收", "顺利通过"),
              "in_progress": ("创建", "推进会", "推进", "迎检", "复审", "测评")},
    "quantity": {"in_progress": ("有序推进", "加快推进", "稳步推进")},
    "project": {"planned": ("印发", "审议通过")},
}

# A future or hypothetical marker earlier in the sentence makes a later cue a plan, unless
# the sentence returns to the present first (已, 目前, 现已, 截至).
_FUTURE = re.compile(r"将于?|计划|预计|力争|争取|拟|有望|即将|确保|准备|(?<![主重需])要(?!求)|"
                     r"明年|下一步|尽快|早日|建议|年内|年底前|今年内")
_PRESENT = re.compile(r"已|目前|现已|截至|如今")
_NEGATION = re.compile(r"(?:尚未|未能|没有|还未|未)[^，。；,;]{0,3}$")
_AFTER = re.compile(r"^(?:后|以后|之后|前|以前|之前|时)")
# Completion of a part is progress: 主体工程已完工, 其中3个完工, 已完工4栋.
_PART_BEFORE = re.compile(r"(主体|一期|部分|其中|首批|第一批)[^，。；,;]{0,8}$")
# A share done is progress: 完成40%, 完成总工程量的六成.
_SHARE_DONE = re.compile(r"完成[^，。；,;]{0,10}?(?:\d+(?:\.\d+)?\s*%|[一二三四五六七八九]成)")
_PART_AFTER = re.compile(r"^[0-9一二三四五六七八九十两]+[个栋条座处家项所]")


def _cue_table(kind: str) -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = {}
    for stage, cues in CUES.items():
        for cue in cues:
            table.setdefault(cue, stage)
    for stage, cues in KIND_CUES.get(kind, {}).items():
        for cue in cues:
            table[cue] = stage
    ordered = sorted(table, key=len, reverse=True)
    return re.compile("|".join(re.escape(c) for c in ordered)), table


_TABLES = {kind: _cue_table(kind) for kind in ("project", "quantity", "title", "policy")}


@dataclass(frozen=True)
class StageReading:
    stage: str
    cue: str | None
    future: bool = False


def is_future_at(sentence: str, position: int, lead: bool = False) -> bool:
    """Whether the text before ``position`` puts what follows in the future.

    ``lead`` says the sentence continues a plan opened earlier in its paragraph
    (今年，蒲县将……；……；……): it starts in the future until it says otherwise.
    """
    prefix = sentence[:position]
    last_future = max((m.end() for m in _FUTURE.finditer(prefix)), default=0 if lead else -1)
    if last_future < 0:
        return False
    return not _PRESENT.search(prefix[last_future:])


def read_stage(sentence: str, kind: str = "project", scope: str = "",
               lead: bool = False) -> StageReading:
    """The most advanced stage the sentence reports as done (plans are not progress).

    ``scope`` is the pledge's own title: a part it names itself (罗克公路乔家湾服务区一期)
    is the whole pledge, so finishing it is completion, not progress.
    """
    pattern, table = _TABLES.get(kind, _TABLES["project"])
    best = StageReading("none", None)
    saw_future = False
    for match in pattern.finditer(sentence):
        cue = match.group(0)
        stage = table[cue]
        before = sentence[max(0, match.start() - 12):match.start()]
        if _NEGATION.search(before) or _AFTER.match(sentence[match.end():]):
            continue
        if stage != "planned" and is_future_at(sentence, match.start(), lead):
            saw_future = True
            continue
        part = _PART_BEFORE.search(before)
        if stage == "completed" and ((part and part.group(1) not in scope)
                                     or _PART_AFTER.match(sentence[match.end():])):
            stage = "in_progress"
        if STAGE_ORDER[stage] > STAGE_ORDER[best.stage]:
            best = StageReading(stage, cue)
    share = _SHARE_DONE.search(sentence)
    if share and STAGE_ORDER[best.stage] < STAGE_ORDER["in_progress"] and not is_future_at(
            sentence, share.start(), lead):
        best = StageReading("in_progress", share.group(0))
    if best.stage == "none" and saw_future:
        return StageReading("none", None, future=True)
    return best


def more_advanced(a: str, b: str) -> str:
    return a if STAGE_ORDER[a] >= STAGE_ORDER[b] else b
