"""Soak on PostgreSQL: tens of thousands of pages processed, peak RSS at two sizes; nightly runs.

Pages are the development set rendered into 临汾新闻网's recorded template with variations
(`benchmarks.linker.make_pages`), stored as ``raw_page`` rows of a scratch database that is
created on the server and dropped afterwards. Each page also gets a paragraph of its own, so
that it is a distinct story (as most of a real crawl is) rather than a copy of one of the 172
originals; one in ten instead republishes a recent page under another URL, a syndicated copy
the dedupe step must catch.

Processing runs in a fresh child process per measurement (as a DAG task does), so its peak RSS
is its own: if it grows with the page count, something holds every page in memory.

    python -m benchmarks.soak [--articles 5000 50000] [--pg URL]
    python -m benchmarks.soak --dag-runs 10 [--articles 5000]     # incremental nightly runs

``--articles`` takes one or more sizes (default 5,000 and 50,000). With ``--dag-runs R`` the
first size is cut into R nights: each night's pages are inserted, dated that day (what a night's
crawl would have stored), then the real Airflow DAG runs for that night with ``dag.test()``: its
crawl tasks crawl the recorded sites through the replay on loopback, its process task processes
the night's pages among everything stored before. The process task's time should stay flat as
the warehouse grows; the whole run's time adds Airflow's own overhead and the five crawls.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.linker import make_pages
from warehouse.db import dispose_engines, session_scope
from warehouse.migrate import upgrade
from warehouse.models import RawPage
from warehouse.upsert import upsert

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REPO = Path(__file__).resolve().parents[1]
CHUNK = 500
COPY_SHARE = 0.1  # pages that republish a recent page under another URL
# Characters for the paragraph that makes a page its own story (no place or pledge names).
_FILLER = "的一是在了不和有大这主中人上为们地个用工时要动国产以我到他会作来分生对于学下级就年" \
          "阶义发成部民可出能方进同行面说种过命度革而多子后自社加小机也经力线本电高量长党得实" \
          "家定深法表着水理化争现所二起政三好十战无农使性前等反体合斗路图把结第里正新开论之物"
_PAGE_DATE = re.compile(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_BODY_OPEN = '<div class="col-md-12 nry jcontent">'.encode("gb18030")


# -- the scratch database ------------------------------------------------------------------


class Scratch:
    """A database created on the server for one measurement, dropped afterwards."""

    def __init__(self, admin_url: str) -> None:
        # pre-ping: the scratch database must be dropped even if the server restarted meanwhile
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        self.name = f"pledgewatch_soak_{uuid.uuid4().hex[:10]}"
        self.url = make_url(admin_url).set(database=self.name).render_as_string(
            hide_password=False)

    def __enter__(self) -> Scratch:
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        upgrade(self.url)
        return self

    def __exit__(self, *exc: object) -> None:
        dispose_engines()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


# -- pages ---------------------------------------------------------------------------------


def soak_pages(count: int, start: int = 0, day: dt.date | None = None,
               seed: int = 7) -> Iterator[tuple[str, bytes, dt.date]]:
    """(url, gb18030 bytes, publication day) of ``count`` pages numbered from ``start``.

    ``make_pages`` in chunks (its pages are independent), renumbered, each with a paragraph of
    its own; a share of them are instead a recent page republished under another URL (a
    syndicated copy). ``day`` dates them all that day (nightly runs), else make_pages' days.
    """
    rng = random.Random(seed * 1_000_003 + start)
    recent: list[bytes] = []
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        for offset, (_, page) in enumerate(make_pages(size, seed=seed + start + done)):
            number = start + done + offset
            if recent and rng.random() < COPY_SHARE:
                page = rng.choice(recent)
            else:
                own = "".join(rng.choice(_FILLER) for _ in range(rng.randint(400, 700)))
                page = page.replace(_BODY_OPEN, _BODY_OPEN + f"<p>{own}。</p>".encode(
                    "gb18030"), 1)
                if day is not None:
                    stamp = f"{day:%Y-%m-%d} {rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}:00"
                    page = _PAGE_DATE.sub(stamp.encode(), page, count=1)
                recent = [*recent[-199:], page]
            found = _PAGE_DATE.search(page)
            published = dt.date.fromisoformat(found.group().decode()[:10]) if found else day
            yield (f"http://www.lfxww.com/puxian/{3_000_000 + number}.html", page,
                   published or dt.date(2022, 1, 1))
        done += size


def store_pages(url: str, count: int, start: int = 0, day: dt.date | None = None) -> float:
    """Insert the pages as a crawl would have stored them; returns seconds taken."""
    started = time.perf_counter()
    fetched = dt.datetime.combine(day or dt.date(2023, 1, 5), dt.time(2, 0), tzinfo=dt.UTC)
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        with session_scope(url) as session:
            upsert(session, RawPage.__table__, batch, conflict=("url", "content_hash"))
        batch.clear()

    for page_url, body, _ in soak_pages(count, start, day):
        batch.append({"url": page_url, "final_url": page_url, "site": "lfxww", "kind": "article",
                      "status": 200, "headers": {"Content-Type": "text/html; charset=gb2312"},
                      "body": body, "content_hash": hashlib.sha256(body).hexdigest(),
                      "fetched_at": fetched, "error": None, "crawl_run_id": None})
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    return time.perf_counter() - started


# -- the measured child ----------------------------------------------------------------------


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class _Sampler(threading.Thread):
    """Current RSS every quarter second, for the shape of the curve (ru_maxrss gives the peak)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()
        self.started_at = time.monotonic()

    def run(self) -> None:
        while not self.stop.wait(0.25):
            self.samples.append((time.monotonic() - self.started_at, _rss_mib()))


