"""Read the stage of work a sentence reports, on the Obameter-style ordinal scale.

Words alone are not enough: 将于年底并网 (will connect by year end) and 建成后 (once built)
are no completion, 尚未开工 (not yet started) is no start, and 印发 (issued) completes a
document but only starts a policy and only approves a project. A cue is therefore read with
the modality and negation before it, the 后 after it, the kind of pledge it is about, and what
the rest of the sentence says of the whole: 一期并网，二期在建 finishes a part, not the pledge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pledges.stages import STAGE_ORDER
from transforms.quantity import find_quantities

# Completion words that describe building something. For a policy they finish one of its
# parts (a centre opened, a plant retrofitted), which is progress of the policy, not its end.
_BUILT: tuple[str, ...] = (
    "全容量并网", "并网发电", "并网运行", "顺利并网", "成功并网", "实现并网", "并网",
    "竣工验收", "竣工", "建成投用", "建成投运", "建成并投入使用", "投入使用", "投入运营",
    "投入运行", "正式运营", "正式运行", "正式投用", "交付使用", "建成", "投运", "投用",
    "全面完工", "全部完工", "如期完工", "完工", "上线运行", "上线", "正式开业", "开业",
    "完成改造", "改造完成", "通车", "正式开园", "开园", "投入生产", "投产",
)
# Acceptance finishes a project and a pilot alike (合作社整县推进试点通过省级验收).
_ACCEPTED: tuple[str, ...] = ("通过验收", "通过省级验收", "验收合格")
# Completion words that say a task is done, whatever the task.
_TASK_DONE: tuple[str, ...] = ("完成任务", "超额完成", "全面完成", "全部完成", "圆满完成",
                               "圆满收官", "顺利收官", "全面收官")

# Cue words per stage. Longest cues are matched first, so 开工建设 wins over 开工.
CUES: dict[str, tuple[str, ...]] = {
    "completed": (*_BUILT, *_ACCEPTED, *_TASK_DONE),
    "in_progress": (
        "主体封顶", "主体完工", "封顶", "形象进度", "施工至", "主体施工", "正在施工",
        "紧张施工", "加紧施工", "施工中", "在建", "吊装", "浇筑", "内部装修", "装修",
        "完成投资", "完成主体", "冲刺", "加快实施", "同步建设", "进场", "如火如荼", "收尾",
        "攻坚", "开工以来", "动工以来", "联调", "调试", "试运行", "试运营", "安装完毕",
        "贯通", "建设现场", "施工现场", "工程进度", "施工进度", "建设进度", "组件安装",
        "设备安装", "正在安装", "开始安装", "安装调试",
    ),
    "started": (
        "开工建设", "正式开工", "全面开工", "集中开工", "开工仪式", "开工奠基", "开工",
        "动工", "奠基", "破土", "进场施工", "启动建设", "启动实施", "全面启动", "正式启动",
        "启动", "全面铺开", "铺开",
    ),
    "planned": (
        "核准", "获批", "批复", "立项", "签约", "签订", "规划", "招标", "中标", "可研",
        "可行性研究", "前期手续", "前期工作", "手续办理", "选址", "施工图", "设计", "评审",
        "预审", "初审", "环评", "征地", "征收", "土地流转", "谋划", "备案", "方案",
    ),
}

# Cues whose meaning depends on the kind of pledge: a policy starts when its plan is issued
# or its campaign launched and is done when its task is; a title is done when it is won. For
# a project the same words are only approval. A pledge to draw up a document names its own
# completing words in the registry (``completed_by``).
KIND_CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "policy": {"completed": ("入选", "获评", "授牌", "全覆盖"),
               "started": ("正式印发", "印发", "出台", "审议通过", "动员部署会", "动员大会",
                           "动员会", "部署会", "启动会"),
               "in_progress": ("开展", "推进", "实施", "深化", "拓展", "推行", "推广",
                               "排查", "整治", "拆除", "助力", "覆盖", "建立", "发挥", "落实情况",
                               *_BUILT)},
    "title": {"completed": ("获评", "被评为", "被命名为", "命名为", "授牌", "荣获",
                            "成功创建", "入选", "通过验收", "获批", "获批设立", "批准设立",
                            "批复设立", "批复"),
              "planned": ("申报", "上报", "评审", "初审", "预审"),
              "in_progress": ("创建", "推进会", "推进", "迎检", "复审", "测评")},
    "quantity": {"in_progress": ("有序推进", "加快推进", "稳步推进")},
    "project": {"planned": ("印发", "审议通过")},
}

# Generic verbs of a campaign or a title drive (推进, 开展, 创建): work under way when nothing
# more specific is said, but a sentence that issues the plan (印发) or passes a review (初审)
# says what stage it is at, and they do not outrank it.
WEAK_CUES = frozenset(("开展", "推进", "实施", "深化", "拓展", "推行", "推广", "排查", "整治",
                       "拆除", "助力", "覆盖", "建立", "发挥", "落实情况", "创建", "推进会"))

# Cues that are patterns, not words: a year's task done (完成全年就业目标任务), a work done
# (完成提质扩容).
_PATTERN_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"完成(?:了)?(?:全年|年度|今年|当年|全部)[^，。；,;]{0,8}?任务"), "completed"),
    (re.compile(r"完成(?:了)?(?:提质扩容|扩容|提质|升级改造|升级|建设|改扩建|搬迁|整治|修复)"
                r"(?![^，。；,;]{0,6}?(?:\d|[一二三四五六七八九十]成|任务的))"), "completed"),
)

# A future or hypothetical marker earlier in the sentence makes a later cue a plan, unless
# the sentence returns to the present first (已, 目前, 现已, 截至).
_FUTURE = re.compile(r"将于?|(?<![动作年])计划(?!书)|预计|力争|争取|拟|有望|即将|确保|准备(?!工作)|"
                     r"(?<![主重需])要(?!求)|明年|下一步|尽快|早日|建议|年内|年底前|今年内")
_PRESENT = re.compile(r"已|目前|现已|截至|如今")
_NEGATION = re.compile(r"(?:尚未|未能|没有|还未|未)[^，。；,;]{0,3}$")
_AFTER = re.compile(r"^(?:后|以后|之后|前|以前|之前|时)")
# Completion of a part is progress: 主体工程已完工, 其中3个完工, 一期50兆瓦已并网发电,
# 送出线路工程通过验收 (a part that is not the pledge's object).
_PART_BEFORE = re.compile(r"(主体|一期|部分|其中|首批|第一批|配套|送出线路|线路工程|升压站|"
                          r"进场道路|基础工程|土建|附属)[^，。；,;]{0,16}$")
_PART_AFTER = re.compile(r"^[0-9一二三四五六七八九十两]+[个栋条座处家项所]")
# 18个项目中已有11个完成改造: a count of a larger whole before the cue.
_SOME_OF = re.compile(r"中[，,]?(?:已有|已经有|有)[0-9一二三四五六七八九十两]+[个座家项栋处所]")
# The rest still being built after a part is done: 其余3个正在施工, 二期在建, and a later
# clause about another part that is under way (北山治理工程已完工，西山正在施工).
_REMAINDER = re.compile(r"(?:其余|剩余|其他|另外|还有|二期|三期)[^。；;]{0,16}?"
                        r"(?:在建|施工|正在|推进|建设中|主体|封顶|装修|安装)"
                        r"|[，,][^，。；,;]{0,8}?(?:正在施工|正在建设|在建|施工中)")
# A share done: below all of it is progress (完成40%, 完成总工程量的六成), all of it or more
# is completion (完成全年目标任务的103%).
_SHARE_DONE = re.compile(r"完成[^，。；,;]{0,12}?"
                         r"(?:(?P<pct>\d+(?:\.\d+)?)\s*%|(?P<tenths>[一二三四五六七八九])成)")
# An amount achieved (达8600亩, 累计完成投资1.9亿元, 解决难题15项) shows a policy or a target at
# work even when no construction word is used.
ACHIEVED_VERBS: tuple[str, ...] = (
    "完成", "建成", "累计", "落地", "实现", "达到", "达", "新增", "开工", "签约", "招引", "引进",
    "改造", "栽植", "造林", "种植", "托管", "解决", "帮扶", "培训", "安置", "入驻", "吸纳")


@lru_cache(maxsize=256)
def _cue_table(kind: str, completed_by: tuple[str, ...] = ()
               ) -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = {}
    for stage, cues in CUES.items():
        for cue in cues:
            table.setdefault(cue, stage)
    for stage, cues in KIND_CUES[kind].items():
        for cue in cues:
            table[cue] = stage
    for cue in completed_by:
        table[cue] = "completed"
    ordered = sorted(table, key=len, reverse=True)
    return re.compile("|".join(re.escape(c) for c in ordered)), table


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


def _cues(sentence: str, kind: str, completed_by: tuple[str, ...]
          ) -> list[tuple[int, int, str, str]]:
    """(start, end, cue, stage) of every cue in the sentence, in text order."""
    pattern, table = _cue_table(kind if kind in KIND_CUES else "project", completed_by)
    found = [(m.start(), m.end(), m.group(0), table[m.group(0)])
             for m in pattern.finditer(sentence)]
    for cue_pattern, stage in _PATTERN_CUES:
        found.extend((m.start(), m.end(), m.group(0), stage)
                     for m in cue_pattern.finditer(sentence))
    return sorted(found)


def _is_part(sentence: str, start: int, end: int, scope: str) -> bool:
    """Whether a completion at ``start:end`` finishes only a part of the pledge's object."""
    before = sentence[max(0, start - 24):start]
    part = _PART_BEFORE.search(before)
    if part and part.group(1) not in scope:
        return True
    if _PART_AFTER.match(sentence[end:]) or _SOME_OF.search(sentence[max(0, start - 16):start]):
        return True
    return bool(_REMAINDER.search(sentence, end))


