"""The hub's tables (SQLAlchemy 2). Schema changes go through an Alembic revision in
``hub/db/migrations/versions/`` (a test checks that the models and the revisions agree)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the hub's database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    """A member of the town's staff. Roles are rows of :class:`UserRole` (hub.fleet.roles)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    # Bumped on a password change or deactivation: every open session of the user ends.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    roles: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class LoginAttempt(Base):
    """Sign-in (and enrolment) attempts, for the rate limit; pruned after a day."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    ok: Mapped[bool] = mapped_column(Boolean)


class Device(Base):
    """A screen of the fleet and the state its last heartbeat reported."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_seen_addr: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # True while the hub considers it offline (set when a page notices, cleared on contact).
    offline_noted: Mapped[bool] = mapped_column(Boolean, default=False)
    hostname: Mapped[str | None] = mapped_column(String(255), nullable=True)
    poll_interval_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    screenshot_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # from the newest heartbeat
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    live_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    showing: Mapped[str | None] = mapped_column(String(100), nullable=True)
    showing_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    why: Mapped[str | None] = mapped_column(String(500), nullable=True)
    mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    orientation: Mapped[int | None] = mapped_column(Integer, nullable=True)
    screen_on: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    player_running: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    disk_free_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    disk_total_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    uptime_s: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    software: Mapped[str | None] = mapped_column(String(64), nullable=True)
    alerts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DeviceToken(Base):
    """A device's bearer token, kept as its sha256 only (the token is 256 random bits)."""

    __tablename__ = "device_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class EnrolCode(Base):
    """A one-time code a technician gives `kiosk provision --enrol` (kept as a hash)."""

    __tablename__ = "enrol_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    used_by_device: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Play(Base):
    """Proof of play: one item shown on one device (idempotent by the device's key)."""

    __tablename__ = "plays"
    __table_args__ = (
        UniqueConstraint("device_id", "key", name="uq_plays_device_key"),
        Index("ix_plays_device_start", "device_id", "start"),
        Index("ix_plays_start", "start"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    item: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    content_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    duration_s: Mapped[float] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Screenshot(Base):
    """A small JPEG of what a device showed (decoded and checked before it is kept)."""

    __tablename__ = "screenshots"
    __table_args__ = (
        UniqueConstraint("device_id", "key", name="uq_screenshots_device_key"),
        Index("ix_screenshots_device_taken", "device_id", "taken_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    mean_luma: Mapped[float] = mapped_column(Float)
    jpeg: Mapped[bytes] = mapped_column(LargeBinary)


class DeviceLog(Base):
    """A device's problems and events (reported errors, offline spells, tokens)."""

    __tablename__ = "device_log"
    __table_args__ = (Index("ix_device_log_device_at", "device_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(500))


class Counter(Base):
    """Counters shared by every worker process (uploads refused, by reason)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class ContentChange(Base):
    """One change to the content folder made in the editor (the audit trail): who, when,
    what (kind, id, a readable diff), and whether it is in the folder or waits for a
    publisher's approval (an election reserve period)."""

    __tablename__ = "content_changes"
    __table_args__ = (Index("ix_content_changes_at", "at"), Index("ix_content_changes_status", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete | end-alert
    kind: Mapped[str] = mapped_column(String(32))  # poster, video, bulletin, alert, services, …
    item_id: Mapped[str] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(String(255))  # relative to the content folder
    title: Mapped[str] = mapped_column(String(200), default="")
    diff: Mapped[str] = mapped_column(Text, default="")  # readable: one line per field changed
    file_diff: Mapped[str] = mapped_column(Text, default="")  # unified diff of the TOML file
    # The document's values to write (JSON, dates tagged), kept while the change waits.
    values: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    media: Mapped[list[Any]] = mapped_column(JSON, default=list)  # uploads the change brings
    base_digest: Mapped[str] = mapped_column(String(64), default="")  # the document as the form read it
    status: Mapped[str] = mapped_column(String(16))  # applied | pending | rejected | conflict
    in_reserve: Mapped[bool] = mapped_column(Boolean, default=False)
    verdict: Mapped[str] = mapped_column(Text, default="")  # the neutrality guard's, in a period
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Publication(Base):
    """A publication made from the hub: who, when, which version, and what it contained."""

    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    username: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    changed: Mapped[bool] = mapped_column(Boolean)
    in_reserve: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"kind", "id", "title", "tags", "valid_from", "valid_until", "playlist"}…]
    contents: Mapped[list[Any]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
