"""Idempotent upserts that read the same on SQLite and PostgreSQL.

Loading the same batch twice must change nothing, so every load goes through ``INSERT ... ON
CONFLICT``: ``DO NOTHING`` for facts that are written once, ``DO UPDATE`` only of the columns
that may legitimately change (and only when they did, so ``updated_at`` stays put otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, and_, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert_for(session: Session, table: Table):  # type: ignore[no-untyped-def]
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"upserts are written for SQLite and PostgreSQL, not {name}")


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    update: Sequence[str] = (),
    touch: str | None = None,
) -> int:
    """Insert ``rows``; on a ``conflict`` key, update ``update`` columns where they differ.

    ``touch`` names a timestamp column set from the row only when something else changed.
    Returns the number of rows inserted or changed.
    """
    if not rows:
        return 0
    changed = 0
    for row in rows:
        stmt = _insert_for(session, table).values(**row)
        if update:
            excluded = stmt.excluded
            values = {col: excluded[col] for col in update}
            if touch:
                values[touch] = excluded[touch]
            differs = or_(*(table.c[col].is_distinct_from(excluded[col]) for col in update))
            stmt = stmt.on_conflict_do_update(
                index_elements=list(conflict), set_=values, where=and_(differs))
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
        # RETURNING counts what really happened on both dialects (rowcount does not).
        result = session.execute(stmt.returning(table.c[conflict[0]]))
        changed += len(result.all())
    return changed