def read_stage(sentence: str, kind: str = "project", scope: str = "",
               lead: bool = False, completed_by: tuple[str, ...] = ()) -> StageReading:
    """The most advanced stage the sentence reports as done (plans are not progress).

    ``scope`` is the pledge's own title: a part it names itself (罗克公路乔家湾服务区一期)
    is the whole pledge, so finishing it is completion, not progress.
    """
    best = StageReading("none", None)
    saw_future = False
    cues = _cues(sentence, kind, completed_by)
    if any(cue not in WEAK_CUES for _, _, cue, _ in cues):
        cues = [c for c in cues if c[2] not in WEAK_CUES]
    for start, end, cue, stage in cues:
        before = sentence[max(0, start - 12):start]
        if _NEGATION.search(before) or _AFTER.match(sentence[end:]):
            continue
        if stage != "planned" and is_future_at(sentence, start, lead):
            saw_future = True
            continue
        if stage == "completed" and _is_part(sentence, start, end, scope):
            stage = "in_progress"
        if STAGE_ORDER[stage] > STAGE_ORDER[best.stage]:
            best = StageReading(stage, cue)
    best = _read_share(sentence, lead, best)
    if kind in ("policy", "quantity") and STAGE_ORDER[best.stage] < STAGE_ORDER["in_progress"]:
        achieved = achieved_amount(sentence, lead)
        if achieved is not None:
            best = StageReading("in_progress", achieved)
    if best.stage == "none" and saw_future:
        return StageReading("none", None, future=True)
    return best


