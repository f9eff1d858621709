"""The analysts' role reads the views and cannot write or read the tables."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from warehouse.db import get_engine
from warehouse.roles import grant_analyst_role

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_warehouse(pg_database: str) -> str:
    from warehouse.migrate import downgrade, upgrade

    downgrade(pg_database, "base")
    upgrade(pg_database)
    return pg_database


def test_analyst_reads_views_only(pg_warehouse: str) -> None:
    role = "pledgewatch_analyst_test"
    engine = get_engine(pg_warehouse)
    with engine.begin() as conn:
        grant_analyst_role(conn, role)
        grant_analyst_role(conn, role)  # re-running is safe
    with engine.connect() as conn:
        conn.execute(text(f"SET ROLE {role}"))
        assert conn.execute(text("SELECT count(*) FROM v_pledge_status")).scalar() == 0
        conn.rollback()
        for statement in ("INSERT INTO dim_pledge (id, area, kind, title, seed_sentence, aliases,"
                          " target_at_least, updated_at) VALUES ('x','转型发展','project','t','s',"
                          "'[]', false, now())",
                          "SELECT count(*) FROM raw_page",
                          "DELETE FROM alert_outbox"):
            conn.execute(text(f"SET ROLE {role}"))
            with pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text(statement))
            conn.rollback()


def test_bad_role_name_is_refused(pg_warehouse: str) -> None:
    with get_engine(pg_warehouse).begin() as conn, pytest.raises(ValueError):
        grant_analyst_role(conn, "x; DROP TABLE article")
