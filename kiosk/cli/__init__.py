"""The `kiosk` command (``kiosk.cli:main``), run by a technician, the systemd units and CI.

One module per command group, each with a ``register(subcommands)`` that adds its
sub-commands and returns their handlers (:data:`COMMAND_GROUPS`; a new group is one more
entry there). Handlers import what they need when they run, so ``kiosk sync --once``
loads no player, hub or Kivy code. Errors a technician can act on are printed as one line
(``kiosk: error: ...``) with a documented exit code; tracebacks are for bugs only.
"""
from __future__ import annotations

import argparse
import logging
import sys

from kiosk import __version__
from kiosk.cli import content, demo, device, hub, player, preview, reports, sync
from kiosk.cli._common import Handler, Register

# In the order `kiosk --help` lists them.
COMMAND_GROUPS: tuple[Register, ...] = (
    content.register,  # publish, sources, serve
    sync.register,  # sync
    player.register,  # player, status, screenshot, next, show-test-card, watchdog-test
    preview.register,  # preview
    demo.register,  # demo
    device.register,  # provision, doctor, import
    reports.register,  # report plays|neutrality
    hub.register,  # hub serve|migrate|create-admin|enrol-code|metrics-token
)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; each sub-command's handler is its ``handler`` default."""
    p = argparse.ArgumentParser(prog="kiosk", description="Town touch-kiosk and signage player.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    handlers: dict[str, Handler] = {}
    for register in COMMAND_GROUPS:
        for name, handler in register(sub).items():
            if name in handlers or name not in sub.choices:
                raise RuntimeError(f"command group {register.__module__}: {name!r} registered twice or not added")
            handlers[name] = handler
            sub.choices[name].set_defaults(handler=handler)
    return p


def _configure_logging(verbose: bool) -> None:
    from kiosk.cli.logtime import TownTimeFormatter

    handler = logging.StreamHandler(sys.stderr)
    # the town's time with its offset (kiosk.cli.logtime), to match a line with the screen's clock
    handler.setFormatter(TownTimeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
    # APScheduler logs every job run at INFO: a small journal must keep state changes only.
    for noisy in ("urllib3", "kivy", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
