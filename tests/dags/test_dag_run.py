"""End to end: ``dag.test()`` over the recorded sites, the warehouse on SQLite and PostgreSQL.

Running the DAG twice for the same interval must leave the warehouse and the alert outbox as
the first run left them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from pledgewatch.replay import ReplayServer
from tests.dags.conftest import REPO, airflow_env
from tests.pipeline.conftest import digest
from warehouse.db import get_engine

pytestmark = pytest.mark.slow
LOGICAL_DATE = "2022-11-09T02:00:00+08:00"


def run_dag(home: Path, env: dict[str, str]) -> dict:
    result = subprocess.run([sys.executable, "-m", "tests.dags.dag_test_run", LOGICAL_DATE],
                            env=env, cwd=REPO, capture_output=True, text=True, timeout=900,
                            check=False)
    lines = [x for x in result.stdout.splitlines() if x.startswith("DAG_RESULT ")]
    assert result.returncode == 0 and lines, result.stdout[-2000:] + result.stderr[-4000:]
    return json.loads(lines[-1].removeprefix("DAG_RESULT "))


def test_nightly_dag_twice_changes_nothing(airflow_home: Path, warehouse_url: str,
                                           tmp_path: Path) -> None:
    env = airflow_env(airflow_home)
    env.update({"PLEDGEWATCH_DB_URL": warehouse_url,
                "PLEDGEWATCH_DATA_DIR": str(tmp_path / "data"),
                "PLEDGEWATCH_DOWNLOAD_DELAY": "0"})
    with ReplayServer() as replay:
        env.update(replay.proxy_env())
        first = run_dag(airflow_home, env)
        assert first["state"].endswith("success"), first
        assert sum(k.startswith("crawl_site[") for k in first["tasks"]) == 5
        with get_engine(warehouse_url).connect() as conn:
            pages = conn.execute(text("SELECT count(*) FROM raw_page")).scalar()
            articles = conn.execute(text("SELECT count(*) FROM article")).scalar()
            runs = conn.execute(text("SELECT count(*) FROM site_run_stats")).scalar()
        assert pages > 0 and articles > 0 and runs == 5
        before = digest(warehouse_url)
        outbox = sorted(p.name for p in (tmp_path / "data" / "outbox").glob("*.json"))

        second = run_dag(airflow_home, env)
        assert second["state"].endswith("success"), second
    assert digest(warehouse_url) == before
    assert sorted(p.name for p in (tmp_path / "data" / "outbox").glob("*.json")) == outbox
