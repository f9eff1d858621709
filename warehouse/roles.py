"""Least privilege on PostgreSQL: analysts read the views and nothing else."""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from warehouse.views import VIEW_NAMES

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_analyst_role(connection: Connection, role: str = "pledgewatch_analyst",
                       login: bool = False) -> None:
    """Create (or re-grant) a read-only role that can SELECT the analyst views only.

    Views run with their owner's rights, so the role needs no grant on the tables behind them.
    """
    if connection.dialect.name != "postgresql":
        raise RuntimeError("roles exist on PostgreSQL only; SQLite files are protected by "
                           "file permissions")
    if not _ROLE.match(role):
        raise ValueError(f"role name {role!r} must be a lower-case SQL identifier")
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                {"r": role}).first()
    if not exists:
        connection.execute(text(f"CREATE ROLE {role} {'LOGIN' if login else 'NOLOGIN'}"))
    connection.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"))
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    for view in VIEW_NAMES:
        connection.execute(text(f"GRANT SELECT ON {view} TO {role}"))
