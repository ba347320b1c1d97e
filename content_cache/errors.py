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
