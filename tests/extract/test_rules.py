"""ExtractionRules as site declarations write them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from transforms.extract import ExtractionRules

SITES = Path(__file__).resolve().parents[2] / "spiders" / "sites"


def test_from_mapping_accepts_strings_and_lists() -> None:
    rules = ExtractionRules.from_mapping({
        "title": "h2.h2.text-center.xb-h2",
        "body": ["div.col-md-12.nry.jcontent", "div.picshow"],
        "published": None,
        "drop": [],
    })
    assert rules.title == ("h2.h2.text-center.xb-h2",)
    assert rules.body == ("div.col-md-12.nry.jcontent", "div.picshow")
    assert rules.published == () and rules.drop == () and rules.author == ()


def test_empty_and_none() -> None:
    assert ExtractionRules.from_mapping(None) == ExtractionRules()
    assert ExtractionRules.from_mapping({}) == ExtractionRules()


def test_rules_are_frozen_and_hashable() -> None:
    rules = ExtractionRules.from_mapping({"title": ["h1"]})
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.title = ("h2",)  # type: ignore[misc]
    assert hash(rules) == hash(ExtractionRules(title=("h1",)))


def test_direct_construction_normalises_strings() -> None:
    assert ExtractionRules(title="h1").title == ("h1",)  # type: ignore[arg-type]


def test_blank_selectors_are_dropped() -> None:
    assert ExtractionRules.from_mapping({"title": ["  ", "h1 "]}).title == ("h1",)


@pytest.mark.parametrize(
    "data",
    [
        {"titel": ["h1"]},  # a typo must fail when the declaration loads
        {"title": ["h1["]},  # a selector soupsieve cannot compile
        {"body": [1, 2]},
        {"title": 5},
        ["h1"],
    ],
)
def test_bad_declarations_fail_loudly(data: object) -> None:
    with pytest.raises(ValueError):
        ExtractionRules.from_mapping(data)  # type: ignore[arg-type]


def test_every_site_declaration_loads() -> None:
    """The spiders' site files (written elsewhere) must be accepted as they are."""
    files = sorted(SITES.glob("*.yaml"))
    if not files:
        pytest.skip("no site declarations in spiders/sites")
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if "extraction" in data:
            ExtractionRules.from_mapping(data["extraction"])
