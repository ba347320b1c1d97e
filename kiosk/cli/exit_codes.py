"""Exit codes of the `kiosk` command (documented in `kiosk sync --help` and the README)."""

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_INVALID = 4
EXIT_INCOMPLETE = 5
EXIT_REFUSED = 6
EXIT_STOPPED = 7
EXIT_STALE_SOURCES = 8  # kiosk publish: published, but a content source is stale (hub/sources/cli.py)
