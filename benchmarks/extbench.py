"""Generic extraction quality on extbench: our extractor (no site rules) beside trafilatura.

    .venv/bin/python -m benchmarks.extbench                 # every dataset, summary table
    .venv/bin/python -m benchmarks.extbench --pages         # plus one line per page
    .venv/bin/python -m benchmarks.extbench --datasets chinese-wced --no-trafilatura

The pages and gold live outside the repository (PLEDGEWATCH_EXTBENCH, default
/work/shared/extbench; see its README). Figures are printed, never asserted.

Scores follow the benchmark's README: body F1 over the multiset of characters with punctuation
and whitespace left out (fair to Chinese, which has no word spaces); title exact match after
whitespace collapse, plus title character F1; date = first ten characters equal to a day-level
gold date; trafilatura-eval has segment gold only (share of `with` segments found, share of
`without` segments absent). trafilatura runs twice: on the raw bytes (its own decoding) and on
text decoded with the codec the benchmark says the bytes are in.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from transforms.extract import extract_article

DEFAULT_DATA = Path(os.environ.get("PLEDGEWATCH_EXTBENCH", "/work/shared/extbench"))
SYSTEMS = ("ours", "traf-bytes", "traf-str")


def load_module(data_dir: Path) -> ModuleType:
    """The benchmark's own standard-library loader (load.py), imported from its folder."""
    spec = importlib.util.spec_from_file_location("extbench_load", data_dir / "load.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no load.py in {data_dir}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- scoring ----------------------------------------------------------------------------------

def _chars(text: str | None) -> Counter[str]:
    if not text:
        return Counter()
    return Counter(
        c for c in text if not c.isspace() and not unicodedata.category(c).startswith("P")
    )


def char_f1(predicted: str | None, gold: str | None) -> float:
    p, g = _chars(predicted), _chars(gold)
    if not p and not g:
        return 1.0
    overlap = sum((p & g).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def _squash(text: str | None) -> str:
    return "".join((text or "").split())


def segments(text: str | None, with_: Iterable[str], without: Iterable[str]) -> tuple[int, int, int,
                                                                                       int]:
    """(with found, with total, without absent, without total) as trafilatura's eval counts."""
    body = text or ""
    w, wo = list(with_), list(without)
    return (sum(1 for s in w if s in body), len(w), sum(1 for s in wo if s not in body), len(wo))


# -- running the systems ----------------------------------------------------------------------

@dataclass
class Output:
    title: str | None = None
    date: str | None = None
    body: str | None = None
    seconds: float = 0.0


def run_ours(page: dict[str, Any]) -> Output:
    start = time.perf_counter()
    article = extract_article(page["html_bytes"], page["url"] or "")
    elapsed = time.perf_counter() - start
    date = article.published.date().isoformat() if article.published else None
    return Output(article.title, date, article.body, elapsed)


def _trafilatura(content: bytes | str, url: str | None) -> Output:
    import trafilatura

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = trafilatura.bare_extraction(content, url=url, with_metadata=True)
        except Exception:  # a crash counts as an empty extraction
            doc = None
    elapsed = time.perf_counter() - start
    if doc is None:
        return Output(seconds=elapsed)
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return Output(data.get("title"), data.get("date"), data.get("text"), elapsed)


def run_traf_bytes(page: dict[str, Any]) -> Output:
    return _trafilatura(page["html_bytes"], page["url"])


def run_traf_str(page: dict[str, Any]) -> Output:
    return _trafilatura(page["html_bytes"].decode(page["encoding"], errors="replace"), page["url"])


RUNNERS: dict[str, Callable[[dict[str, Any]], Output]] = {
    "ours": run_ours, "traf-bytes": run_traf_bytes, "traf-str": run_traf_str,
}


# -- aggregation ------------------------------------------------------------------------------

@dataclass
class Tally:
    body: list[float] = field(default_factory=list)
    title_exact: list[float] = field(default_factory=list)
    title_f1: list[float] = field(default_factory=list)
    date: list[float] = field(default_factory=list)
    seg: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    seconds: float = 0.0
    pages: int = 0

    def add(self, page: dict[str, Any], out: Output) -> dict[str, Any]:
        row: dict[str, Any] = {}
        self.pages += 1
        self.seconds += out.seconds
        if page["gold_body"] is not None:
            row["body"] = char_f1(out.body, page["gold_body"])
            self.body.append(row["body"])
        if page["gold_title"]:
            exact = float(_squash(out.title) == _squash(page["gold_title"]))
            self.title_exact.append(exact)
            self.title_f1.append(char_f1(out.title, page["gold_title"]))
            row["title"] = exact
        gold_date = page["gold_date"]
        if gold_date and len(gold_date) == 10:
            row["date"] = float((out.date or "")[:10] == gold_date)
            self.date.append(row["date"])
        extra = page.get("extra") or {}
        if page["gold_kind"] == "segments":
            counts = segments(out.body, extra.get("with", []), extra.get("without", []))
            self.seg = [a + b for a, b in zip(self.seg, counts, strict=True)]
        return row


def _mean(values: list[float]) -> str:
    return f"{sum(values) / len(values):.3f}" if values else "  -  "


def _cell(tally: Tally) -> list[str]:
    seg = tally.seg
    seg_text = f"{seg[0]}/{seg[1]} {seg[2]}/{seg[3]}" if seg[1] or seg[3] else "-"
    pps = f"{tally.pages / tally.seconds:.1f}" if tally.seconds else "-"
    return [_mean(tally.body), _mean(tally.title_exact), _mean(tally.title_f1), _mean(tally.date),
            seg_text, pps]


def print_table(groups: dict[str, dict[str, Tally]], systems: list[str], counts: dict[str, int]
                ) -> None:
    headers = ["body F1", "title =", "title F1", "date", "with/without", "pages/s"]
    print()
    for metric_index, metric in enumerate(headers):
        print(f"{metric}")
        print(f"  {'group':28s}" + "".join(f"{s:>12s}" for s in systems))
        for group, by_system in groups.items():
            cells = [_cell(by_system[s])[metric_index] for s in systems]
            if all(c.strip() in ("-", "") for c in cells):
                continue
            label = f"{group} ({counts[group]})"
            print(f"  {label:28s}" + "".join(f"{c:>12s}" for c in cells))
        print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.extbench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="extbench folder")
    parser.add_argument("--datasets", nargs="*", help="only these datasets")
    parser.add_argument("--no-trafilatura", action="store_true", help="run only our extractor")
    parser.add_argument("--pages", action="store_true", help="print one line per page")
    parser.add_argument("--json", type=Path, help="write per-page scores to this file")
    args = parser.parse_args(argv)

    if not (args.data / "load.py").exists():
        print(f"extbench not found at {args.data} (set PLEDGEWATCH_EXTBENCH)", file=sys.stderr)
        return 2
    loader = load_module(args.data)
    systems = ["ours"] if args.no_trafilatura else list(SYSTEMS)
    if not args.no_trafilatura:
        try:
            import trafilatura  # noqa: F401
        except ImportError:
            print("trafilatura is not installed (dev extra); running ours only", file=sys.stderr)
            systems = ["ours"]

    groups: dict[str, dict[str, Tally]] = {}
    counts: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    for page in loader.iter_pages(args.datasets or None):
        zh = (page["lang"] or "").startswith("zh")
        names = [page["dataset"], *(["Chinese"] if zh else []), "all"]
        for name in names:
            counts[name] += 1
            groups.setdefault(name, {s: Tally() for s in systems})
        record: dict[str, Any] = {"id": page["id"]}
        for system in systems:
            out = RUNNERS[system](page)
            row = {}
            for name in names:
                row = groups[name][system].add(page, out)
            record[system] = row
        rows.append(record)
        if args.pages:
            cells = " ".join(
                f"{s}={record[s].get('body', float('nan')):.2f}" for s in systems
            )
            print(f"{page['id'][:60]:60s} {cells}")

    ordered = {k: groups[k] for k in [*sorted(k for k in groups if k not in ("Chinese", "all")),
                                      "Chinese", "all"] if k in groups}
    print_table(ordered, systems, counts)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
