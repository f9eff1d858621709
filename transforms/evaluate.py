"""Measure the linker on a labelled set: link precision/recall/F1 and stage accuracy.

Counts are kept per split so that the held-out split, never used for tuning, is reported on
its own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pledges.stages import STAGES
from transforms.link import ArticleText, Link, Linker


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    stage_right: int = 0
    # Links found where either side gives an amount achieved, and those where both agree.
    quantity_cases: int = 0
    quantity_right: int = 0
    articles: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    # (gold stage, predicted stage) of every link found: where stage errors go, in aggregate,
    # so a split that must stay unseen case by case can still be diagnosed.
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def stage_accuracy(self) -> float:
        return self.stage_right / self.tp if self.tp else 1.0

    @property
    def quantity_accuracy(self) -> float:
        return self.quantity_right / self.quantity_cases if self.quantity_cases else 1.0

    def line(self, name: str) -> str:
        return (f"{name:8} articles {self.articles:4}  links tp {self.tp:3} fp {self.fp:3} "
                f"fn {self.fn:3}  precision {self.precision:.3f}  recall {self.recall:.3f}  "
                f"F1 {self.f1:.3f}  stage accuracy {self.stage_accuracy:.3f}  "
                f"quantity {self.quantity_right}/{self.quantity_cases}")


def article_from_record(record: dict[str, Any]) -> ArticleText:
    published = record.get("published")
    date = dt.date.fromisoformat(str(published)[:10]) if published else None
    return ArticleText(id=str(record["id"]), url=record.get("url") or "",
                       title=record.get("title") or "", body=record.get("body") or "",
                       published=date)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(linker: Linker, records: Iterable[dict[str, Any]]) -> dict[str, Scores]:
    by_split: dict[str, Scores] = {}
    for record in records:
        split = record.get("split", "dev")
        predicted: dict[str, Link] = {lk.pledge_id: lk for lk in
                                      linker.link(article_from_record(record))}
        gold = {g["pledge_id"]: g for g in record.get("links", [])}
        for scores in (by_split.setdefault(split, Scores()), by_split.setdefault("all", Scores())):
            scores.articles += 1
            for pid, link in predicted.items():
                if pid in gold:
                    scores.tp += 1
                    scores.confusion[gold[pid]["stage"], link.stage] += 1
                    want, got = gold[pid].get("quantity"), _quantity(link)
                    if want or got:
                        scores.quantity_cases += 1
                        right = _same_amount(want, got)
                        scores.quantity_right += int(right)
                        if not right and scores is by_split[split]:
                            scores.errors.append({"id": record["id"], "pledge": pid,
                                                  "error": "quantity", "gold": want, "got": got,
                                                  "evidence": link.evidence})
                    if link.stage == gold[pid]["stage"]:
                        scores.stage_right += 1
                    elif scores is by_split[split]:
                        scores.errors.append({"id": record["id"], "pledge": pid,
                                              "error": "stage", "gold": gold[pid]["stage"],
                                              "got": link.stage, "evidence": link.evidence})
                else:
                    scores.fp += 1
                    if scores is by_split[split]:
                        scores.errors.append({"id": record["id"], "pledge": pid,
                                              "error": "fp", "evidence": link.evidence})
            missing = set(gold) - set(predicted)
            scores.fn += len(missing)
            if scores is by_split[split]:
                scores.errors.extend({"id": record["id"], "pledge": pid, "error": "fn"}
                                     for pid in sorted(missing))
    return by_split


def _quantity(link: Link) -> dict[str, Any] | None:
    return {"value": link.quantity.value, "unit": link.quantity.unit} if link.quantity else None


def _same_amount(want: dict[str, Any] | None, got: dict[str, Any] | None) -> bool:
    if not want or not got:
        return want == got
    return want["unit"] == got["unit"] and abs(want["value"] - got["value"]) < 1e-6


def error_summary(scores: Scores) -> Counter[str]:
    return Counter(e["error"] for e in scores.errors)


def split_order(names: Iterable[str]) -> list[str]:
    """dev first, ``all`` last, the held-out splits between them."""
    rest = sorted(n for n in names if n not in ("dev", "all"))
    return [n for n in ("dev", *rest, "all") if n in names]


def confusion_table(scores: Scores) -> str:
    """Gold stages down, predicted across, over the links both sides agree exist."""
    header = "gold \\ got".ljust(12) + "".join(s.rjust(12) for s in STAGES)
    rows = [header]
    for gold in STAGES:
        cells = "".join(str(scores.confusion.get((gold, got), 0)).rjust(12) for got in STAGES)
        rows.append(gold.ljust(12) + cells)
    return "\n".join(rows)
