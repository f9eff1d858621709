"""Extraction + normalisation + linking throughput over >= 10,000 article pages.

The pages are the development set's articles rendered into 临汾新闻网's recorded template,
with variations (paragraph order, figures, dates) so no two are identical. It prints
articles per second at two corpus sizes (cost should grow linearly) and with the real
registry against one padded with ten times as many synthetic pledges (cost should stay
nearly flat: the aliases live in one Aho-Corasick automaton, not a loop over pledges).

    python -m benchmarks.linker [--articles 10000]
"""

from __future__ import annotations

import argparse
import html
import random
import re
import resource
import time
from pathlib import Path

from pledges import Registry, load_registry
from pledges.places import load_gazetteer
from spiders.sites import load_site
from transforms.evaluate import read_jsonl
from transforms.extract import ExtractionRules, extract_article
from transforms.link import ArticleText, Linker

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_PAGE = REPO / "tests/data/sites/www.lfxww.com/puxian/2688412.html"
_BODY = re.compile(r'(<div class="col-md-12 nry jcontent">)(.*?)(</div>)', re.S)
_TITLE = re.compile(r'(<h2 class="h2 text-center xb-h2">)(.*?)(</h2>)', re.S)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_DIGITS = re.compile(r"\d+")


def make_pages(count: int, seed: int = 7) -> list[tuple[str, bytes]]:
    template = TEMPLATE_PAGE.read_bytes().decode("gb18030")
    records = read_jsonl(REPO / "tests/data/devset/articles.jsonl")
    rng = random.Random(seed)
    pages = []
    for i in range(count):
        rec = records[i % len(records)]
        paragraphs = [p for p in rec["body"].split("\n") if p.strip()]
        if len(paragraphs) > 2:
            head, rest = paragraphs[0], paragraphs[1:]
            rng.shuffle(rest)
            paragraphs = [head, *rest]
        def vary(match: re.Match[str]) -> str:
            return str(int(match.group()) + rng.randint(0, 3))

        body = "".join(f"<p>{html.escape(_DIGITS.sub(vary, p))}</p>" for p in paragraphs)
        day = f"2022-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 09:{rng.randint(10, 59)}:00"
        title = html.escape(rec["title"])
        page = _BODY.sub(lambda m, b=body: m.group(1) + b + m.group(3), template, count=1)
        page = _TITLE.sub(lambda m, t=title: m.group(1) + t + m.group(3), page, count=1)
        page = _DATE.sub(day, page, count=1)
        pages.append((f"http://www.lfxww.com/puxian/{2800000 + i}.html",
                      page.encode("gb18030", errors="replace")))
    return pages


def padded_registry(base: Registry, factor: int, seed: int = 11) -> Registry:
    """The registry plus (factor - 1) x as many synthetic pledges with random names."""
    rng = random.Random(seed)
    hanzi = [chr(c) for c in range(0x4E00, 0x9FA5)]
    extra = []
    for i in range((factor - 1) * len(base.pledges)):
        proto = base.pledges[i % len(base.pledges)]
        aliases = ["".join(rng.choice(hanzi) for _ in range(rng.randint(3, 6)))
                   for _ in range(3)]
        extra.append(proto.model_copy(update={"id": f"synthetic-{i}", "aliases": aliases,
                                              "cues": [], "exclude": []}))
    return base.model_copy(update={"pledges": [*base.pledges, *extra]})


def run(pages: list[tuple[str, bytes]], linker: Linker, rules: ExtractionRules) -> float:
    start = time.perf_counter()
    for url, raw in pages:
        article = extract_article(raw, url, rules=rules,
                                  content_type="text/html; charset=gb2312")
        published = article.published.date() if article.published else None
        linker.link(ArticleText(url, url, article.title or "", article.body, published))
    return len(pages) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    rules = ExtractionRules.from_mapping(load_site("lfxww").extraction)
    base = load_registry()
    gazetteer = load_gazetteer()
    pages = make_pages(args.articles)
    linker = Linker(base, gazetteer)
    quarter = run(pages[: args.articles // 4], linker, rules)
    full = run(pages, linker, rules)
    big = Linker(padded_registry(base, 10), gazetteer)
    padded = run(pages[: args.articles // 4], big, rules)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pledges {len(base.pledges)}: {args.articles // 4} articles at {quarter:.0f}/s, "
          f"{args.articles} articles at {full:.0f}/s (linear: the rate holds)")
    print(f"pledges {len(big.pledges)}: {args.articles // 4} articles at {padded:.0f}/s "
          f"({padded / quarter:.0%} of the rate with {len(base.pledges)} pledges)")
    print(f"peak RSS {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
