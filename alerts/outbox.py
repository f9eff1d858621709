"""The transactional outbox.

An alert is written in the same transaction as the mention or stage change that caused it, so
a crash can never lose one or invent one. Its key is derived from what it reports, so writing
it twice is a no-op and a receiver can drop a repeated delivery by key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.models import AlertOutbox, utcnow
from warehouse.upsert import upsert


def alert_key(kind: str, *parts: object) -> str:
    digest = hashlib.sha256("|".join([kind, *map(str, parts)]).encode("utf-8")).hexdigest()
    return digest[:32]


def enqueue(session: Session, kind: str, key: str, payload: Mapping[str, Any],
            channels: Iterable[str], pledge_id: str | None = None,
            article_id: int | None = None) -> int:
    """Queue one alert for every channel; returns how many rows were new."""
    rows = [{"alert_key": key, "channel": channel, "kind": kind, "pledge_id": pledge_id,
             "article_id": article_id, "payload": dict(payload), "state": "pending",
             "attempts": 0, "created_at": utcnow()} for channel in channels]
    return upsert(session, AlertOutbox.__table__, rows, conflict=("alert_key", "channel"))


def pending(session: Session, channel: str) -> list[AlertOutbox]:
    return list(session.scalars(select(AlertOutbox).where(
        AlertOutbox.channel == channel, AlertOutbox.state.in_(("pending", "failed")))
        .order_by(AlertOutbox.id)))
