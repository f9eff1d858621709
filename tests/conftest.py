"""Shared fixtures: a fresh warehouse per test on SQLite, and on a real PostgreSQL when present.

PostgreSQL tests use ``PLEDGEWATCH_TEST_PG_URL`` (an admin URL such as
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); each test session creates its own
database there and drops it afterwards. Without it they are skipped with that reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from warehouse.db import dispose_engines
from warehouse.migrate import downgrade, upgrade

REPO = Path(__file__).resolve().parents[1]
PG_ENV = "PLEDGEWATCH_TEST_PG_URL"


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database created for this test run."""
    admin = _pg_admin_url()
    if not admin:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. "
                    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres); .ci/run sets it")
    name = f"pledgewatch_test_{uuid.uuid4().hex[:10]}"
    # pre-ping: a server restarted during the session (tests/faults) left this pool's
    # connection dead, and the DROP at the end must still work.
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.skip(f"cannot create a test database at {admin}: {exc.__class__.__name__}: {exc}")
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    yield url
    dispose_engines()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _fresh_sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty warehouse on each dialect."""
    if request.param == "sqlite":
        url = _fresh_sqlite(tmp_path)
        upgrade(url)
        yield url
        return
    url = request.getfixturevalue("pg_database")
    downgrade(url, "base")
    upgrade(url)
    yield url
    dispose_engines()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = _fresh_sqlite(tmp_path)
    upgrade(url)
    return url


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean PLEDGEWATCH_* environment with the data directory in a temp folder."""
    for key in list(os.environ):
        if key.startswith("PLEDGEWATCH_") and key != PG_ENV:
            monkeypatch.delenv(key)
    monkeypatch.setenv("PLEDGEWATCH_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch
