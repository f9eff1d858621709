"""The ``pledgewatch`` command: the one entry point for people and for the DAG."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from pledges import RegistryError
from pledgewatch.settings import Settings, SettingsError, load_settings


class PledgewatchError(click.ClickException):
    """Shown as one line on stderr with a non-zero exit."""


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise PledgewatchError(str(exc)) from None


@click.group()
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
    with click.open_file(in_path, encoding="utf-8") as src, \
            click.open_file(out_path, "w", encoding="utf-8") as dst:
        try:
            count = link_stream(linker, src, dst)
        except ValueError as exc:
            raise PledgewatchError(str(exc)) from None
    click.echo(f"linked {count} articles", err=True)


@main.command("eval")
@click.option("--set", "set_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Labelled articles (default: tests/data/devset/articles.jsonl).")
@click.option("--errors", is_flag=True, help="List every wrong link (dev split only).")
def evaluate_cmd(set_path: str | None, errors: bool) -> None:
    """Precision, recall and F1 of links and stage accuracy on the labelled set."""
    from pathlib import Path

    from transforms.evaluate import evaluate, read_jsonl

    path = Path(set_path) if set_path else Path.cwd() / "tests/data/devset/articles.jsonl"
    if not path.exists():
        raise PledgewatchError(f"{path}: no labelled set here; pass --set")
    results = evaluate(_linker(), read_jsonl(path))
    for name in ("dev", "holdout", "all"):
        if name in results:
            click.echo(results[name].line(name))
    if errors:
        for error in results.get("dev", results["all"]).errors:
            click.echo(json.dumps(error, ensure_ascii=False))


# --- demo -------------------------------------------------------------------------------------
@main.command("demo")
def demo() -> None:
    """Run the whole job offline on the embedded default and say where to look."""
    from pledgewatch.demo import run_demo

    try:
        run_demo(_settings(), echo=click.echo)
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
