"""editor: the audit trail of content changes (and changes waiting for approval), publications

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.db.models

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('content_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('file', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('diff', sa.Text(), nullable=False),
    sa.Column('file_diff', sa.Text(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=True),
    sa.Column('media', sa.JSON(), nullable=False),
    sa.Column('base_digest', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('in_reserve', sa.Boolean(), nullable=False),
    sa.Column('verdict', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', hub.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_content_changes_at', 'content_changes', ['at'], unique=False)
    op.create_index('ix_content_changes_status', 'content_changes', ['status'], unique=False)
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('changed', sa.Boolean(), nullable=False),
    sa.Column('in_reserve', sa.Boolean(), nullable=False),
    sa.Column('contents', sa.JSON(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_publications_at', 'publications', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_publications_at', table_name='publications')
    op.drop_table('publications')
    op.drop_index('ix_content_changes_status', table_name='content_changes')
    op.drop_index('ix_content_changes_at', table_name='content_changes')
    op.drop_table('content_changes')
