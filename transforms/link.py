"""Link an article to the pledges it reports on, with the stage and quantity it shows.

One Aho-Corasick automaton holds every pledge's names, cue words and exclusions and the
gazetteer's place names, so reading an article costs one pass over its text whatever the
number of pledges.

What makes a link (the rules below were tuned on the development split only):
- the article is from 2022 or later (the pledges are 2022's) and places work in Pu County;
- a sentence names the pledge by an alias, or holds every word of one of its cue groups;
  a name used only to place or date something else (位于…的, 继…之后) does not count;
- that sentence is about Pu County: a home place named in it, or else in the paragraph before
  it, or else in the article's lead or channel, and no other county named closer;
- a Pu County article that names a pledge among its plans links it with stage ``none``: the
  pledge is in the news, without progress; a generic phrase (a cue, not a name) with no
  progress is too weak to link at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import ahocorasick

from pledges import Pledge, Registry
from pledges.places import Gazetteer
from pledges.schema import Target
from transforms.normalise import normalise_text
from transforms.quantity import Quantity, find_quantities, same_family
from transforms.sentences import Sentence, split_sentences
from transforms.stage import STAGE_ORDER, is_achieved_at, is_future_at, read_stage

LINKER_VERSION = "link-2"
EARLIEST = dt.date(2022, 1, 1)

ALIAS_WEIGHT = 1.0
CUE_WEIGHT = 0.6
THRESHOLD = 0.55
SOURCE_SENTENCES = 3


@dataclass(frozen=True)
class ArticleText:
    id: str
    url: str
    title: str
    body: str
    published: dt.date | None = None


@dataclass(frozen=True)
class Link:
    pledge_id: str
    stage: str
    score: float
    evidence: str
    quantity: Quantity | None = None
    progress: float | None = None
    matched: tuple[str, ...] = ()
    from_source: bool = False  # the article is where the pledge was made, not a report on it

    def to_dict(self) -> dict:
        return {
            "pledge_id": self.pledge_id,
            "stage": self.stage,
            "score": round(self.score, 3),
            "quantity": ({"value": self.quantity.value, "unit": self.quantity.unit}
                         if self.quantity else None),
            "progress": None if self.progress is None else round(self.progress, 3),
            "evidence": self.evidence,
            "matched": list(self.matched),
        }


@dataclass
class _Hit:
    sentence: Sentence
    weight: float
    terms: tuple[str, ...]
    window: str = ""  # the clauses of the sentence that speak of this pledge
    window_future: bool = False  # the sentence is already in the future where the window opens
    follow: str = ""  # the next sentence, when it goes on about the same pledge


@dataclass
class _Terms:
    aliases: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    cue_words: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    excludes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    places: dict[str, bool] = field(default_factory=dict)  # name -> is home


class Linker:
    """Links normalised articles to pledges. Build once, call ``link`` many times."""

    def __init__(self, registry: Registry, gazetteer: Gazetteer) -> None:
        self.pledges: dict[str, Pledge] = registry.by_id()
        self.gazetteer = gazetteer
        self._cue_groups: dict[str, list[tuple[str, ...]]] = {}
        terms = _Terms()
        for pledge in registry.pledges:
            for alias in pledge.aliases:
                terms.aliases[normalise_text(alias)].append(pledge.id)
            groups = [tuple(normalise_text(w) for w in group) for group in pledge.cues]
            self._cue_groups[pledge.id] = groups
            for g_index, group in enumerate(groups):
                for word in group:
                    terms.cue_words[word].append((pledge.id, g_index))
            for word in pledge.exclude:
                terms.excludes[normalise_text(word)].append(pledge.id)
        for name in gazetteer.home_names:
            terms.places[normalise_text(name)] = True
        for name in gazetteer.elsewhere:
            terms.places.setdefault(normalise_text(name), False)
        self._terms = terms
        # The interview the pledges come from (and its reprints) states them; it is no evidence
        # of progress. It is recognised by carrying several seed sentences word for word.
        self._seed_sentences = tuple({normalise_text(p.seed_sentence) for p in registry.pledges
                                      if len(p.seed_sentence) >= 8})
        automaton = ahocorasick.Automaton()
        for word in {*terms.aliases, *terms.cue_words, *terms.excludes, *terms.places}:
            automaton.add_word(word, word)
        automaton.make_automaton()
        self._automaton = automaton

    # -- scanning ----------------------------------------------------------------------------
    def _scan(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, term) for every term occurrence, in text order."""
        return [(end - len(word) + 1, end + 1, word) for end, word in self._automaton.iter(text)]

    def _places(self, matches: Iterable[tuple[int, int, str]]) -> list[tuple[int, bool]]:
        """Place mentions as (position, is_home), longest match winning overlaps."""
        spans = sorted(((s, e, w) for s, e, w in matches if w in self._terms.places),
                       key=lambda m: (m[0], -(m[1] - m[0])))
        chosen: list[tuple[int, bool]] = []
        last_end = -1
        for start, end, word in spans:
            if start < last_end:
                continue
            chosen.append((start, self._terms.places[word]))
            last_end = end
        return chosen

    def _is_home_channel(self, url: str) -> bool:
        return any(marker in url for marker in self.gazetteer.home_channels)

    # -- linking -----------------------------------------------------------------------------
    def link(self, article: ArticleText) -> list[Link]:
        if article.published and article.published < EARLIEST:
            return []
        title = normalise_text(article.title or "")
        body = normalise_text(article.body or "")
        text = f"{title}\n{body}" if title else body
        sentences = split_sentences(text)
        if not sentences:
            return []

        scanned = [self._scan(s.text) for s in sentences]
        places = [self._places(m) for m in scanned]
        home_channel = self._is_home_channel(article.url or "")
        any_home = home_channel or any(home for ps in places for _, home in ps)
        if not any_home:
            return []

        # The article's own place: its lead (title and first paragraph) decides; a home channel
        # or a body that names home more than anywhere else breaks a tie.
        lead_paragraphs = {sentences[0].paragraph, sentences[0].paragraph + 1}
        lead = [h for s, ps in zip(sentences, places, strict=True)
                if s.paragraph in lead_paragraphs for _, h in ps]
        home_count = sum(h for ps in places for _, h in ps)
        away_count = sum(not h for ps in places for _, h in ps)
        if lead:
            article_home = lead.count(True) >= lead.count(False) or (
                home_channel and True in lead)
        else:
            article_home = home_channel or home_count >= away_count

        hits: dict[str, list[_Hit]] = defaultdict(list)
        paragraph_state: dict[int, bool] = {}
        for sentence, matches, ps in zip(sentences, scanned, places, strict=True):
            if ps:
                here_home = any(h for _, h in ps)
                paragraph_state[sentence.paragraph] = ps[-1][1]
            else:
                here_home = paragraph_state.get(sentence.paragraph, article_home)
            if not here_home:
                continue
            matches = _outside_asides(sentence.text, matches)
            # In text order, not a set's: the output must not depend on the process's
            # hash seed (a re-run in another process would rewrite every mention).
            words = list(dict.fromkeys(w for _, _, w in matches))
            excluded = {pid for w in words for pid in self._terms.excludes.get(w, ())}
            alias_terms: dict[str, list[str]] = defaultdict(list)
            for w in words:
                for pid in self._terms.aliases.get(w, ()):
                    alias_terms[pid].append(w)
            cue_found: dict[tuple[str, int], set[str]] = defaultdict(set)
            for w in words:
                for key in self._terms.cue_words.get(w, ()):
                    cue_found[key].add(w)
            cue_terms: dict[str, list[str]] = defaultdict(list)
            for (pid, g_index), found in cue_found.items():
                if len(found) == len(set(self._cue_groups[pid][g_index])):
                    cue_terms[pid].extend(sorted(found))
            found = {*alias_terms, *cue_terms} - excluded
            # Where each pledge is named: by its aliases when it has one here (a cue word such
            # as 新建 may stand anywhere in the sentence), else by its cue words.
            positions = {pid: [s for s, _, w in matches
                               if w in (alias_terms.get(pid) or cue_terms.get(pid, ()))]
                         for pid in found}
            for pid in found:
                start, end = clause_window(sentence.text, positions, pid)
                hit = _Hit(sentence, ALIAS_WEIGHT if pid in alias_terms else CUE_WEIGHT,
                           tuple(alias_terms.get(pid) or cue_terms[pid]),
                           sentence.text[start:end],
                           is_future_at(sentence.text, start, sentence.plan_lead))
                hits[pid].append(hit)

        per_sentence: dict[int, set[str]] = defaultdict(set)
        for pid, pledge_hits in hits.items():
            for h in pledge_hits:
                per_sentence[h.sentence.index].add(pid)
        # News names a project, then reports on it in the next sentence (该项目, 一期...):
        # a hit whose sentence shows no stage also reads the next sentence of its paragraph
        # when that one names no other pledge.
        for pid, pledge_hits in hits.items():
            for h in pledge_hits:
                nxt = h.sentence.index + 1
                if (nxt < len(sentences) and sentences[nxt].paragraph == h.sentence.paragraph
                        and not per_sentence.get(nxt, set()) - {pid}):
                    h.follow = sentences[nxt].text
        links = [self._decide(pid, pledge_hits, title)
                 for pid, pledge_hits in hits.items()]
        if self.is_pledge_source(text):
            links = [None if lk is None else replace(lk, stage="none", quantity=None,
                                                     progress=None, from_source=True)
                     for lk in links]
        # Ties by id: ``hits`` was filled in a set's order, which varies between processes.
        return sorted((lk for lk in links if lk is not None),
                      key=lambda lk: (-lk.score, lk.pledge_id))

    def is_pledge_source(self, text: str) -> bool:
        """Whether the text is the seed interview itself or a reprint of it."""
        found = 0
        for sentence in self._seed_sentences:
            if sentence in text:
                found += 1
                if found >= SOURCE_SENTENCES:
                    return True
        return False

    def _decide(self, pledge_id: str, hits: Sequence[_Hit], title: str) -> Link | None:
        pledge = self.pledges[pledge_id]
        best = max(h.weight for h in hits)
        score = best + 0.1 * min(len(hits) - 1, 3)
        if any(h.sentence.index == 0 and title for h in hits):
            score += 0.2
        stage, evidence, quantity, progress = self._progress(pledge, hits)
        if stage == "none" and best < ALIAS_WEIGHT:
            score -= 0.2  # a generic phrase with no progress is too weak to claim
        if score < THRESHOLD:
            return None
        terms = tuple(dict.fromkeys(t for h in hits for t in h.terms))
        return Link(pledge_id=pledge_id, stage=stage, score=min(score, 1.5) / 1.5,
                    evidence=evidence, quantity=quantity, progress=progress, matched=terms)

    def _progress(self, pledge: Pledge, hits: Sequence[_Hit]
                  ) -> tuple[str, str, Quantity | None, float | None]:
        kind = pledge.kind.value
        done_by = tuple(pledge.completed_by)
        stage, evidence, rank = "none", hits[0].sentence.text, 0
        quantity: Quantity | None = None
        for hit in hits:
            lead = hit.window_future
            reading = read_stage(hit.window or hit.sentence.text, kind, pledge.title, lead,
                                 done_by)
            if reading.stage == "none" and hit.follow and not lead:
                reading = read_stage(hit.follow, kind, pledge.title, completed_by=done_by)
            if STAGE_ORDER[reading.stage] > rank:
                stage, evidence, rank = reading.stage, hit.sentence.text, STAGE_ORDER[
                    reading.stage]
            if pledge.target and quantity is None:
                quantity = achieved_quantity(hit.window or hit.sentence.text, pledge.target,
                                             hit.window_future)
                if quantity is not None and rank == 0:
                    evidence = hit.sentence.text
        progress = None
        if pledge.target and quantity is not None:
            # A reported amount is progress in itself: the full target is completion, a part
            # of it is work in progress, whatever verb the sentence used.
            progress = quantity.value / pledge.target.value
            if progress >= 1 and stage in ("none", "in_progress"):
                stage = "completed"
            elif 0 < progress < 1 and stage in ("none", "planned", "completed"):
                stage = "in_progress"
        return stage, evidence, quantity, progress


