"""Exit codes of the `kiosk` command (documented in `kiosk sync --help` and the README)."""

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_INVALID = 4
EXIT_INCOMPLETE = 5
EXIT_REFUSED = 6
EXIT_STOPPED = 7
EXIT_STALE_SOURCES = 8  # kiosk publish: published, but a content source is stale (hub/sources/cli.py)
EXIT_BUSY = 9  # kiosk sync: another sync (or import) writes the cache: one writer at a time
EXIT_NO_SPACE = 10  # kiosk sync: no space left on the data folder's disk
EXIT_READ_ONLY = 11  # kiosk sync: the data folder cannot be written (read-only mount, no permission)
