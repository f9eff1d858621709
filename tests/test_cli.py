"""The command line, run as users run it (a real subprocess, a real warehouse file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pledges import load_registry


def pledgewatch(*args: str, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pledgewatch", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120, check=False)


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEWATCH_")}
    env["PLEDGEWATCH_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_pledges_list_json_prints_every_pledge(clean_env: dict[str, str]) -> None:
    result = pledgewatch("pledges", "list", "--json", env=clean_env)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == [p.id for p in load_registry().pledges]
    for record in records:
        assert set(record) >= {"id", "category", "title", "aliases", "target", "deadline"}


def test_db_upgrade_then_load_on_default_sqlite(clean_env: dict[str, str], tmp_path: Path) -> None:
    assert pledgewatch("db", "upgrade", env=clean_env).returncode == 0
    database = tmp_path / "data" / "pledgewatch.sqlite"
    assert database.exists()
    loaded = pledgewatch("pledges", "load", env=clean_env)
    assert loaded.returncode == 0, loaded.stderr
    with create_engine(f"sqlite:///{database}").connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM v_pledge_status")).scalar()
    assert count == len(load_registry().pledges)


def test_bad_registry_is_one_clear_line(clean_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nseed: s\npledges:\n  - id: wind-farm\n    area: 火星\n"
                   "    kind: project\n    title: 风电\n    seed_sentence: 風電\n"
                   "    aliases: [风电]\n", encoding="utf-8")
    result = pledgewatch("pledges", "check", "--registry", str(bad), env=clean_env)
    assert result.returncode != 0
    assert "wind-farm" in result.stderr and "area" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_is_one_clear_line(clean_env: dict[str, str]) -> None:
    result = pledgewatch("db", "upgrade", env={**clean_env, "PLEDGEWATCH_DB_URL": "nonsense"})
    assert result.returncode != 0
    assert "PLEDGEWATCH_DB_URL" in result.stderr and "Traceback" not in result.stderr
