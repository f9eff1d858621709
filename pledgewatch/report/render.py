"""Render the static report: ``index.html``, ``sites.html`` and ``pledges/<id>.html``.

Every page is self-contained (inline CSS, inline SVG, no script, no font or CDN fetch) so it
opens from ``file://`` on a machine with no network. Everything that comes from an article is
untrusted: Jinja2 escapes it (autoescape on for every template), links are only made for
http(s) URLs, and each page's Content-Security-Policy forbids scripts outright, so a hostile
headline shows as text even if escaping were ever bypassed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from pledges.schema import AREAS
from pledges.stages import LABELS_EN, LABELS_ZH
from pledgewatch.report import charts
from pledgewatch.report.queries import (
    STATUSES,
    ReportData,
    WarehouseNotReady,
    read_report_data,
)
from pledgewatch.settings import mask_secret
from warehouse.db import get_engine

STAGE_LABELS: dict[str, tuple[str, str]] = {k: (LABELS_EN[k], LABELS_ZH[k]) for k in LABELS_ZH}
STAGE_COLOURS: dict[str, str] = {
    "no_news": "#b0b7bf", "none": "#d9dee3", "planned": "#9cc3ec", "started": "#5aa9e6",
    "in_progress": "#f2b35b", "completed": "#4caf72",
}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


try:  # Jinja2 comes with Airflow, which the project pins; say so plainly if it is missing.
    import jinja2
except ImportError:  # pragma: no cover - the lock file always installs it
    jinja2 = None  # type: ignore[assignment]


class ReportError(RuntimeError):
    """The report cannot be written (no Jinja2, a warehouse not ready, an unwritable folder)."""


@dataclass(frozen=True)
class ReportResult:
    out_dir: Path
    index: Path
    pages: int
    pledges: int


# --- helpers the templates use ----------------------------------------------------------------
def highlight(text: str | None, words: Iterable[str]) -> list[tuple[str, bool]]:
    """Split ``text`` into (piece, matched) runs; the longest matched word wins at each spot.

    The template escapes each piece and wraps matched ones in ``<mark>``, so no HTML is ever
    built by hand from article text.
    """
    if not text:
        return []
    terms = sorted({w for w in words if w}, key=len, reverse=True)
    runs: list[tuple[str, bool]] = []
    plain: list[str] = []
    i = 0
    while i < len(text):
        hit = next((t for t in terms if text.startswith(t, i)), None)
        if hit is None:
            plain.append(text[i])
            i += 1
            continue
        if plain:
            runs.append(("".join(plain), False))
            plain = []
        runs.append((hit, True))
        i += len(hit)
    if plain:
        runs.append(("".join(plain), False))
    return runs


def safe_href(url: str | None) -> str | None:
    """The URL if it is plain http(s), else None (no ``javascript:`` or ``data:`` links)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def pledge_filename(pledge_id: str) -> str:
    """A file name for a pledge page; registry ids are slugs, anything else is hashed."""
    if _SAFE_NAME.match(pledge_id) and pledge_id not in {".", ".."}:
        return f"{pledge_id}.html"
    return f"p-{hashlib.sha256(pledge_id.encode()).hexdigest()[:16]}.html"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _date(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _utc(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _percent(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value * 100:.{digits}f}%"


def _environment() -> Any:
    if jinja2 is None:
        raise ReportError("the report needs Jinja2 (it comes with apache-airflow); "
                          "run `make venv`")
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pledgewatch.report", "templates"),
        autoescape=True,  # every template, whatever its name: article text is untrusted
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    env.filters.update(number=_number, date=_date, utc=_utc, percent=_percent,
                       href=safe_href, highlight=highlight)
    env.globals.update(STAGE_LABELS=STAGE_LABELS, STAGE_COLOURS=STAGE_COLOURS,
                       STATUSES=STATUSES, pledge_filename=pledge_filename)
    return env


# --- page data --------------------------------------------------------------------------------
def area_order(areas: Iterable[str]) -> list[str]:
    """The seed interview's own order, then any other area alphabetically."""
    present = set(areas)
    return [a for a in AREAS if a in present] + sorted(present - set(AREAS))


def _overview(data: ReportData) -> dict[str, Any]:
    pledges = data.pledges
    areas = area_order(p.area for p in pledges)
    by_area = {a: Counter(p.stage for p in pledges if p.area == a) for a in areas}
    by_stage = Counter(p.stage for p in pledges)
    total = len(pledges)
    completed = by_stage.get("completed", 0)
    area_rows = [{
        "area": a, "counts": by_area[a], "total": sum(by_area[a].values()),
        "completed_share": by_area[a].get("completed", 0) / max(sum(by_area[a].values()), 1),
    } for a in areas]
    months = charts.fill_months(data.mentions_by_month)
    return {
        "figures": {
            "pledges": total,
            "with_news": sum(1 for p in pledges if p.stories > 0),
            "completed": completed,
            "completed_share": completed / total if total else 0.0,
            "overdue": sum(1 for p in pledges if p.overdue),
            "stories": data.linked_stories,
            "articles": sum(s.articles for s in data.site_health),
            "sites": len(data.site_health),
        },
        "by_stage": [(s, by_stage.get(s, 0)) for s in STATUSES],
        "area_rows": area_rows,
        "area_chart": charts.stacked_rows([(a, by_area[a]) for a in areas], STATUSES),
        "month_chart": charts.bar_chart(months, title="mentions per month",
                                        fill="#3f7cc4"),
        "mention_total": sum(n for _, n in months),
        "pledge_rows": sorted(pledges, key=lambda p: (areas.index(p.area), p.id)),
    }


def _sites(data: ReportData) -> dict[str, Any]:
    weeks, series = charts.weekly_series(data.articles_weekly, data.week_style)
    site_names = sorted({h.site for h in data.site_health} | set(series))
    per_site = []
    for site in site_names:
        values = series.get(site, [0] * len(weeks))
        per_site.append({"site": site, "total": sum(values), "chart": charts.bar_chart(
            list(zip(weeks, values, strict=True)), title=f"{site}: articles per week",
            height=120, show_values=False, fill="#3f7cc4")})
    totals = [sum(series[s][i] for s in series) for i in range(len(weeks))]
    return {
        "health": data.site_health,
        "weeks": weeks,
        "week_style": ("ISO weeks" if data.week_style == "postgresql"
                       else "weeks starting on Monday (SQLite %W)"),
        "all_chart": charts.bar_chart(list(zip(weeks, totals, strict=True)),
                                      title="all sites: articles per week", height=200,
                                      show_values=False, fill="#3f7cc4"),
        "per_site": per_site,
    }


# --- writing ----------------------------------------------------------------------------------
def _write(path: Path, content: str) -> None:
    """Write atomically, so a browser reloading mid-run never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_report(data: ReportData, out_dir: Path, dialect: str = "") -> ReportResult:
    env = _environment()
    out_dir = Path(out_dir)
    common = {"generated_at": data.generated_at, "dialect": dialect or data.week_style}
    pages = 0
    _write(out_dir / "index.html", env.get_template("index.html").render(
        root="", page="index", **common, **_overview(data)))
    _write(out_dir / "sites.html", env.get_template("sites.html").render(
        root="", page="sites", **common, **_sites(data)))
    pages += 2
    pledge_dir = out_dir / "pledges"
    written: set[str] = set()
    template = env.get_template("pledge.html")
    for status in data.pledges:
        detail = data.details.get(status.id)
        name = pledge_filename(status.id)
        _write(pledge_dir / name, template.render(
            root="../", page="pledge", p=status, d=detail, **common))
        written.add(name)
        pages += 1
    # A pledge dropped from the registry must not keep a stale page.
    if pledge_dir.is_dir():
        for old in pledge_dir.glob("*.html"):
            if old.name not in written:
                old.unlink()
    return ReportResult(out_dir=out_dir, index=out_dir / "index.html", pages=pages,
                        pledges=len(data.pledges))


def build_report(warehouse_url: str, out_dir: Path | str,
                 now: dt.datetime | None = None) -> ReportResult:
    """Read the warehouse and write the whole report under ``out_dir``."""
    parsed = make_url(warehouse_url)
    # Opening a missing SQLite file would quietly create an empty warehouse.
    if (parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
            and not Path(parsed.database).exists()):
        raise ReportError(f"no warehouse at {parsed.database}; run `pledgewatch db upgrade` "
                          "and a crawl (or `pledgewatch demo`) first")
    engine = get_engine(warehouse_url)
    try:
        with engine.connect() as conn:
            data = read_report_data(conn)
    except WarehouseNotReady as exc:
        raise ReportError(str(exc)) from None
    except DBAPIError as exc:
        raise ReportError(f"cannot read the warehouse {mask_secret(warehouse_url)}: "
                          f"{exc.orig or exc}".strip()) from None
    if now is not None:
        data.generated_at = now
    try:
        return render_report(data, Path(out_dir), engine.dialect.name)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out_dir}: {exc}") from None