def child(args: argparse.Namespace) -> int:
    """Run one measurement in this fresh process and print its figures as JSON."""
    from pledgewatch.pipeline.process import process_pages
    from pledgewatch.settings import load_settings

    settings = load_settings({"PLEDGEWATCH_DB_URL": args.child,
                              "PLEDGEWATCH_DATA_DIR": args.data_dir})
    baseline = _rss_mib()
    sampler = _Sampler()
    sampler.start()
    started = time.perf_counter()
    report = process_pages(settings)
    seconds = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    curve = [rss for _, rss in sampler.samples]
    quarters = [round(curve[min(len(curve) - 1, int(len(curve) * q))]) for q in
                (0.25, 0.5, 0.75, 1.0)] if curve else []
    print(json.dumps({
        "seconds": seconds, "pages": report.pages, "new_articles": report.new_articles,
        "duplicates": report.duplicates, "mentions": report.new_mentions,
        "alerts": report.alerts_queued, "errors": len(report.errors),
        "first_error": report.errors[0] if report.errors else None,
        "baseline_mib": round(baseline), "rss_quarters_mib": quarters,
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))
    return 0


def measure(url: str, data_dir: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.soak", "--child", url, "--data-dir", data_dir]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"measurement failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the two modes ---------------------------------------------------------------------------


def soak(admin_url: str, sizes: list[int]) -> None:
    results = []
    for size in sizes:
        with Scratch(admin_url) as scratch, tempfile.TemporaryDirectory() as data:
            stored = store_pages(scratch.url, size)
            print(f"{size:>7,} pages stored in {stored:.0f}s; processing...", flush=True)
            figures = measure(scratch.url, data)
            results.append((size, figures))
            rate = figures["pages"] / figures["seconds"]
            print(f"{size:>7,} pages: {figures['seconds']:.0f}s, {rate:.1f} pages/s; "
                  f"{figures['new_articles']:,} articles ({figures['duplicates']:,} copies), "
                  f"{figures['mentions']:,} mentions, {figures['alerts']:,} alerts queued, "
                  f"{figures['errors']} errors; RSS {figures['baseline_mib']} MiB at start, "
                  f"{figures['rss_quarters_mib']} MiB at each quarter, peak "
                  f"{figures['peak_mib']} MiB", flush=True)
            if figures["first_error"]:
                print(f"         first error: {figures['first_error']}")
    if len(results) > 1:
        (small, a), (large, b) = results[0], results[-1]
        growth = b["peak_mib"] - a["peak_mib"]
        print(f"peak RSS {a['peak_mib']} MiB at {small:,} pages, {b['peak_mib']} MiB at "
              f"{large:,} ({growth:+d} MiB for {large / small:.1f}x the pages: "
              f"{'bounded' if growth < 0.25 * a['peak_mib'] else 'GROWS with the page count'}); "
              f"throughput {a['pages'] / a['seconds']:.1f} -> {b['pages'] / b['seconds']:.1f} "
              f"pages/s")


def dag_runs(admin_url: str, total: int, runs: int) -> None:
    from pledgewatch.replay import ReplayServer
    from tests.dags.conftest import AIRFLOW, airflow_env

    per_night = total // runs
    first = dt.date(2022, 6, 1)
    with Scratch(admin_url) as scratch, tempfile.TemporaryDirectory() as data, \
            tempfile.TemporaryDirectory() as home, ReplayServer() as replay:
        env = airflow_env(Path(home))
        subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, check=True,
                       capture_output=True, timeout=600)
        env.update({"PLEDGEWATCH_DB_URL": scratch.url, "PLEDGEWATCH_DATA_DIR": data,
                    "PLEDGEWATCH_DOWNLOAD_DELAY": "0", **replay.proxy_env()})
        processing, wall = [], []
        for night in range(runs):
            day = first + dt.timedelta(days=night)
            store_pages(scratch.url, per_night, start=night * per_night, day=day)
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "tests.dags.dag_test_run",
                                   f"{day.isoformat()}T02:00:00+08:00"], env=env, cwd=REPO,
                                  capture_output=True, text=True, timeout=3600, check=False)
            seconds = time.perf_counter() - started
            lines = [x for x in done.stdout.splitlines() if x.startswith("DAG_RESULT ")]
            if done.returncode != 0 or not lines:
                raise RuntimeError(f"DAG run failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
            result = json.loads(lines[-1].removeprefix("DAG_RESULT "))
            took = result["seconds"]
            crawl = max((v or 0.0) for k, v in took.items() if k.startswith("crawl_site["))
            processing.append(took.get("process") or 0.0)
            wall.append(seconds)
            with session_scope(scratch.url) as session:
                articles = session.scalar(text("SELECT count(*) FROM article"))
                mentions = session.scalar(text("SELECT count(*) FROM fct_mention"))
            print(f"run {night + 1:>2} ({day}): {result['state'].split('.')[-1]}, "
                  f"{seconds:.0f}s in all; process {processing[-1]:.1f}s for {per_night:,} new "
                  f"pages ({per_night / max(processing[-1], 1e-9):.1f} pages/s), slowest crawl "
                  f"{crawl:.1f}s, deliver {took.get('deliver') or 0.0:.1f}s; warehouse now "
                  f"{articles:,} articles, {mentions:,} mentions", flush=True)
        print(f"process task: first run {processing[0]:.1f}s, last {processing[-1]:.1f}s "
              f"({processing[-1] / processing[0]:.2f}x with {runs}x the data stored); whole "
              f"runs {min(wall):.0f}-{max(wall):.0f}s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--pg", default=os.environ.get("PLEDGEWATCH_TEST_PG_URL") or DEFAULT_PG,
                        help="an admin URL that may create databases (default: %(default)s)")
    parser.add_argument("--dag-runs", type=int, default=0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    if make_url(args.pg).get_backend_name() != "postgresql":
        parser.error("--pg must be a PostgreSQL URL")
    if args.dag_runs:
        dag_runs(args.pg, args.articles[0], args.dag_runs)
    else:
        soak(args.pg, args.articles)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
