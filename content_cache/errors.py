"""Errors of the content cache."""


class CacheError(Exception):
    """Base class of content cache errors."""


class MissingMediaError(CacheError):
    """A version was offered for activation while some of its files are absent."""


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