def _read_share(sentence: str, lead: bool, best: StageReading) -> StageReading:
    """A share of the work reported done: below all of it caps the reading at progress."""
    for share in _SHARE_DONE.finditer(sentence):
        if is_future_at(sentence, share.start(), lead):
            continue
        pct = float(share["pct"]) if share["pct"] else 10.0 * "一二三四五六七八九".index(
            share["tenths"]) + 10.0
        if pct >= 100:
            if STAGE_ORDER[best.stage] < STAGE_ORDER["completed"]:
                best = StageReading("completed", share.group(0))
        elif best.stage != "in_progress":
            # 已完成主体任务的96%，全部完成公司制改制: the whole is not done.
            best = StageReading("in_progress", share.group(0))
    return best


# What follows an amount can make it no achievement: a goal (…1800人的目标), one of a set
# (4个住宅小区之一), or a list of what the set is (8个老旧小区分别是…).
_CLAUSE_END = re.compile(r"[，。；,;]")
_NOT_ACHIEVED_AFTER = re.compile(r"^[^，。；,;]*?(?:目标|之一|分别是|分别为|包括)")


@lru_cache(maxsize=64)
def _verb_patterns(verbs: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The verbs before an amount (完成1.72万亩) and after it (八个老旧小区改造全部完工)."""
    alternatives = "|".join(re.escape(v) for v in sorted(verbs, key=len, reverse=True))
    return (re.compile(rf"(?:{alternatives})[^，。；,;]{{0,8}}$"),
            re.compile(rf"^[^，。；,;]{{0,12}}?(?:{alternatives})"))


def is_achieved_at(sentence: str, start: int, end: int, lead: bool = False,
                   verbs: tuple[str, ...] | None = None, counts_after: bool = False) -> bool:
    """Whether the amount at ``start:end`` is reported as done, not planned or restated.

    ``verbs`` are the ones that count toward a particular target (开工 for a pledge to start
    four compounds, not for 75 key projects to carry out). A count of things (``counts_after``)
    may also come before its verb (4个住宅小区已全部开工), though not when only their main
    structure is done (3个小区完成主体改造). Without ``verbs``, any verb of achievement before
    the amount counts.
    """
    if verbs == () or is_future_at(sentence, start, lead) or _NOT_ACHIEVED_AFTER.match(
            sentence[end:]):
        return False
    before, after = _verb_patterns(verbs if verbs is not None else ACHIEVED_VERBS)
    if before.search(sentence[:start]):
        return True
    if verbs is None or not counts_after:
        return False
    verb = after.match(sentence[end:])
    clause = _CLAUSE_END.split(sentence[end:], maxsplit=1)[0]
    # 八个小区改造累计完成投资4100万元: the verb is the money's, not the count's.
    return bool(verb) and not ("主体" in clause or "投资" in clause) and not is_future_at(
        sentence, end + verb.end(), lead)


def achieved_amount(sentence: str, lead: bool = False) -> str | None:
    """The text of an amount the sentence reports as achieved, in any unit, or None."""
    for quantity in find_quantities(sentence):
        start, end = quantity.span
        if is_achieved_at(sentence, start, end, lead):
            return sentence[start:end]
    return None


def more_advanced(a: str, b: str) -> str:
    return a if STAGE_ORDER[a] >= STAGE_ORDER[b] else b
