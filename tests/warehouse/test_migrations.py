"""The same migrations build and tear down the warehouse on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

from warehouse.db import dispose_engines, get_engine
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


def test_0003_backfills_article_pages_and_downgrades_to_0002(warehouse_url: str) -> None:
    """Articles stored before 0003 were made from one page each: upgrading lists that page as
    their page 1 (so nothing is processed again); downgrading drops only the new table, and
    the analyst views still answer on either side."""
    dispose_engines()
    downgrade(warehouse_url, "base")
    upgrade(warehouse_url, "0002")
    engine = get_engine(warehouse_url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO raw_page (url, final_url, site, kind, status, headers, body,"
            " content_hash, fetched_at) VALUES ('http://lf.sxgov.cn/content/2022-11/18/"
            "content_12862105.htm', 'http://lf.sxgov.cn/content/2022-11/18/content_12862105.htm',"
            " 'sxgov_lf', 'article', 200, '{}', :body, 'h1', '2022-11-18 10:30:00+08')"),
            {"body": "<html>快递物流配送中心建设提速</html>".encode()})
        conn.execute(text(
            "INSERT INTO article (url, site, raw_page_id, title, body, text_simplified,"
            " fingerprint, is_local, extraction, extractor_version, first_seen_at, updated_at)"
            " SELECT url, site, id, '快递物流配送中心建设提速', '', '', '', false, '{}',"
            " 'extract-1', fetched_at, fetched_at FROM raw_page"))
    dispose_engines()
    upgrade(warehouse_url)
    with get_engine(warehouse_url).connect() as conn:
        rows = conn.execute(text(
            "SELECT p.page_no, a.url = r.url FROM article_page p JOIN article a"
            " ON a.id = p.article_id JOIN raw_page r ON r.id = p.raw_page_id")).all()
        assert [tuple(r) for r in rows] == [(1, True)]
        for view in VIEW_NAMES:
            conn.execute(text(f"SELECT * FROM {view}")).all()
    dispose_engines()
    downgrade(warehouse_url, "0002")
    inspector = inspect(get_engine(warehouse_url))
    assert "article_page" not in inspector.get_table_names()
    assert set(VIEW_NAMES) <= set(inspector.get_view_names())
    with get_engine(warehouse_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM article")).scalar() == 1
        assert conn.execute(text("SELECT articles FROM v_site_health")).scalar() == 1
    dispose_engines()
    upgrade(warehouse_url)
    assert current_revision(warehouse_url) == head_revision()
