"""fleet: users and roles, devices and tokens, enrol codes, plays, screenshots, device log

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-07 01:08:42.351121
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.db.models

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('counters',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('devices',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('created_at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', hub.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_seen_addr', sa.String(length=64), nullable=True),
    sa.Column('offline_noted', sa.Boolean(), nullable=False),
    sa.Column('hostname', sa.String(length=255), nullable=True),
    sa.Column('poll_interval_s', sa.Float(), nullable=True),
    sa.Column('screenshot_requested_at', hub.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('reported_at', hub.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('live_version', sa.String(length=64), nullable=True),
    sa.Column('showing', sa.String(length=100), nullable=True),
    sa.Column('showing_kind', sa.String(length=32), nullable=True),
    sa.Column('why', sa.String(length=500), nullable=True),
    sa.Column('mode', sa.String(length=16), nullable=True),
    sa.Column('orientation', sa.Integer(), nullable=True),
    sa.Column('screen_on', sa.Boolean(), nullable=True),
    sa.Column('player_running', sa.Boolean(), nullable=True),
    sa.Column('disk_free_bytes', sa.BigInteger(), nullable=True),
    sa.Column('disk_total_bytes', sa.BigInteger(), nullable=True),
    sa.Column('uptime_s', sa.BigInteger(), nullable=True),
    sa.Column('software', sa.String(length=64), nullable=True),
    sa.Column('alerts', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('enrol_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', hub.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('used_by_device', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash')
    )
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_remote_addr'), ['remote_addr'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_username'), ['username'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', hub.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('device_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('device_log', schema=None) as batch_op:
        batch_op.create_index('ix_device_log_device_at', ['device_id', 'at'], unique=False)

    op.create_table('device_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', hub.db.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('device_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_tokens_device_id'), ['device_id'], unique=False)

    op.create_table('plays',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('item', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('content_version', sa.String(length=64), nullable=True),
    sa.Column('start', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=False),
    sa.Column('received_at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_id', 'key', name='uq_plays_device_key')
    )
    with op.batch_alter_table('plays', schema=None) as batch_op:
        batch_op.create_index('ix_plays_device_start', ['device_id', 'start'], unique=False)
        batch_op.create_index('ix_plays_start', ['start'], unique=False)

    op.create_table('screenshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('taken_at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('received_at', hub.db.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('mean_luma', sa.Float(), nullable=False),
    sa.Column('jpeg', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_id', 'key', name='uq_screenshots_device_key')
    )
    with op.batch_alter_table('screenshots', schema=None) as batch_op:
        batch_op.create_index('ix_screenshots_device_taken', ['device_id', 'taken_at'], unique=False)

    op.create_table('user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role')
    )


def downgrade() -> None:
    op.drop_table('user_roles')
    with op.batch_alter_table('screenshots', schema=None) as batch_op:
        batch_op.drop_index('ix_screenshots_device_taken')

    op.drop_table('screenshots')
    with op.batch_alter_table('plays', schema=None) as batch_op:
        batch_op.drop_index('ix_plays_start')
        batch_op.drop_index('ix_plays_device_start')

    op.drop_table('plays')
    with op.batch_alter_table('device_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_tokens_device_id'))

    op.drop_table('device_tokens')
    with op.batch_alter_table('device_log', schema=None) as batch_op:
        batch_op.drop_index('ix_device_log_device_at')

    op.drop_table('device_log')
    op.drop_table('users')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_username'))
        batch_op.drop_index(batch_op.f('ix_login_attempts_remote_addr'))
        batch_op.drop_index('ix_login_attempts_at')

    op.drop_table('login_attempts')
    op.drop_table('enrol_codes')
    op.drop_table('devices')
    op.drop_table('counters')
