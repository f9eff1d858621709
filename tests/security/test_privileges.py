"""Least privilege on PostgreSQL, set up as production does it (docker/postgres-initdb.d).

The pipeline logs in as an ordinary role (no superuser, no CREATEDB) that owns the warehouse
database: it migrates, loads, links and alerts with that alone, and owns every table and view.
The analysts' role (``pledgewatch db grant-analyst``) can read the views and nothing else: no
table, no write, no new object. PUBLIC gets nothing. (`tests/warehouse/test_roles.py` checks
the analysts' role on a superuser-migrated warehouse; this checks the whole arrangement.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from alerts.deliver import deliver_pending
from pledgewatch.pipeline.process import process_pages
from pledgewatch.settings import load_settings
from tests.conftest import _pg_admin_url
from tests.pipeline.conftest import expected_articles, load_recorded_pages
from warehouse.db import dispose_engines, get_engine
from warehouse.migrate import upgrade
from warehouse.roles import grant_analyst_role
from warehouse.views import VIEW_NAMES

pytestmark = pytest.mark.postgres

PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


class Roles:
    def __init__(self, admin: str, suffix: str) -> None:
        self.admin = admin
        self.pipeline = f"pw_pipeline_{suffix}"
        self.analyst = f"pw_analyst_{suffix}"
        self.database = f"pw_least_{suffix}"
        self.url = make_url(admin).set(username=self.pipeline, password=None,
                                       database=self.database).render_as_string(
            hide_password=False)


@pytest.fixture
def roles(pg_database: str) -> Iterator[Roles]:
    """A pipeline role owning a fresh warehouse database, as the init script creates them."""
    admin = _pg_admin_url()
    assert admin
    made = Roles(admin, uuid.uuid4().hex[:8])
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE ROLE {made.pipeline} LOGIN NOSUPERUSER NOCREATEDB CREATEROLE"))
        conn.execute(text(f'CREATE DATABASE "{made.database}" OWNER {made.pipeline}'))
        conn.execute(text(f'REVOKE CREATE, TEMPORARY ON DATABASE "{made.database}" FROM PUBLIC'))
    try:
        yield made
    finally:
        dispose_engines()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{made.database}" WITH (FORCE)'))
            conn.execute(text(f"DROP ROLE IF EXISTS {made.analyst}"))
            conn.execute(text(f"DROP ROLE IF EXISTS {made.pipeline}"))
        engine.dispose()


def test_the_pipeline_runs_as_an_ordinary_owner_and_analysts_read_views_only(
        roles: Roles, tmp_path: Path) -> None:
    # The whole pipeline, logged in as the unprivileged owner.
    settings = load_settings({"PLEDGEWATCH_DB_URL": roles.url,
                              "PLEDGEWATCH_DATA_DIR": str(tmp_path / "data")})
    upgrade(roles.url)
    assert load_recorded_pages(roles.url, expected_articles()) > 10
    report = process_pages(settings)
    assert report.errors == [] and report.new_mentions > 0
    assert deliver_pending(settings).failed == 0
    with get_engine(roles.url).begin() as conn:
        assert conn.execute(text("SELECT rolsuper OR rolcreatedb FROM pg_roles "
                                 "WHERE rolname = current_user")).scalar() is False
        grant_analyst_role(conn, roles.analyst)

    with get_engine(roles.url).connect() as conn:
        relations = conn.execute(text(
            "SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'S')")).all()
        tables = [name for name, kind, _ in relations if kind in ("r", "S")]
        views = [name for name, kind, _ in relations if kind in ("v", "m")]
        # The pipeline's role owns everything it made.
        assert {owner for _, _, owner in relations} == {roles.pipeline}
        assert set(VIEW_NAMES) <= set(views) and {"raw_page", "alert_outbox"} <= set(tables)
        # PUBLIC has no privilege on anything in the warehouse.
        public = conn.execute(text("SELECT table_name, privilege_type FROM "
                                   "information_schema.role_table_grants "
                                   "WHERE grantee = 'PUBLIC' AND table_schema = 'public'")).all()
        assert public == []

        def allowed(relation: str, privilege: str) -> bool:
            return bool(conn.execute(text("SELECT has_table_privilege(:r, :t, :p)"), {
                "r": roles.analyst, "t": f"public.{relation}", "p": privilege}).scalar())

        # The analysts' role: SELECT on the views, nothing on any table, no write anywhere.
        for view in VIEW_NAMES:
            assert allowed(view, "SELECT"), view
            assert not any(allowed(view, p) for p in PRIVILEGES if p != "SELECT"), view
        for table in tables:
            assert not any(allowed(table, p) for p in PRIVILEGES), table
        for privilege in ("CREATE", "TEMPORARY"):
            assert not conn.execute(text("SELECT has_database_privilege(:r, :d, :p)"), {
                "r": roles.analyst, "d": roles.database, "p": privilege}).scalar()
        assert not conn.execute(text("SELECT has_schema_privilege(:r, 'public', 'CREATE')"),
                                {"r": roles.analyst}).scalar()

    # ...and as the analysts' role itself: the views answer, the rest is refused.
    admin = make_url(roles.admin).set(database=roles.database).render_as_string(
        hide_password=False)
    engine = create_engine(admin)
    try:
        with engine.connect() as conn:
            conn.execute(text(f"SET ROLE {roles.analyst}"))
            stories = conn.execute(text("SELECT count(*) FROM v_pledge_status "
                                        "WHERE mention_count > 0")).scalar()
            assert stories and stories > 0
            conn.rollback()
            for statement in ("SELECT body FROM raw_page LIMIT 1",
                              "SELECT payload FROM alert_outbox LIMIT 1",
                              "UPDATE fct_mention SET stage = 'completed'",
                              "DELETE FROM fct_mention",
                              "CREATE TABLE mine (x int)",
                              "CREATE VIEW mine AS SELECT 1"):
                conn.execute(text(f"SET ROLE {roles.analyst}"))
                with pytest.raises(ProgrammingError, match="permission denied"):
                    conn.execute(text(statement))
                conn.rollback()
    finally:
        engine.dispose()
