"""The pledge registry is the yardstick everything else is measured against.

These tests guard it against the edits most likely to go wrong: a seed sentence that drifts
from the interview (so nobody can check the pledge any more), traditional characters in the
names the linker matches on (simplified news text would never match them), and a broken
entry that the loader lets through or reports without saying where.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from opencc import OpenCC

from pledges import AREAS, Registry, RegistryError, load_registry

MIN_ENTRIES, MAX_ENTRIES = 45, 65
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def _seed_path(seed_name: str) -> Path:
    override = os.environ.get("PLEDGEWATCH_SEED_DIR")
    if override:
        return Path(override) / seed_name
    # /work/main/tests/test_registry.py -> /work/shared/seeds/<seed>
    return Path(__file__).resolve().parents[2] / "shared" / "seeds" / seed_name


def test_registry_loads(registry: Registry) -> None:
    assert registry.version == 1
    assert registry.seed == "000_bc54e6ebe17d93eb.txt"


def test_entry_count_is_plausible(registry: Registry) -> None:
    assert MIN_ENTRIES <= len(registry.pledges) <= MAX_ENTRIES


def test_every_area_has_entries(registry: Registry) -> None:
    counts = Counter(p.area for p in registry.pledges)
    missing = [area for area in AREAS if counts[area] == 0]
    assert not missing, f"areas without pledges: {missing}"


def test_ids_are_unique_slugs(registry: Registry) -> None:
    ids = [p.id for p in registry.pledges]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    bad = [i for i in ids if not SLUG.match(i)]
    assert not bad, f"ids that are not ascii slugs: {bad}"


def test_seed_sentences_are_verbatim(registry: Registry) -> None:
    path = _seed_path(registry.seed)
    if not path.is_file():
        pytest.skip(f"seed interview not found at {path} (set PLEDGEWATCH_SEED_DIR to its folder)")
    seed = path.read_text(encoding="utf-8")
    drifted = [p.id for p in registry.pledges if p.seed_sentence not in seed]
    assert not drifted, f"seed_sentence not found verbatim in {path.name}: {drifted}"


def test_match_strings_are_simplified(registry: Registry) -> None:
    """Aliases, cues, excludes and titles are matched against or shown as simplified text."""
    t2s = OpenCC("t2s")
    traditional = []
    for p in registry.pledges:
        strings = [p.title, *p.aliases, *p.exclude, *(word for cue in p.cues for word in cue)]
        traditional += [(p.id, s) for s in strings if t2s.convert(s) != s]
    assert not traditional, f"not simplified Chinese: {traditional}"


def test_aliases_are_not_repeated_within_an_entry(registry: Registry) -> None:
    repeated = [p.id for p in registry.pledges if len(set(p.aliases)) != len(p.aliases)]
    assert not repeated, f"entries listing an alias twice: {repeated}"


def test_quantity_pledges_have_targets(registry: Registry) -> None:
    assert all(p.target is not None for p in registry.pledges if p.kind == "quantity")


# --- a corrupt registry must be refused, and the refusal must say where ----------------------

_GOOD_ENTRY = {
    "id": "sample-pledge",
    "area": "转型发展",
    "kind": "project",
    "title": "样例项目年内建成",
    "seed_sentence": "樣例項目年內建成",
    "aliases": ["样例项目"],
}


def _write(tmp_path: Path, entries: list[dict]) -> Path:
    path = tmp_path / "registry.yaml"
    doc = {"version": 1, "seed": "000_bc54e6ebe17d93eb.txt", "pledges": entries}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_sample_entry_is_valid(tmp_path: Path) -> None:
    """The corruption tests below only mean something if the uncorrupted entry loads."""
    assert len(load_registry(_write(tmp_path, [_GOOD_ENTRY])).pledges) == 1


@pytest.mark.parametrize(
    ("entries", "bad_id", "field"),
    [
        pytest.param(
            [{**_GOOD_ENTRY, "id": "bad-area", "area": "农业农村"}],
            "bad-area",
            "area",
            id="unknown-area",
        ),
        pytest.param(
            [{k: v for k, v in {**_GOOD_ENTRY, "id": "no-title"}.items() if k != "title"}],
            "no-title",
            "title",
            id="missing-title",
        ),
        pytest.param(
            [_GOOD_ENTRY, {**_GOOD_ENTRY, "title": "另一个"}],
            "sample-pledge",
            "id",
            id="duplicate-id",
        ),
    ],
)
def test_corrupt_registry_is_refused_with_location(
    tmp_path: Path, entries: list[dict], bad_id: str, field: str
) -> None:
    with pytest.raises(RegistryError) as caught:
        load_registry(_write(tmp_path, entries))
    message = str(caught.value)
    assert bad_id in message, message
    assert re.search(rf"\b{field}\b", message), message
