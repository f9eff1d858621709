"""The same migrations build and tear down the warehouse on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from warehouse.db import get_engine
from warehouse.migrate import current_revision, downgrade, head_revision, upgrade
from warehouse.models import Base
from warehouse.views import VIEW_NAMES


def test_upgrade_creates_every_table_and_view(warehouse_url: str) -> None:
    inspector = inspect(get_engine(warehouse_url))
    tables = set(inspector.get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert set(VIEW_NAMES) <= set(inspector.get_view_names())
    assert current_revision(warehouse_url) == head_revision()


def test_downgrade_to_base_and_back(warehouse_url: str) -> None:
    downgrade(warehouse_url, "base")
    inspector = inspect(get_engine(warehouse_url))
    assert not set(Base.metadata.tables) & set(inspector.get_table_names())
    assert not set(inspector.get_view_names()) & set(VIEW_NAMES)
    assert current_revision(warehouse_url) is None
    upgrade(warehouse_url)
    assert current_revision(warehouse_url) == head_revision()


def test_models_match_migrations(warehouse_url: str) -> None:
    """Autogenerate finds nothing to do: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with get_engine(warehouse_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_constraint_names_follow_the_convention(warehouse_url: str) -> None:
    inspector = inspect(get_engine(warehouse_url))
    uniques = {u["name"] for u in inspector.get_unique_constraints("fct_mention")}
    assert "uq_fct_mention_article_id_pledge_id" in uniques
