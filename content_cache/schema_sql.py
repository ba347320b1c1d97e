"""The cache's tables as SQL, to create a database without SQLAlchemy.

These are the statements ``Base.metadata.create_all`` (content_cache.models) issues, as
SQLite keeps them in ``sqlite_master``; :class:`content_cache.light.LightCache` creates a
first database with them. A test creates a database both ways and compares: a change to
the models fails it until this file (and SCHEMA_VERSION) is updated; the test prints the
new statements.
"""
from __future__ import annotations

SCHEMA_SQL: tuple[str, ...] = (
    """\
CREATE TABLE content_version (
    id VARCHAR(64) NOT NULL,
    schema_version INTEGER NOT NULL,
    published_at DATETIME NOT NULL,
    received_at DATETIME NOT NULL,
    manifest_sha256 VARCHAR(64) NOT NULL,
    etag VARCHAR(256),
    site_id VARCHAR(64) NOT NULL,
    site_name JSON NOT NULL,
    timezone VARCHAR(64) NOT NULL,
    languages JSON NOT NULL,
    default_playlist VARCHAR(64) NOT NULL,
    holidays JSON,
    neutrality JSON,
    layout JSON,
    PRIMARY KEY (id)
)""",
    """\
CREATE TABLE media_file (
    sha256 VARCHAR(64) NOT NULL,
    size INTEGER NOT NULL,
    verified_at DATETIME NOT NULL,
    problem VARCHAR(32),
    PRIMARY KEY (sha256)
)""",
    """\
CREATE TABLE sync_run (
    id INTEGER NOT NULL,
    started_at DATETIME NOT NULL,
    finished_at DATETIME NOT NULL,
    outcome VARCHAR(16) NOT NULL,
    version_id VARCHAR(64),
    files_fetched INTEGER NOT NULL,
    bytes_fetched INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (id)
)""",
    """\
CREATE TABLE alert_overlay (
    id INTEGER NOT NULL,
    source_version VARCHAR(64) NOT NULL,
    bulletins JSON NOT NULL,
    set_at DATETIME NOT NULL,
    PRIMARY KEY (id)
)""",
    """\
CREATE TABLE outbox (
    id INTEGER NOT NULL,
    kind VARCHAR(16) NOT NULL,
    idempotency_key VARCHAR(64) NOT NULL,
    created_at DATETIME NOT NULL,
    payload JSON NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (idempotency_key)
)""",
    """\
CREATE TABLE counter (
    name VARCHAR(64) NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (name)
)""",
    """\
CREATE TABLE version_media (
    version_id VARCHAR(64) NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    size INTEGER NOT NULL,
    mime_type VARCHAR(64) NOT NULL,
    name VARCHAR(255) NOT NULL,
    duration_s FLOAT,
    PRIMARY KEY (version_id, sha256),
    FOREIGN KEY(version_id) REFERENCES content_version (id) ON DELETE CASCADE,
    FOREIGN KEY(sha256) REFERENCES media_file (sha256)
)""",
    """\
CREATE TABLE playlist (
    version_id VARCHAR(64) NOT NULL,
    id VARCHAR(64) NOT NULL,
    name JSON NOT NULL,
    look JSON,
    PRIMARY KEY (version_id, id),
    FOREIGN KEY(version_id) REFERENCES content_version (id) ON DELETE CASCADE
)""",
    """\
CREATE TABLE bulletin (
    version_id VARCHAR(64) NOT NULL,
    id VARCHAR(64) NOT NULL,
    category VARCHAR(32) NOT NULL,
    severity VARCHAR(16) NOT NULL,
    title JSON NOT NULL,
    body JSON NOT NULL,
    valid_from DATETIME,
    valid_until DATETIME,
    alert VARCHAR(16),
    link VARCHAR(2000),
    picture VARCHAR(64),
    PRIMARY KEY (version_id, id),
    FOREIGN KEY(version_id) REFERENCES content_version (id) ON DELETE CASCADE
)""",
    """\
CREATE TABLE kiosk_document (
    version_id VARCHAR(64) NOT NULL,
    section VARCHAR(32) NOT NULL,
    id VARCHAR(64) NOT NULL,
    body JSON NOT NULL,
    PRIMARY KEY (version_id, section, id),
    FOREIGN KEY(version_id) REFERENCES content_version (id) ON DELETE CASCADE
)""",
    """\
CREATE TABLE live_pointer (
    id INTEGER NOT NULL,
    live_version_id VARCHAR(64),
    previous_version_id VARCHAR(64),
    generation INTEGER NOT NULL,
    switched_at DATETIME,
    PRIMARY KEY (id),
    FOREIGN KEY(live_version_id) REFERENCES content_version (id),
    FOREIGN KEY(previous_version_id) REFERENCES content_version (id)
)""",
    """\
CREATE TABLE playlist_item (
    version_id VARCHAR(64) NOT NULL,
    playlist_id VARCHAR(64) NOT NULL,
    position INTEGER NOT NULL,
    id VARCHAR(64) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    media_sha256 VARCHAR(64),
    bulletin_id VARCHAR(64),
    duration_s FLOAT,
    valid_from DATETIME,
    valid_until DATETIME,
    caption JSON,
    weekdays JSON,
    dayparts JSON,
    skip_dates JSON,
    skip_holidays BOOLEAN NOT NULL,
    priority INTEGER NOT NULL,
    weight INTEGER NOT NULL,
    languages JSON,
    tags JSON,
    category VARCHAR(32),
    look JSON,
    PRIMARY KEY (version_id, playlist_id, position),
    FOREIGN KEY(version_id, playlist_id) REFERENCES playlist (version_id, id) ON DELETE CASCADE
)""",
)
