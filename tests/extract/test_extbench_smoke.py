"""Five extbench pages through the generic path: structure only, never scores.

Scores are the benchmark's business (`python -m benchmarks.extbench`); this only checks that
real third-party pages (GB2312 among them) come out as well-formed articles.
"""

from __future__ import annotations

import json
from itertools import islice

import pytest

from benchmarks.extbench import DEFAULT_DATA, load_module
from transforms.extract import ExtractedArticle, extract_article

DATASETS = ["fundus-cn", "newspaper4k-zh", "chinese-wced"]


def pages() -> list[dict]:
    if not (DEFAULT_DATA / "load.py").exists():
        pytest.skip(f"extbench not available at {DEFAULT_DATA}")
    loader = load_module(DEFAULT_DATA)
    return list(islice(loader.iter_pages(DATASETS), 5))


def test_real_pages_give_well_formed_articles() -> None:
    found = pages()
    assert len(found) == 5
    assert any(p["encoding"] == "gb18030" for p in found)  # at least one GB page, as bytes
    for page in found:
        article = extract_article(page["html_bytes"], page["url"] or "")
        assert isinstance(article, ExtractedArticle)
        assert article.paragraphs, page["id"]
        assert article.methods["body"] == "generic"
        # decoded, not mojibake (fundus-cn's page carries two broken characters of its own)
        assert article.body.count("\ufffd") <= 0.01 * len(article.body), page["id"]
        data = article.to_dict()
        assert json.loads(json.dumps(data, ensure_ascii=False)) == data
