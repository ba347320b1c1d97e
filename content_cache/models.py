"""The cache's tables in SQLAlchemy, built from their one definition (content_cache.schema).

``ContentCache.open`` creates the schema from :data:`metadata`; the outbox and the sync
history are read and written through :data:`SA_TABLES` (SQLAlchemy Core). The mapped
classes below carry only what the definition cannot say: the relationships of a content
version's rows, so a version can be built as one graph of objects and handed to
``ContentCache.install_version`` (whose writes are the SQL of ``writes``).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, relationship
from sqlalchemy.types import TypeEngine

from . import schema
from .errors import NaiveDatetimeError
from .schema import TABLES, ColumnSpec, TableSpec


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC; SQLite itself would drop the offset."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise NaiveDatetimeError("naive datetime given to the content cache")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _type(column: ColumnSpec) -> TypeEngine[Any]:
    if column.type == schema.VARCHAR:
        return String(column.length)
    if column.type == schema.DATETIME:
        return UtcDateTime()
    simple: dict[str, TypeEngine[Any]] = {
        schema.INTEGER: Integer(), schema.FLOAT: Float(), schema.TEXT: Text(), schema.JSON: JSON(),
        schema.BOOLEAN: Boolean(),
    }
    return simple[column.type]


def _table(spec: TableSpec, metadata: MetaData) -> Table:
    # Constraints in the order the plain SQL writes them (content_cache.schema.create_statement).
    columns = [Column(c.name, _type(c), nullable=c.nullable, primary_key=c.primary_key, default=c.default)
               for c in spec.columns]
    unique = [UniqueConstraint(c.name) for c in spec.columns if c.unique]
    foreign = [
        ForeignKeyConstraint(list(fk.columns), [f"{fk.table}.{r}" for r in fk.refers_to], ondelete=fk.on_delete)
        for fk in spec.foreign_keys
    ]
    return Table(spec.name, metadata, *columns, *unique, *foreign)


metadata = MetaData()
SA_TABLES: dict[str, Table] = {spec.name: _table(spec, metadata) for spec in TABLES}


class Base(DeclarativeBase):
    metadata = metadata


class ContentVersion(Base):
    __table__ = SA_TABLES["content_version"]

    playlists: Mapped[list[Playlist]] = relationship(
        back_populates="version", cascade="all, delete-orphan", passive_deletes=True
    )
    bulletins: Mapped[list[Bulletin]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    media: Mapped[list[VersionMedia]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    kiosk_documents: Mapped[list[KioskDocument]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class MediaFile(Base):
    __table__ = SA_TABLES["media_file"]


class VersionMedia(Base):
    __table__ = SA_TABLES["version_media"]


class Playlist(Base):
    __table__ = SA_TABLES["playlist"]

    version: Mapped[ContentVersion] = relationship(back_populates="playlists")
    items: Mapped[list[PlaylistItem]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="PlaylistItem.position"
    )


class PlaylistItem(Base):
    __table__ = SA_TABLES["playlist_item"]


class Bulletin(Base):
    __table__ = SA_TABLES["bulletin"]


class KioskDocument(Base):
    __table__ = SA_TABLES["kiosk_document"]
