"""Errors of the content cache: every one it raises derives from :class:`CacheError`.

(Failures of the system underneath — ``OSError`` of the disk, ``sqlite3.Error`` of the
database file — pass through as they are.) Errors that are also a bad value or a bad key
keep that standard base too (``ValueError``, ``KeyError``).
"""


class CacheError(Exception):
    """Base class of content cache errors."""


class MissingMediaError(CacheError):
    """A version was offered for activation while some of its files are absent."""


class QuotaExceeded(CacheError):
    """A version cannot fit in ``cache.max_bytes`` beside the live one."""


class SchemaMismatch(CacheError):
    """The database is missing, empty or of another schema version: open it the full way."""


class NaiveDatetimeError(CacheError, ValueError):
    """A datetime without a time zone was given to be stored (the cache stores instants)."""


class UnknownColumn(CacheError, KeyError):
    """A row names a column (or a table) the cache does not have: a typo must not drop a value."""


class StoreError(CacheError):
    """Base class of media store errors."""


class InvalidDigest(StoreError, ValueError):
    """Not a lowercase hex sha256 (never used to build a path)."""


class MediaVerificationError(StoreError):
    """Bytes received do not match the expected sha256 or size."""


class PartialBusy(StoreError):
    """The partial download is being written by another writer (it holds its lock)."""


class StorageFault(CacheError):
    """The disk under the cache refuses a write: full, read-only, or not ours to write.

    ``folder`` is the folder named to the technician; the message is one line, with the
    cause (and a remedy where there is one).
    """

    def __init__(self, message: str, folder: object = None) -> None:
        super().__init__(message)
        self.folder = folder


class NoSpace(StorageFault):
    """No space left on the data folder's filesystem (ENOSPC, SQLite's "disk is full")."""

    def __init__(self, message: str, folder: object = None, free: int = 0) -> None:
        super().__init__(message, folder)
        self.free = free


class ReadOnlyFolder(StorageFault):
    """The data folder cannot be written: a read-only mount, or no write permission."""


class DamagedDatabase(CacheError):
    """The cache's database file is damaged (not a database, malformed, fails quick_check)."""


class WriterBusy(CacheError):
    """Another process writes this cache (a sync, an import): one writer at a time."""

    def __init__(self, message: str, pid: int | None = None, role: str = "") -> None:
        super().__init__(message)
        self.pid = pid
        self.role = role
