"""``pledgewatch report`` as users run it: a real subprocess on a real warehouse file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pledgewatch.pipeline.pledges import sync_pledges
from pledgewatch.settings import load_settings
from warehouse.migrate import upgrade


def pledgewatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pledgewatch", *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEWATCH_")}
    env["PLEDGEWATCH_DATA_DIR"] = str(tmp_path / "data")
    return env


def _warehouse(data_dir: Path) -> None:
    settings = load_settings({"PLEDGEWATCH_DATA_DIR": str(data_dir)})
    upgrade(settings.warehouse_url)
    sync_pledges(settings)


def test_report_goes_to_the_data_dir_by_default(clean_env: dict[str, str],
                                                tmp_path: Path) -> None:
    _warehouse(tmp_path / "data")
    done = pledgewatch("report", env=clean_env)
    assert done.returncode == 0, done.stderr
    index = tmp_path / "data" / "report" / "index.html"
    assert index.is_file() and (tmp_path / "data" / "report" / "sites.html").is_file()
    assert index.resolve().as_uri() in done.stdout
    assert "蒲县" in index.read_text(encoding="utf-8")


def test_report_out_option(clean_env: dict[str, str], tmp_path: Path) -> None:
    _warehouse(tmp_path / "data")
    done = pledgewatch("report", "--out", str(tmp_path / "elsewhere"), env=clean_env)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "elsewhere" / "pledges").glob("*.html"))) > 50


def test_no_warehouse_is_one_clear_line(clean_env: dict[str, str], tmp_path: Path) -> None:
    done = pledgewatch("report", env=clean_env)
    assert done.returncode != 0
    assert "pledgewatch db upgrade" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "pledgewatch.sqlite").exists(), "created an empty warehouse"


def test_unmigrated_warehouse_names_what_is_missing(clean_env: dict[str, str],
                                                   tmp_path: Path) -> None:
    database = tmp_path / "data" / "pledgewatch.sqlite"
    database.parent.mkdir(parents=True)
    database.touch()
    done = pledgewatch("report", env=clean_env)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "v_pledge_status" in done.stderr
