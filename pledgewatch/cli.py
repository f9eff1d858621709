"""The ``pledgewatch`` command: the one entry point for people and for the DAG."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from pledges import RegistryError
from pledgewatch.settings import Settings, SettingsError, load_settings


class PledgewatchError(click.ClickException):
    """Shown as one line on stderr with a non-zero exit."""

    def __init__(self, message: str) -> None:
        # One line whatever the cause says (YAML and driver errors span several).
        super().__init__(" ".join(str(message).split()))


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise PledgewatchError(str(exc)) from None


def _checked_settings() -> Settings:
    """Settings and the pledge registry, both checked before anything is written."""
    settings = _settings()
    _registry(None)
    return settings


class _Commands(click.Group):
    """Every command: a warehouse that cannot be reached (down, restarting, refusing) is one
    line naming it, not a traceback; the task's scheduler retries it."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import OperationalError

        try:
            return super().invoke(ctx)
        except OperationalError as exc:
            raise PledgewatchError(_database_error(exc)) from None
        except RegistryError as exc:
            raise PledgewatchError(str(exc)) from None
        except OSError as exc:
            if exc.filename is None:  # not the file system: a real fault, keep its traceback
                raise
            raise PledgewatchError(f"{exc.filename}: {exc.strerror}") from None


def _database_error(exc: Exception) -> str:
    from pledgewatch.settings import mask_secret

    try:
        where = mask_secret(load_settings().warehouse_url)
    except SettingsError:
        where = "(unreadable settings)"
    cause = str(getattr(exc, "orig", None) or exc).strip()
    return f"the warehouse at {where} failed: {' '.join(cause.split())}"


@click.group(cls=_Commands)
@click.version_option(package_name="pledgewatch")
def main() -> None:
    """Track Pu County's 2022 pledges against what the Linfen press reports."""


# --- db -------------------------------------------------------------------------------------
@main.group()
def db() -> None:
    """Create and migrate the warehouse."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Migrate the warehouse (SQLite by default, PLEDGEWATCH_DB_URL otherwise)."""
    from warehouse.migrate import current_revision, upgrade

    settings = _settings()
    upgrade(settings.warehouse_url, revision)
    click.echo(f"warehouse at revision {current_revision(settings.warehouse_url)}")


@db.command("downgrade")
@click.option("--revision", default="base", show_default=True)
def db_downgrade(revision: str) -> None:
    """Step the warehouse back (``base`` drops every table)."""
    from warehouse.migrate import current_revision, downgrade

    settings = _settings()
    downgrade(settings.warehouse_url, revision)
    click.echo(f"warehouse at revision {current_revision(settings.warehouse_url)}")


@db.command("grant-analyst")
@click.option("--role", default="pledgewatch_analyst", show_default=True)
@click.option("--login/--no-login", default=False, help="Let the role log in directly.")
def db_grant_analyst(role: str, login: bool) -> None:
    """Create a PostgreSQL role that can read the analyst views and nothing else."""
    from warehouse.db import get_engine
    from warehouse.roles import grant_analyst_role

    settings = _settings()
    try:
        with get_engine(settings.warehouse_url).begin() as conn:
            grant_analyst_role(conn, role, login=login)
    except (RuntimeError, ValueError) as exc:
        raise PledgewatchError(str(exc)) from None
    click.echo(f"role {role} can read the analyst views")


# --- pledges ----------------------------------------------------------------------------------
@main.group()
def pledges() -> None:
    """The pledge registry."""


def _registry(path: str | None) -> Any:
    from pledges import load_registry

    try:
        return load_registry(path or _settings().registry_path or None)
    except RegistryError as exc:
        raise PledgewatchError(str(exc)) from None


@pledges.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per pledge per line.")
@click.option("--registry", type=click.Path(dir_okay=False), default=None)
def pledges_list(as_json: bool, registry: str | None) -> None:
    """List every pledge."""
    reg = _registry(registry)
    for p in reg.pledges:
        if as_json:
            record = {
                "id": p.id, "category": p.area, "kind": p.kind.value, "title": p.title,
                "aliases": list(p.aliases),
                "target": p.target.model_dump() if p.target else None,
                "deadline": p.deadline.isoformat() if p.deadline else None,
            }
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            target = f"{p.target.value:g} {p.target.unit}" if p.target else "-"
            deadline = p.deadline.isoformat() if p.deadline else "-"
            click.echo(f"{p.id:40} {p.area}  {p.kind.value:8} {target:>12}  {deadline}  {p.title}")


