"""The end state of a run, by content: the warehouse's tables and the alert outbox.

Volatile columns (ids, times of fetching, loading and sending, attempt counters, errors of
attempts that later succeeded) are left out, and rows that point at other rows name them by URL,
so two warehouses holding the same facts read the same whatever their ids and dialect.

Two parts, because the pipeline is incremental:

``facts`` do not depend on the order articles arrive in: which pages were stored, each
article's content, the stories (an article and its syndicated copies, named by their URLs), the
mentions of each story, each pledge's status, the new-mention alerts, the alert for each
pledge's most advanced stage, and what was delivered. A fault must leave these exactly as a
clean run does.

``history`` records arrival order: which copy of a story came first and is its primary, the
steps a pledge's stage went through (none -> started -> completed, or none -> completed when
the completed story arrived first), and the stage each new-mention alert announced: a story
whose page 2 came a night after page 1 was first seen, and alerted, at the stage page 1 showed
(its stage change alert tells the rest). A fault that defers some pages to the next run changes
that order, as any late story does; history is compared only when nothing was deferred.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from spiders.store import PERMANENT_ERRORS
from warehouse.db import get_engine
from warehouse.facts import STAGE_RANK

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_time(value: Any) -> str | None:
    """A publication time (Shanghai wall time on SQLite, an instant on PostgreSQL) as text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI).isoformat()


