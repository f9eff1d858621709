"""analyst views

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 02:40:00
"""

from collections.abc import Sequence

from alembic import op

from warehouse.views import create_views, drop_views

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    create_views(op.get_bind())


def downgrade() -> None:
    drop_views(op.get_bind())
