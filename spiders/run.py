"""The crawl API for the CLI and the DAG: ``crawl(sites, since, until) -> CrawlReport``.

Each call runs Scrapy in a child process (``spiders.run_child``), so ``crawl`` can be called
any number of times from one Python process (an Airflow worker, a test session) although
Twisted's reactor cannot restart. The parent opens the crawl run in the warehouse, waits for
the child, records each site's statistics and closes the run: "ok" when every site is ok,
"partial" when some failed or degraded, "failed" when none succeeded or the child died.
The child dies with its parent (``spiders.lifeline``): a killed parent leaves no crawl behind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from spiders.sites import SiteDeclarationError, load_sites

REPO = Path(__file__).resolve().parents[1]
COLUMNS = ("requests", "new_pages", "errors", "bytes", "seconds", "status")


@dataclass
class SiteReport:
    site: str
    status: str  # ok | degraded | failed
    requests: int = 0
    new_pages: int = 0
    errors: int = 0
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    seconds: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)  # paths, pages, articles, warnings

    @property
    def warnings(self) -> list[str]:
        return list(self.detail.get("warnings", []))

    @property
    def extraction_paths(self) -> dict[str, int]:
        return dict(self.detail.get("paths", {}).get("extract", {}))

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> SiteReport:
        known = {"site", "status", "requests", "new_pages", "errors", "errors_by_kind", "bytes",
                 "seconds"}
        return cls(**{k: v for k, v in data.items() if k in known},
                   detail={k: v for k, v in data.items() if k not in known})

    def stats(self) -> dict[str, Any]:
        """The mapping ``record_site_stats`` stores (columns + detail)."""
        return {"requests": self.requests, "new_pages": self.new_pages, "errors": self.errors,
                "bytes": self.bytes, "seconds": self.seconds, "status": self.status,
                "errors_by_kind": self.errors_by_kind, **self.detail}


@dataclass
class CrawlReport:
    run_id: int | None
    status: str  # ok | partial | failed
    since: dt.date | None
    until: dt.date | None
    seconds: float
    sites: dict[str, SiteReport]
    log_tail: str = ""

    @property
    def new_pages(self) -> int:
        return sum(s.new_pages for s in self.sites.values())

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["since"] = self.since.isoformat() if self.since else None
        out["until"] = self.until.isoformat() if self.until else None
        return out

    def summary(self) -> str:
        """A small table for the command line."""
        lines = [f"crawl run {self.run_id}: {self.status} in {self.seconds:.1f}s, "
                 f"{self.new_pages} new page(s)",
                 f"{'site':<12} {'status':<9} {'requests':>8} {'new':>5} {'errors':>6} "
                 f"{'bytes':>10} {'secs':>6}"]
        for s in self.sites.values():
            lines.append(f"{s.site:<12} {s.status:<9} {s.requests:>8} {s.new_pages:>5} "
                         f"{s.errors:>6} {s.bytes:>10} {s.seconds:>6.1f}")
            lines.extend(f"  ! {w}" for w in s.warnings)
        return "\n".join(lines)


def _overall(reports: dict[str, SiteReport], child_ok: bool) -> str:
    statuses = [r.status for r in reports.values()]
    if not statuses or all(s == "failed" for s in statuses):
        return "failed"
    if not child_ok or any(s != "ok" for s in statuses):
        return "partial"
    return "ok"


def crawl(
    sites: list[str] | None,
    since: dt.date | None,
    until: dt.date | None,
    db_url: str | None = None,
    settings_overrides: dict[str, Any] | None = None,
    *,
    timeout: float | None = None,
    log_path: Path | str | None = None,
    sites_dir: Path | str | None = None,
    search_aliases: list[list[str]] | None = None,
) -> CrawlReport:
    """Crawl ``sites`` (all declared sites when None) into the warehouse at ``db_url``.

    ``settings_overrides`` are Scrapy settings (JSON values) applied to every site after its
    declaration. ``timeout`` bounds the whole child process; ``log_path`` keeps Scrapy's log
    (otherwise it goes to a temporary file and its tail into the report on failure).
    ``search_aliases`` replaces the registry's aliases for site-search queries (tests).
    """
    from warehouse.db import default_url, session_scope
    from warehouse.raw import finish_crawl_run, record_site_stats, start_crawl_run

    declared = load_sites(sites_dir)
    names = list(sites) if sites else sorted(declared)
    unknown = [n for n in names if n not in declared]
    if unknown:
        raise SiteDeclarationError(f"unknown site(s) {', '.join(unknown)}; declared: "
                                   f"{', '.join(sorted(declared))}")
    url = db_url or default_url()
    with session_scope(url) as session:
        run_id = start_crawl_run(session, names, since, until)
    started = time.monotonic()
    reports: dict[str, SiteReport] = {}
    child_ok = False
    tail = ""
    with tempfile.TemporaryDirectory(prefix="pledgewatch-crawl-") as tmp:
        out = Path(tmp)
        spec = {"sites": names, "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None, "db_url": url, "run_id": run_id,
                "overrides": settings_overrides or {}, "out_dir": str(out),
                "sites_dir": str(sites_dir) if sites_dir else None,
                "search_aliases": search_aliases, "parent_pid": os.getpid()}
        spec_path = out / "spec.json"
        spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        log_file = Path(log_path) if log_path else out / "crawl.log"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        try:
            with log_file.open("ab") as log:
                done = subprocess.run(
                    [sys.executable, "-m", "spiders.run_child", str(spec_path)],
                    cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout,
                    check=False)
            child_ok = done.returncode == 0
        except subprocess.TimeoutExpired:
            child_ok = False
        if not child_ok:
            tail = _tail(log_file)
        for name in names:
            path = out / f"{name}.json"
            if path.is_file():
                reports[name] = SiteReport.from_mapping(json.loads(path.read_text("utf-8")))
            else:
                reports[name] = SiteReport(
                    site=name, status="failed", errors=1, errors_by_kind={"crawl": 1},
                    detail={"warnings": ["the crawl process ended before this site reported"]})
    status = _overall(reports, child_ok)
    with session_scope(url) as session:
        for name, report in reports.items():
            record_site_stats(session, run_id, name, report.stats())
        finish_crawl_run(session, run_id, status)
    return CrawlReport(run_id, status, since, until, round(time.monotonic() - started, 3),
                       reports, tail)


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")