_CLAUSE = re.compile(r"[，,；;：:]")

# Names used only to place or date something else: an address (位于蒲县产业集聚区的孵化基地,
# 在一中新校区上学) or a precedent (继蒲伊北街、蒲伊东街之后启动的又一个项目). The news is
# about the other thing.
_ASIDE = re.compile(r"继[^，。；！？]{1,30}?之后"
                    r"|(?:位于|地处|坐落于|坐落在|毗邻|紧邻|靠近)[^，。；！？]{1,20}?的"
                    r"|在[^，。；！？“”]{1,12}?(?:上学|就读|居住|上班|附近|旁边|对面)")


def _outside_asides(sentence: str, matches: list[tuple[int, int, str]]
                    ) -> list[tuple[int, int, str]]:
    asides = [m.span() for m in _ASIDE.finditer(sentence)]
    if not asides:
        return matches
    return [m for m in matches if not any(a <= m[0] and m[1] <= b for a, b in asides)]


def clause_window(sentence: str, positions: dict[str, list[int]], pledge_id: str
                  ) -> tuple[int, int]:
    """The part of a sentence about one pledge when it names several.

    From the pledge's first term to the end of the sentence, stopping before the first clause
    that names other pledges and not this one: in 博远风电并网发电，抽水蓄能电站年底开工 each
    gets its own verb, while two pledges named in the same clauses (招商引资…签约项目8个，签约
    金额27.6亿元) share them.
    """
    mine = sorted(positions.get(pledge_id) or [0])
    # A word two pledges share (招商引资 names both investment pledges) divides nothing.
    others = sorted({p for pid, ps in positions.items() if pid != pledge_id for p in ps}
                    - set(mine))
    if not others:
        return 0, len(sentence)
    first = mine[0]
    start = max((m.end() for m in _CLAUSE.finditer(sentence, 0, first)), default=0)
    if any(start <= p < first for p in others):
        start = first
    bounds = [m.start() for m in _CLAUSE.finditer(sentence, first)] + [len(sentence)]
    clause_start = first
    for bound in bounds:
        if any(clause_start <= p < bound for p in others) and not any(
                clause_start <= p < bound for p in mine) and clause_start > first:
            return start, clause_start - 1
        clause_start = bound + 1
    return start, len(sentence)


def achieved_quantity(sentence: str, target: Target, lead: bool = False) -> Quantity | None:
    """An amount the sentence reports as done toward ``target``, in the target's unit.

    The number must go with a verb that counts toward the target (完成1.72万亩; the
    registry's ``counted_by`` where only some do) and not sit in a plan (计划完成...), so a
    restated target (全县75个重点项目) is not read as progress. 一万七千二百亩 toward a target
    in 万亩 is reported as 1.72 万亩, so amounts compare across articles.
    """
    verbs = tuple(target.counted_by) if target.counted_by is not None else None
    found = [q for q in find_quantities(sentence) if same_family(q.unit, target.unit)]
    # An amount after its verb first: in 八个老旧小区改造完成七个 the count done is 七个.
    for counts_after in (False, True):
        for q in found:
            if is_achieved_at(sentence, *q.span, lead, verbs,
                              counts_after=counts_after and q.family == "count"):
                value = q.in_unit(target.unit)
                if value is not None:
                    return Quantity(value=round(value, 6), unit=target.unit, span=q.span)
    return None
