"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-30 02:11:38.780233
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('alert_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_key', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('pledge_id', sa.String(length=80), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_outbox')),
    sa.UniqueConstraint('alert_key', 'channel', name=op.f('uq_alert_outbox_alert_key_channel'))
    )
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_alert_outbox_state', ['state', 'channel'], unique=False)

    op.create_table('crawl_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('sites', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_run'))
    )
    op.create_table('dim_pledge',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('seed_sentence', sa.Text(), nullable=False),
    sa.Column('aliases', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('target_unit', sa.String(length=8), nullable=True),
    sa.Column('target_at_least', sa.Boolean(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dim_pledge'))
    )
    op.create_table('raw_page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('final_url', sa.String(length=2048), nullable=False),
    sa.Column('site', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('headers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('error', sa.String(length=40), nullable=True),
    sa.Column('crawl_run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['crawl_run_id'], ['crawl_run.id'], name=op.f('fk_raw_page_crawl_run_id_crawl_run'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_raw_page')),
    sa.UniqueConstraint('url', 'content_hash', name=op.f('uq_raw_page_url_content_hash'))
    )
    with op.batch_alter_table('raw_page', schema=None) as batch_op:
        batch_op.create_index('ix_raw_page_site_fetched', ['site', 'fetched_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_raw_page_url'), ['url'], unique=False)

    op.create_table('site_run_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crawl_run_id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=40), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('new_pages', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crawl_run_id'], ['crawl_run.id'], name=op.f('fk_site_run_stats_crawl_run_id_crawl_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_run_stats')),
    sa.UniqueConstraint('crawl_run_id', 'site', name=op.f('uq_site_run_stats_crawl_run_id_site'))
    )
    op.create_table('article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('site', sa.String(length=40), nullable=False),
    sa.Column('raw_page_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('author', sa.String(length=200), nullable=True),
    sa.Column('editor', sa.String(length=100), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('text_simplified', sa.Text(), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.Column('duplicate_of', sa.Integer(), nullable=True),
    sa.Column('is_local', sa.Boolean(), nullable=False),
    sa.Column('extraction', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('extractor_version', sa.String(length=20), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['duplicate_of'], ['article.id'], name=op.f('fk_article_duplicate_of_article'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['raw_page_id'], ['raw_page.id'], name=op.f('fk_article_raw_page_id_raw_page'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article')),
    sa.UniqueConstraint('url', name=op.f('uq_article_url'))
    )
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_duplicate_of'), ['duplicate_of'], unique=False)
        batch_op.create_index('ix_article_published', ['published_at'], unique=False)

    op.create_table('fct_mention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.String(length=80), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('quantity_value', sa.Float(), nullable=True),
    sa.Column('quantity_unit', sa.String(length=8), nullable=True),
    sa.Column('progress', sa.Float(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('matched', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('linker_version', sa.String(length=20), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_fct_mention_article_id_article'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pledge_id'], ['dim_pledge.id'], name=op.f('fk_fct_mention_pledge_id_dim_pledge')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fct_mention')),
    sa.UniqueConstraint('article_id', 'pledge_id', name=op.f('uq_fct_mention_article_id_pledge_id'))
    )
    with op.batch_alter_table('fct_mention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fct_mention_pledge_id'), ['pledge_id'], unique=False)

    op.create_table('fct_stage_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.String(length=80), nullable=False),
    sa.Column('from_stage', sa.String(length=16), nullable=False),
    sa.Column('to_stage', sa.String(length=16), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('evidence_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_fct_stage_change_article_id_article'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pledge_id'], ['dim_pledge.id'], name=op.f('fk_fct_stage_change_pledge_id_dim_pledge')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fct_stage_change')),
    sa.UniqueConstraint('pledge_id', 'to_stage', name=op.f('uq_fct_stage_change_pledge_id_to_stage'))
    )


def downgrade() -> None:
    op.drop_table('fct_stage_change')
    with op.batch_alter_table('fct_mention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fct_mention_pledge_id'))

    op.drop_table('fct_mention')
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_index('ix_article_published')
        batch_op.drop_index(batch_op.f('ix_article_duplicate_of'))

    op.drop_table('article')
    op.drop_table('site_run_stats')
    with op.batch_alter_table('raw_page', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_raw_page_url'))
        batch_op.drop_index('ix_raw_page_site_fetched')

    op.drop_table('raw_page')
    op.drop_table('dim_pledge')
    op.drop_table('crawl_run')
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_outbox_state')

    op.drop_table('alert_outbox')
