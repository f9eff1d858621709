"""Sync the pledge registry into ``dim_pledge``."""

from __future__ import annotations

from typing import Any

from pledges import Pledge, Registry, load_registry
from pledgewatch.settings import Settings
from warehouse.db import session_scope
from warehouse.pledges import load_pledges


def pledge_row(pledge: Pledge) -> dict[str, Any]:
    target = pledge.target
    return {
        "id": pledge.id,
        "area": pledge.area,
        "kind": pledge.kind.value,
        "title": pledge.title,
        "seed_sentence": pledge.seed_sentence,
        "aliases": list(pledge.aliases),
        "target_value": target.value if target else None,
        "target_unit": target.unit if target else None,
        "target_at_least": bool(target and target.at_least),
        "deadline": pledge.deadline,
    }


def registry_for(settings: Settings) -> Registry:
    return load_registry(settings.registry_path or None)


def sync_pledges(settings: Settings) -> int:
    """Load the registry into the warehouse; returns rows new or changed."""
    registry = registry_for(settings)
    with session_scope(settings.warehouse_url) as session:
        return load_pledges(session, [pledge_row(p) for p in registry.pledges])
