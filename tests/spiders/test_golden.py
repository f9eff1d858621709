"""Golden files per site: list parsing and article extraction on recorded raw bytes.

A failure here means our code now reads a recorded page differently. If that is intended,
``python -m tests.spiders.regen`` rewrites the expected JSON; review the diff before committing.
"""

from __future__ import annotations

import json

import pytest

from spiders.sites import load_sites
from tests.spiders.golden_cases import GOLDEN, build_site, expected

SITES = sorted(load_sites())


@pytest.mark.parametrize("site", SITES)
def test_golden(site: str) -> None:
    path = GOLDEN / f"{site}.json"
    assert path.is_file(), f"no golden file for {site}: run python -m tests.spiders.regen"
    want = json.loads(path.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(build_site(site), ensure_ascii=False))
    assert got["lists"] == want["lists"]
    for url, case in want["articles"].items():
        assert got["articles"][url] == case, url


@pytest.mark.parametrize("site", SITES)
def test_goldens_agree_with_the_answer_key(site: str) -> None:
    """Titles and dates read from the goldens are the answer key's (the page is not broken)."""
    want = json.loads((GOLDEN / f"{site}.json").read_text(encoding="utf-8"))
    key = expected()["articles"]
    for url, case in want["articles"].items():
        extracted = case["extracted"]
        if extracted is None:
            pytest.skip("transforms.extract is not installed")
        assert extracted["title"] == key[url]["title"], url
        assert extracted["published"][:10] == key[url]["published"], url
        assert extracted["paragraphs"], url
    listed = {link["url"] for page in want["lists"].values() for link in page["links"]}
    for url, entry in key.items():
        if entry["site"] == site and entry["found_via"] == "list":
            assert url in listed, f"{url} is on no recorded list page of {site}"


def test_gb2312_page_decodes_as_gb18030() -> None:
    want = json.loads((GOLDEN / "lfxww.json").read_text(encoding="utf-8"))
    assert {case["encoding"] for case in want["articles"].values()} == {"gb18030"}
