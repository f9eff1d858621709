"""Airflow in a temporary home, with its own SQLite metadata database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = Path(sys.executable).with_name("airflow")


def airflow_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIRFLOW", "PLEDGEWATCH_")) or k == "PLEDGEWATCH_TEST_PG_URL"}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
    })
    return env


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An Airflow home whose metadata database is migrated once per test session."""
    home = tmp_path_factory.mktemp("airflow")
    subprocess.run([str(AIRFLOW), "db", "migrate"], env=airflow_env(home), check=True,
                   capture_output=True, timeout=300)
    yield home


@pytest.fixture(scope="session")
def dagbag(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow-import")))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(str(REPO / "dags"))
