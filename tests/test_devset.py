"""The labelled development set is the measure of the pledge linker, so it must be sound itself.

A label naming a pledge the registry no longer has, a stage outside the scale, or a set that has
drifted to mostly easy positives would make every score computed on it meaningless. These
checks keep the file honest as the registry and the set are edited; the rules they enforce are
written out in ``tests/data/devset/README.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from opencc import OpenCC

from pledges import Registry, load_registry

DEVSET = Path(__file__).resolve().parent / "data" / "devset" / "articles.jsonl"

STAGES = {"planned", "started", "in_progress", "completed", "none"}
SPLITS = {"dev", "holdout", "holdout2"}
REQUIRED = {"id": str, "split": str, "url": str, "title": str, "published": str, "body": str,
            "links": list, "note": str}
ID = re.compile(r"^dev-\d{3,}$")
URL = re.compile(
    r"^(?:http://www\.lfxww\.com/(?:[a-z0-9]+/){1,3}\d+\.html"
    r"|http://www\.puxian\.gov\.cn/(?:[a-z0-9]+/)+\d{6}/t\d{8}_\d+\.html"
    r"|http://www\.linfen\.gov\.cn/(?:[a-z0-9]+/)+\d{6}/t\d{8}_\d+\.html"
    r"|http://lf\.sxgov\.cn/content/\d{4}-\d{2}/\d{2}/content_\d+\.html?"
    r"|https://lf\.sxrb\.com/content/\d{6}/\d{2}/c\d+\.html)$"
)
# The pledges are the ones made for 2022: anything published before cannot report on them.
PLEDGE_YEAR_START = dt.date(2022, 1, 1)

MIN_ARTICLES = 120


def _read() -> list[dict[str, Any]]:
    rows = []
    with DEVSET.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            assert line.strip(), f"line {number} is blank"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                pytest.fail(f"line {number} is not JSON: {exc}")
            assert isinstance(row, dict), f"line {number} is not a JSON object"
            rows.append(row)
    return rows


@pytest.fixture(scope="module")
def articles() -> list[dict[str, Any]]:
    return _read()


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def test_every_line_has_the_required_fields(articles: list[dict[str, Any]]) -> None:
    for row in articles:
        for field, kind in REQUIRED.items():
            assert field in row, f"{row.get('id', '?')}: missing {field}"
            assert isinstance(row[field], kind), f"{row['id']}: {field} is not a {kind.__name__}"
        extra = set(row) - set(REQUIRED)
        assert not extra, f"{row['id']}: unexpected fields {sorted(extra)}"
        assert ID.match(row["id"]), f"{row['id']}: id must look like dev-001"
        assert row["split"] in SPLITS, f"{row['id']}: split {row['split']!r}"
        assert URL.match(row["url"]), f"{row['id']}: url {row['url']!r} has no known site shape"
        assert row["title"].strip() and row["body"].strip(), f"{row['id']}: empty title or body"
        dt.date.fromisoformat(row["published"])
        paragraphs = [p for p in row["body"].split("\n") if p.strip()]
        assert 3 <= len(paragraphs) <= 12, f"{row['id']}: {len(paragraphs)} paragraphs"


def test_ids_and_urls_are_unique(articles: list[dict[str, Any]]) -> None:
    for field in ("id", "url"):
        counts = Counter(row[field] for row in articles)
        repeated = [value for value, n in counts.items() if n > 1]
        assert not repeated, f"repeated {field}: {repeated}"


def test_links_name_registry_pledges_with_a_stage_on_the_scale(
    articles: list[dict[str, Any]], registry: Registry
) -> None:
    pledges = registry.by_id()
    for row in articles:
        seen = set()
        for link in row["links"]:
            assert set(link) == {"pledge_id", "stage", "quantity"}, f"{row['id']}: {link}"
            pid = link["pledge_id"]
            assert pid in pledges, f"{row['id']}: pledge {pid!r} is not in the registry"
            assert pid not in seen, f"{row['id']}: pledge {pid!r} linked twice"
            seen.add(pid)
            assert link["stage"] in STAGES, f"{row['id']}: stage {link['stage']!r}"


def test_quantities_only_where_the_pledge_has_a_target_in_its_unit(
    articles: list[dict[str, Any]], registry: Registry
) -> None:
    pledges = registry.by_id()
    for row in articles:
        for link in row["links"]:
            quantity = link["quantity"]
            if quantity is None:
                continue
            target = pledges[link["pledge_id"]].target
            assert target is not None, f"{row['id']}: {link['pledge_id']} has no target"
            assert set(quantity) == {"value", "unit"}, f"{row['id']}: {quantity}"
            assert isinstance(quantity["value"], int | float) and quantity["value"] > 0
            assert quantity["unit"] == target.unit, (
                f"{row['id']}: {link['pledge_id']} counts in {target.unit}, not {quantity['unit']}"
            )
            assert link["stage"] != "none", f"{row['id']}: an amount achieved is progress"


def test_nothing_before_2022_is_linked(articles: list[dict[str, Any]]) -> None:
    for row in articles:
        if dt.date.fromisoformat(row["published"]) < PLEDGE_YEAR_START:
            assert not row["links"], f"{row['id']}: published before the pledges were made"


def test_negatives_say_why(articles: list[dict[str, Any]]) -> None:
    for row in articles:
        if not row["links"]:
            assert row["note"].strip(), f"{row['id']}: a negative needs a note saying why"


def test_composition(articles: list[dict[str, Any]]) -> None:
    assert len(articles) >= MIN_ARTICLES
    negatives = [row for row in articles if not row["links"]]
    assert len(negatives) * 3 >= len(articles), "at least a third must be hard negatives"
    multi = [row for row in articles if len(row["links"]) > 1]
    assert len(multi) >= 10, "several county summaries must link more than one pledge"
    stages = Counter(link["stage"] for row in articles for link in row["links"])
    assert set(stages) == STAGES, f"every stage must occur; got {dict(stages)}"
    assert sum(1 for row in articles if dt.date.fromisoformat(row["published"]).year >= 2023
               and row["links"]), "later reports on 2022 pledges must be present"


def _changed_by(converter: OpenCC, text: str) -> int:
    return sum(a != b for a, b in zip(text, converter.convert(text), strict=False))


def test_some_articles_are_in_traditional_characters(articles: list[dict[str, Any]]) -> None:
    to_simplified = OpenCC("t2s")
    traditional = [row["id"] for row in articles if _changed_by(to_simplified, row["body"]) >= 5]
    assert len(traditional) >= 10, f"only {len(traditional)} traditional articles"


def test_both_splits_hold_positives_and_negatives(articles: list[dict[str, Any]]) -> None:
    for split in SPLITS:
        rows = [row for row in articles if row["split"] == split]
        assert any(row["links"] for row in rows), f"{split} has no positives"
        assert any(not row["links"] for row in rows), f"{split} has no negatives"
    holdout = sum(row["split"] != "dev" for row in articles) / len(articles)
    assert 0.2 <= holdout <= 0.4, f"holdout share {holdout:.0%} is far from 30%"
