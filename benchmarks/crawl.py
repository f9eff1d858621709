"""``python -m benchmarks.crawl``: crawl the replay with politeness off; pages/s and peak RSS.

Every declared site is crawled from the recorded copy (``tests/data/sites``) over loopback
HTTP, into a fresh temporary SQLite warehouse per round, with delays and AutoThrottle off and
the registry's search queries on. Figures are printed, never asserted. The crawl runs in a child
process (as in production), so its peak RSS is the children's, read from ``getrusage``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from pledgewatch.replay import ReplayServer
from spiders.run import crawl
from warehouse.db import dispose_engines
from warehouse.migrate import upgrade

FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "RANDOMIZE_DOWNLOAD_DELAY": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "LOG_LEVEL": "WARNING",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.crawl")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sites", nargs="*", default=None)
    args = parser.parse_args(argv)
    totals: list[tuple[int, float, float]] = []
    with ReplayServer() as replay, tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        os.environ.update(replay.proxy_env())
        for n in range(1, args.rounds + 1):
            db_url = f"sqlite:///{Path(tmp) / f'round{n}.sqlite'}"
            upgrade(db_url)
            started = time.perf_counter()
            report = crawl(args.sites, None, None, db_url, FAST, timeout=600)
            wall = time.perf_counter() - started
            pages = sum(int(s.detail.get("responses", 0)) for s in report.sites.values())
            in_crawl = max((s.seconds for s in report.sites.values()), default=0.0)
            totals.append((pages, wall, in_crawl))
            print(f"round {n}: {report.status}, {pages} responses, {report.new_pages} new pages, "
                  f"{wall:.2f}s wall ({pages / wall:.1f} pages/s), "
                  f"{in_crawl:.2f}s in the crawl ({pages / max(in_crawl, 1e-9):.1f} pages/s)")
            dispose_engines()
    pages = sum(p for p, _, _ in totals)
    wall = sum(w for _, w, _ in totals)
    in_crawl = sum(c for _, _, c in totals)
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"pages/second: {pages / wall:.1f} end to end (child start-up included), "
          f"{pages / max(in_crawl, 1e-9):.1f} while crawling")
    print(f"peak RSS: crawl process {child_kib / 1024:.0f} MiB, "
          f"this process (replay server) {self_kib / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
