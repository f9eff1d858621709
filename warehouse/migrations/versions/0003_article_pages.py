"""article pages: which raw pages each article was made from

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 06:02:49

A story published over several pages becomes one article whose body joins its pages, so
"an article row points at this raw page" (``article.raw_page_id``) no longer says whether a
page was processed: a later page never gets an article of its own. ``article_page`` lists
every page of every article, and processing treats a raw page as done when a row names it.

Upgrade backfills one row per existing article (its page, as page 1), so nothing stored before
is read again. Articles made from a later page on their own before this revision stay until
``pledgewatch process --reprocess`` (or ``run --reprocess``) folds them into their page 1's
article; README.md says so.

Downgrade drops the table. Multi-page articles keep their joined bodies; the code of 0002
then finds no article pointing at their later pages and makes each its own article again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_page",
        sa.Column("raw_page_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("page_no", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"],
                                name=op.f("fk_article_page_article_id_article"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["raw_page_id"], ["raw_page.id"],
                                name=op.f("fk_article_page_raw_page_id_raw_page"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("raw_page_id", name=op.f("pk_article_page")),
    )
    with op.batch_alter_table("article_page", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_page_article_id"), ["article_id"],
                              unique=False)
    # Every article so far was made from one page: that page is its page 1. (A raw page was
    # pointed at by one article at most; MIN keeps the insert safe regardless.)
    op.execute(
        "INSERT INTO article_page (raw_page_id, article_id, page_no) "
        "SELECT raw_page_id, MIN(id), 1 FROM article WHERE raw_page_id IS NOT NULL "
        "GROUP BY raw_page_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("article_page", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_page_article_id"))
    op.drop_table("article_page")
