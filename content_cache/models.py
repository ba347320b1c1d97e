"""SQLAlchemy models of the content cache: the schema (``ContentCache.open`` creates it;
``schema_sql`` holds the same statements for opening without SQLAlchemy). Content versions,
the live pointer, media checks and sync runs are written in SQL (``writes``, ``_upkeep``);
the outbox and the play log go through these models.

A content version is stored whole: its playlists, items, bulletins and kiosk documents
all carry the version id, so switching the live pointer is a single-row update and the
previous version stays intact beside it.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC; SQLite itself would drop the offset."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the content cache")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class ContentVersion(Base):
    __tablename__ = "content_version"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    schema_version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str | None] = mapped_column(String(256), nullable=True)
    site_id: Mapped[str] = mapped_column(String(64))
    site_name: Mapped[dict] = mapped_column(JSON)
    timezone: Mapped[str] = mapped_column(String(64))
    languages: Mapped[list] = mapped_column(JSON)
    default_playlist: Mapped[str] = mapped_column(String(64))
    # Site closures / public holidays: [{"date": "YYYY-MM-DD", "label": {...}}, ...]
    holidays: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # Election-period neutrality (elections and policy) as published; the player checks it.
    neutrality: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # The site's screen layout (manifest site.layout).
    layout: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    playlists: Mapped[list[Playlist]] = relationship(
        back_populates="version", cascade="all, delete-orphan", passive_deletes=True
    )
    bulletins: Mapped[list[Bulletin]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    media: Mapped[list[VersionMedia]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    kiosk_documents: Mapped[list[KioskDocument]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class MediaFile(Base):
    """A file known to be in the media store under its sha256."""

    __tablename__ = "media_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Set when a check found the file missing or corrupt; cleared when it is fetched again.
    problem: Mapped[str | None] = mapped_column(String(32), nullable=True)


class VersionMedia(Base):
    """Which media a version needs, with the type and name the manifest gave them."""

    __tablename__ = "version_media"

    version_id: Mapped[str] = mapped_column(
        ForeignKey("content_version.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(ForeignKey("media_file.sha256"), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    mime_type: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)


class Playlist(Base):
    __tablename__ = "playlist"

    version_id: Mapped[str] = mapped_column(
        ForeignKey("content_version.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[dict] = mapped_column(JSON)
    # The playlist's presentation: {"fit": ..., "layout": {...}} as the manifest gives them.
    look: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    version: Mapped[ContentVersion] = relationship(back_populates="playlists")
    items: Mapped[list[PlaylistItem]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PlaylistItem.position",
    )


class PlaylistItem(Base):
    __tablename__ = "playlist_item"
    __table_args__ = (
        ForeignKeyConstraint(
            ["version_id", "playlist_id"],
            ["playlist.version_id", "playlist.id"],
            ondelete="CASCADE",
        ),
    )

    version_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    playlist_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    media_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    bulletin_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    valid_from: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    caption: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # Scheduling rules, as the manifest gives them (NULL: no rule).
    weekdays: Mapped[list | None] = mapped_column(JSON, nullable=True)
    dayparts: Mapped[list | None] = mapped_column(JSON, nullable=True)
    skip_dates: Mapped[list | None] = mapped_column(JSON, nullable=True)
    skip_holidays: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    languages: Mapped[list | None] = mapped_column(JSON, nullable=True)
    tags: Mapped[list | None] = mapped_column(JSON, nullable=True)
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # How it is drawn: fit, focus, caption_position, media_portrait, media_landscape.
    look: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class Bulletin(Base):
    __tablename__ = "bulletin"

    version_id: Mapped[str] = mapped_column(
        ForeignKey("content_version.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[dict] = mapped_column(JSON)
    body: Mapped[dict] = mapped_column(JSON)
    valid_from: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    alert: Mapped[str | None] = mapped_column(String(16), nullable=True)  # banner | fullscreen
    link: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    picture: Mapped[str | None] = mapped_column(String(64), nullable=True)  # a media sha256


class KioskDocument(Base):
    """A kiosk section document (services, menus, pages...) kept as validated JSON."""

    __tablename__ = "kiosk_document"

    version_id: Mapped[str] = mapped_column(
        ForeignKey("content_version.id", ondelete="CASCADE"), primary_key=True
    )
    section: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[dict] = mapped_column(JSON)


class LivePointer(Base):
    """The single row that says which version plays.

    The player polls ``generation`` (one row, one integer) to notice a new version.
    """

    __tablename__ = "live_pointer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    live_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("content_version.id"), nullable=True
    )
    previous_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("content_version.id"), nullable=True
    )
    generation: Mapped[int] = mapped_column(Integer, default=0)
    switched_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class SyncRun(Base):
    """One sync attempt's outcome, for technicians (`kiosk status`) and tests."""

    __tablename__ = "sync_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(16))
    version_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    files_fetched: Mapped[int] = mapped_column(Integer, default=0)
    bytes_fetched: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")


class AlertOverlay(Base):
    """Alerts of a newer manifest, shown before its media have all arrived.

    Alerts are text: they must not wait behind a large video of the version that
    carries them. The overlay replaces the live version's alerts until that version goes
    live (or another manifest replaces the overlay). One row at most.
    """

    __tablename__ = "alert_overlay"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_version: Mapped[str] = mapped_column(String(64))
    bulletins: Mapped[list] = mapped_column(JSON)
    set_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboxEntry(Base):
    """A record waiting to be uploaded (proof of play, heartbeat)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    payload: Mapped[dict] = mapped_column(JSON)


class Counter(Base):
    """Named counters a technician may need (e.g. outbox records dropped)."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