@pledges.command("check")
@click.option("--registry", type=click.Path(dir_okay=False), default=None)
def pledges_check(registry: str | None) -> None:
    """Validate the registry; exits non-zero naming the bad entry and field."""
    reg = _registry(registry)
    areas: dict[str, int] = {}
    for p in reg.pledges:
        areas[p.area] = areas.get(p.area, 0) + 1
    summary = ", ".join(f"{a} {n}" for a, n in areas.items())
    click.echo(f"registry ok: {len(reg.pledges)} pledges ({summary})")


@pledges.command("load")
def pledges_load() -> None:
    """Load the registry into the warehouse's dim_pledge."""
    from pledgewatch.pipeline.pledges import sync_pledges

    settings = _settings()
    try:
        changed = sync_pledges(settings)
    except RegistryError as exc:
        raise PledgewatchError(str(exc)) from None
    click.echo(f"dim_pledge: {changed} pledges new or changed")


# --- transforms -------------------------------------------------------------------------------
def _linker() -> Any:
    from pledges.places import load_gazetteer
    from transforms.link import Linker

    return Linker(_registry(None), load_gazetteer())


@main.command("link")
@click.option("--in", "in_path", type=click.Path(exists=True, dir_okay=False, allow_dash=True),
              required=True, help="Articles, one JSON object per line (id, url, title, "
              "published, body).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, allow_dash=True),
              required=True)
def link(in_path: str, out_path: str) -> None:
    """Link a batch of articles to pledges, without a database (stable interface)."""
    from transforms.batch import link_stream

    linker = _linker()
    # A file is written whole or not at all: lines go to a temporary file beside it, renamed
    # over it only when every input line has linked (stdout streams as it goes).
    target = None if out_path == "-" else Path(out_path)
    partial = None if target is None else target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with click.open_file(in_path, encoding="utf-8") as src, \
                click.open_file(str(partial or out_path), "w", encoding="utf-8") as dst:
            count = link_stream(linker, src, dst)
        if partial is not None and target is not None:
            partial.replace(target)
    except UnicodeDecodeError as exc:
        raise PledgewatchError(f"{in_path}: not UTF-8 text ({exc.reason})") from None
    except ValueError as exc:
        raise PledgewatchError(str(exc)) from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    click.echo(f"linked {count} articles", err=True)


@main.command("eval")
@click.option("--set", "set_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Labelled articles (default: tests/data/devset/articles.jsonl).")
@click.option("--errors", is_flag=True,
              help="List every wrong link (held-out splits excepted).")
@click.option("--confusion", is_flag=True,
              help="Stage confusion (gold x predicted) per split, in aggregate.")
def evaluate_cmd(set_path: str | None, errors: bool, confusion: bool) -> None:
    """Precision, recall and F1 of links and stage accuracy on the labelled set."""
    from transforms.evaluate import confusion_table, evaluate, read_jsonl, split_order

    path = Path(set_path) if set_path else Path.cwd() / "tests/data/devset/articles.jsonl"
    if not path.exists():
        raise PledgewatchError(f"{path}: no labelled set here; pass --set")
    results = evaluate(_linker(), read_jsonl(path))
    for name in split_order(results):
        click.echo(results[name].line(name))
    if confusion:
        for name in split_order(results):
            click.echo(f"\n{name}\n{confusion_table(results[name])}")
    if errors:
        for name in split_order(results):
            if name != "all" and not name.startswith("holdout"):
                for error in results[name].errors:
                    click.echo(json.dumps(error, ensure_ascii=False))


# --- pipeline ---------------------------------------------------------------------------------
def _window(since: dt.datetime | None, until: dt.datetime | None
            ) -> tuple[dt.date | None, dt.date | None]:
    start = since.date() if since else None
    end = until.date() if until else None
    if start and end and end < start:
        raise PledgewatchError(f"--until {end} is before --since {start}")
    return start, end


def _known_sites(names: tuple[str, ...]) -> list[str] | None:
    if not names:
        return None
    from spiders.sites import load_sites

    known = load_sites()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise PledgewatchError(f"unknown site {', '.join(unknown)}; known: {', '.join(known)}")
    return list(names)


_DATE = click.DateTime(formats=["%Y-%m-%d"])


@main.command("crawl")
@click.option("--site", "sites", multiple=True, help="Crawl only this site (repeatable).")
@click.option("--since", type=_DATE, default=None, help="Oldest publication date wanted.")
@click.option("--until", type=_DATE, default=None, help="Newest publication date wanted.")
def crawl(sites: tuple[str, ...], since: dt.datetime | None, until: dt.datetime | None) -> None:
    """Crawl the news sites into the raw layer (one site failing does not stop the others)."""
    from pledgewatch.pipeline.run import crawl_lines, crawl_sites
    from warehouse.migrate import upgrade

    settings = _settings()
    start, end = _window(since, until)
    names = _known_sites(sites)
    upgrade(settings.warehouse_url)
    report = crawl_sites(settings, names, start, end)
    for line in crawl_lines(report):
        click.echo(line)


