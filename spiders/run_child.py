"""``python -m spiders.run_child SPEC.json``: run the site crawls of one ``crawl()`` call.

Scrapy runs on Twisted, whose reactor cannot be restarted in a process, so every crawl gets a
fresh child process. All requested sites run side by side in one ``CrawlerProcess`` (one
crawler each, with that site's settings); a site that fails to start or crashes writes a
"failed" report and the others go on. Each site's report is written as ``<out>/<site>.json``
when its spider closes. The child dies with the parent that started it (``spiders.lifeline``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import traceback
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from spiders.lifeline import die_with_parent
from spiders.settings import for_site
from spiders.sites import load_sites
from spiders.spider import spider_for

log = logging.getLogger("spiders.run_child")

# Settings that belong to the process rather than to one crawler.
PROCESS_SETTINGS = {
    "LOG_LEVEL": "INFO",
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None,
                   "scrapy.extensions.remote_control.RemoteControl": None},
}


def failed_report(site: str, error: str) -> dict[str, Any]:
    return {"site": site, "status": "failed", "requests": 0, "responses": 0, "new_pages": 0,
            "errors": 1, "errors_by_kind": {"crawl": 1}, "bytes": 0, "seconds": 0.0,
            "warnings": [f"crawl failed: {error}"], "finish_reason": "failed"}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def run(spec: dict[str, Any]) -> int:
    out = Path(spec["out_dir"])
    overrides = dict(spec.get("overrides") or {})
    process_settings = dict(PROCESS_SETTINGS)
    for key in ("LOG_LEVEL", "LOG_FILE", "TWISTED_REACTOR"):
        if key in overrides:
            process_settings[key] = overrides[key]
    process = CrawlerProcess(process_settings)
    declared = load_sites(spec.get("sites_dir"))
    for name in spec["sites"]:
        report_path = out / f"{name}.json"
        try:
            site = declared[name]
            cls = spider_for(site, for_site(site, overrides))
            deferred = process.crawl(
                cls, since=_date(spec.get("since")), until=_date(spec.get("until")),
                db_url=spec.get("db_url"), run_id=spec.get("run_id"),
                report_path=str(report_path), search_aliases=spec.get("search_aliases"))
        except Exception as exc:  # one bad site must not stop the others
            log.exception("site %s could not be started", name)
            report_path.write_text(json.dumps(failed_report(name, repr(exc))), encoding="utf-8")
            continue

        def crashed(failure: Any, name: str = name, path: Path = report_path) -> None:
            log.error("site %s crashed: %s", name, failure.getTraceback())
            if not path.exists():
                path.write_text(json.dumps(failed_report(name, failure.getErrorMessage())),
                                encoding="utf-8")

        deferred.addErrback(crashed)
    process.start()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m spiders.run_child SPEC.json", file=sys.stderr)
        return 2
    try:
        spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
        # Before anything slow: a crawl outliving its parent would race the parent's re-run.
        die_with_parent(spec.get("parent_pid"))
        return run(spec)
    except Exception:
        traceback.print_exc()
        return 1


if __name__ == "__main__":
    sys.exit(main())
