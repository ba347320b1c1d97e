"""Errors of the content cache."""


class CacheError(Exception):
    """Base class of content cache errors."""


class MissingMediaError(CacheError):
    """A version was offered for activation while some of its files are absent."""
