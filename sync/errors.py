"""Errors of sync: every one it raises derives from :class:`SyncError`; the message is one
line for a technician.

Errors that are also a bad value keep that standard base too (``ValueError``). The one
exception: :meth:`sync.ContentApiClient.post_json` (one upload POST, never retried: the
caller's schedule is the retry) lets requests' own errors through for its caller to word.
"""
from __future__ import annotations


class SyncError(Exception):
    """Base class of sync errors; the message is one line for a technician."""


class InvalidSettings(SyncError, ValueError):
    """A sync setting cannot be used as given (e.g. a device id that is not a safe name)."""


class ApiUnreachable(SyncError):
    """The server (or the content pack) could not be read, or answered with an HTTP error."""


class MediaDownloadError(SyncError):
    """A media file could not be downloaded or failed verification."""


class Stopped(SyncError):
    """The sync was asked to stop (SIGTERM); partial downloads are kept for resuming."""