@main.command("process")
@click.option("--reprocess", is_flag=True, help="Re-extract and re-link every stored page.")
def process(reprocess: bool) -> None:
    """Extract, dedupe, link and load the raw pages not processed yet."""
    from pledgewatch.pipeline.process import process_pages
    from pledgewatch.pipeline.run import process_lines
    from warehouse.migrate import upgrade

    settings = _checked_settings()
    upgrade(settings.warehouse_url)
    for line in process_lines(process_pages(settings, reprocess=reprocess)):
        click.echo(line)


@main.command("deliver")
def deliver() -> None:
    """Send the alerts still pending (the file outbox and every configured channel)."""
    from alerts.deliver import deliver_pending

    report = deliver_pending(_settings())
    click.echo(report.line())
    for error in report.errors:
        click.echo(f"  error: {error}")


@main.command("run")
@click.option("--site", "sites", multiple=True, help="Crawl only this site (repeatable).")
@click.option("--since", type=_DATE, default=None)
@click.option("--until", type=_DATE, default=None)
@click.option("--reprocess", is_flag=True,
              help="Re-extract and re-link from the raw layer without fetching.")
def run_cmd(sites: tuple[str, ...], since: dt.datetime | None, until: dt.datetime | None,
            reprocess: bool) -> None:
    """A whole nightly run: crawl, extract, dedupe, link, load, alert; safe to re-run."""
    from pledgewatch.pipeline.run import run_pipeline

    start, end = _window(since, until)
    settings = _checked_settings()
    report = run_pipeline(settings, _known_sites(sites), start, end, reprocess=reprocess)
    for line in report.lines():
        click.echo(line)


@main.command("extract")
@click.argument("url")
@click.argument("html_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--site", default=None, help="Apply this site's declared rules.")
def extract(url: str, html_file: str, site: str | None) -> None:
    """Print the article extracted from a saved page as JSON."""
    from spiders.sites import load_sites
    from transforms.extract import ExtractionRules, extract_article

    sites = load_sites()
    if site is None:
        from urllib.parse import urlsplit

        host = urlsplit(url).hostname or ""
        site = next((n for n, s in sites.items() if host in s.domains), None)
    elif site not in sites:
        raise PledgewatchError(f"unknown site {site}; known: {', '.join(sites)}")
    rules = ExtractionRules.from_mapping(sites[site].extraction) if site else None
    article = extract_article(Path(html_file).read_bytes(), url, rules=rules)
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=1))


@main.command("replay")
@click.option("--port", type=int, default=8089, show_default=True)
def replay(port: int) -> None:
    """Serve the recorded sites on 127.0.0.1 (plain server and HTTP proxy)."""
    from pledgewatch.replay import serve

    click.echo(f"replay on http://127.0.0.1:{port} (use it as http_proxy); Ctrl-C stops it")
    serve(port)


# --- report -----------------------------------------------------------------------------------
@main.command("report")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder to write into (default: <data dir>/report).")
def report(out_dir: str | None) -> None:
    """Write the analysts' static HTML report (opens from file://, no network needed)."""
    from pledgewatch.report import ReportError, build_report
    from pledgewatch.settings import get_settings

    try:
        settings = get_settings()
    except SettingsError as exc:
        raise PledgewatchError(str(exc)) from None
    target = Path(out_dir) if out_dir else settings.data_dir / "report"
    try:
        result = build_report(settings.warehouse_url, target)
    except ReportError as exc:
        raise PledgewatchError(str(exc)) from None
    click.echo(f"report: {result.pages} pages ({result.pledges} pledges) in {result.out_dir}")
    click.echo(f"open {result.index.resolve().as_uri()}")


# --- demo -------------------------------------------------------------------------------------
@main.command("demo")
def demo() -> None:
    """Run the whole job offline on the embedded default and say where to look."""
    from pledgewatch.demo import run_demo

    try:
        run_demo(_checked_settings(), echo=click.echo)
    except RegistryError as exc:
        raise PledgewatchError(str(exc)) from None


# --- config -----------------------------------------------------------------------------------
@main.command("config")
def config() -> None:
    """Show the settings in force, secrets masked."""
    for key, value in _settings().masked().items():
        click.echo(f"{key}={value}")


def run() -> None:  # pragma: no cover - console entry
    main(prog_name="pledgewatch")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