def as_json(value: Any) -> str:
    """JSON text with sorted keys (JSONB reorders them)."""
    if isinstance(value, str):
        value = json.loads(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def short_hash(value: str | bytes) -> str:
    data = value.encode("utf-8") if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass
class State:
    facts: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    history: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    #: site-health alerts: (site, problem code, channel, state); a fault may add some
    site_health: list[tuple[Any, ...]] = field(default_factory=list)
    #: every alert key and channel with its state, for delivery checks within one warehouse
    outbox: dict[tuple[str, str], str] = field(default_factory=dict)
    #: the file outbox: file name -> the alert id written in it
    files: dict[str, str] = field(default_factory=dict)

    @property
    def article_urls(self) -> set[str]:
        return {row[0] for row in self.facts["article"]}

    def given_up(self, url: str, error: str) -> State:
        """This state as it would be had the crawl given up on article ``url`` with ``error``
        (for an article that is no story's copy and mentions no pledge)."""
        facts = {name: list(rows) for name, rows in self.facts.items()}
        facts["raw_article"] = [r for r in facts["raw_article"] if r[0] != url]
        facts["raw_given_up"] = sorted([*facts["raw_given_up"], (url, error)], key=repr)
        facts["article"] = [r for r in facts["article"] if r[0] != url]
        facts["story"] = [r for r in facts["story"] if r[0] != (url,)]
        history = {name: list(rows) for name, rows in self.history.items()}
        history["primary"] = [r for r in history["primary"] if r[0] != url]
        return State(facts, history, list(self.site_health), dict(self.outbox),
                     dict(self.files))

    def digest(self, history: bool = True) -> str:
        h = hashlib.sha256()
        parts = [self.facts, self.history] if history else [self.facts]
        for part in parts:
            for name in sorted(part):
                h.update(name.encode())
                h.update("\n".join(map(repr, part[name])).encode("utf-8"))
        return h.hexdigest()

    def diff(self, other: State, history: bool = True, limit: int = 10) -> str:
        """What differs, table by table: ``+`` rows only here, ``-`` rows only in ``other``."""
        lines: list[str] = []
        parts = [(self.facts, other.facts)]
        if history:
            parts.append((self.history, other.history))
        for mine_part, their_part in parts:
            for name in sorted(set(mine_part) | set(their_part)):
                extra = _minus(mine_part.get(name, []), their_part.get(name, []))
                missing = _minus(their_part.get(name, []), mine_part.get(name, []))
                if extra or missing:
                    lines.append(f"{name}: {len(extra)} extra, {len(missing)} missing")
                    lines.extend(f"  + {r!r}"[:240] for r in extra[:limit])
                    lines.extend(f"  - {r!r}"[:240] for r in missing[:limit])
        return "\n".join(lines) or "(no difference)"


def _minus(a: list[Any], b: list[Any]) -> list[Any]:
    rest = list(b)
    out = []
    for row in a:
        if row in rest:
            rest.remove(row)
        else:
            out.append(row)
    return out


def _sorted(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=repr)


def read_state(url: str, outbox_dir: Path | None = None) -> State:
    """The state of the warehouse at ``url`` and of the file outbox in ``outbox_dir``."""
    permanent = ", ".join(f"'{k}'" for k in PERMANENT_ERRORS)
    with get_engine(url).connect() as conn:
        raw_ok = [r.url for r in conn.execute(text(
            "SELECT url FROM raw_page WHERE kind = 'article' AND status = 200"
            " AND error IS NULL"))]
        given_up = [tuple(r) for r in conn.execute(text(
            f"SELECT url, error FROM raw_page WHERE kind = 'article' AND error IN ({permanent})"
        ))]
        articles = conn.execute(text(
            "SELECT id, url, site, title, published_at, source, author, editor, body,"
            " fingerprint, duplicate_of, is_local, extraction, extractor_version FROM article"
        )).mappings().all()
        mentions = conn.execute(text(
            "SELECT article_id, pledge_id, score, stage, quantity_value, quantity_unit,"
            " progress, evidence, matched, linker_version FROM fct_mention")).all()
        changes = conn.execute(text(
            "SELECT pledge_id, from_stage, to_stage, article_id, evidence_date"
            " FROM fct_stage_change")).all()
        status = conn.execute(text(
            "SELECT pledge_id, stage, evidence_url, mention_count FROM v_pledge_status")).all()
        alerts = conn.execute(text(
            "SELECT alert_key, channel, kind, pledge_id, article_id, payload, state"
            " FROM alert_outbox")).mappings().all()

    by_id = {a["id"]: a for a in articles}
    members: dict[int, list[str]] = defaultdict(list)
    for a in articles:
        members[a["duplicate_of"] or a["id"]].append(a["url"])
    story_of_id = {a["id"]: tuple(sorted(members[a["duplicate_of"] or a["id"]]))
                   for a in articles}
    story_of_url = {by_id[i]["url"]: s for i, s in story_of_id.items()}

    state = State()
    state.facts["raw_article"] = sorted((u,) for u in raw_ok)
    state.facts["raw_given_up"] = _sorted(given_up)
    state.facts["article"] = _sorted([(
        a["url"], a["site"], a["title"], local_time(a["published_at"]), a["source"],
        a["author"], a["editor"], short_hash(a["body"] or ""), a["fingerprint"],
        as_json(a["extraction"]), a["extractor_version"], story_of_id[a["id"]])
        for a in articles])
    state.facts["story"] = _sorted([(story_of_id[a["id"]], bool(a["is_local"]))
                                    for a in articles if a["duplicate_of"] is None])
    state.facts["fct_mention"] = _sorted([(
        story_of_id[m.article_id], m.pledge_id, round(m.score, 9), m.stage, m.quantity_value,
        m.quantity_unit, m.progress, m.evidence, as_json(m.matched), m.linker_version)
        for m in mentions])
    state.facts["pledge_status"] = _sorted([
        (p, stage, story_of_url.get(evidence) if evidence else None, int(count))
        for p, stage, evidence, count in status])
    best: dict[str, str] = {}
    for c in changes:
        if STAGE_RANK[c.to_stage] > STAGE_RANK.get(best.get(c.pledge_id, "none"), 0):
            best[c.pledge_id] = c.to_stage
    state.facts["stage_reached"] = sorted(best.items())

    fact_alerts, history_alerts = [], []
    for row in alerts:
        payload = json.loads(row["payload"]) if isinstance(row["payload"], str) else dict(
            row["payload"])
        state.outbox[(row["alert_key"], row["channel"])] = row["state"]
        if row["kind"] == "site_health":
            state.site_health.append((payload.get("site"), payload.get("problem_code"),
                                      row["channel"], row["state"]))
            continue
        if row["channel"] != "file":
            continue  # the reference has only the file channel; delivery checks cover the rest
        story = story_of_id.get(row["article_id"])
        if row["kind"] == "new_mention":
            # The key names the article by id, which depends on load order: named by story.
            # Its stage is the story's when first seen, which a later page can move: history.
            fact_alerts.append(("new_mention", row["channel"], row["pledge_id"], story,
                                row["state"]))
        elif payload.get("stage") == best.get(row["pledge_id"]):
            fact_alerts.append(("stage_change", row["channel"], row["alert_key"],
                                row["state"]))
        history_alerts.append((row["kind"], row["channel"], row["pledge_id"],
                               by_id[row["article_id"]]["url"] if row["article_id"] in by_id
                               else None, as_json({k: v for k, v in payload.items()}),
                               row["state"]))
    state.facts["alerts"] = _sorted(fact_alerts)
    state.site_health.sort(key=repr)

    state.history["primary"] = _sorted([
        (a["url"], by_id[a["duplicate_of"]]["url"] if a["duplicate_of"] else None,
         bool(a["is_local"])) for a in articles])
    state.history["fct_stage_change"] = _sorted([
        (c.pledge_id, c.from_stage, c.to_stage, by_id[c.article_id]["url"],
         local_time(c.evidence_date)) for c in changes])
    state.history["alert_sequence"] = _sorted(history_alerts)

    if outbox_dir is not None and outbox_dir.is_dir():
        for path in sorted(outbox_dir.glob("*.json")):
            state.files[path.name] = json.loads(path.read_text("utf-8")).get("alert_id")
    return state
