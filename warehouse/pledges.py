"""The pledge dimension, kept in step with the registry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.models import DimPledge, utcnow
from warehouse.upsert import upsert

_MUTABLE = ("area", "kind", "title", "seed_sentence", "aliases", "target_value", "target_unit",
            "target_at_least", "deadline")


def load_pledges(session: Session, rows: Sequence[Mapping[str, Any]]) -> int:
    """Upsert registry rows; returns how many were new or changed."""
    stamped = [{**row, "updated_at": utcnow()} for row in rows]
    return upsert(session, DimPledge.__table__, stamped, conflict=("id",), update=_MUTABLE,
                  touch="updated_at")


def pledge_ids(session: Session) -> set[str]:
    return set(session.scalars(select(DimPledge.id)))
