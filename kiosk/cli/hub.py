"""`kiosk hub …`: the town's hub (hub/cli.py; building the parser loads none of its libraries)."""
from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.cli._common import Commands, Subcommands
from kiosk.cli.content import site_timezone
from kiosk.cli.logtime import use_town_time


def register(sub: Subcommands) -> Commands:
    from hub.cli import add_hub_commands  # serve, migrate, create-admin, enrol-code, metrics-token

    commands: Commands = {}
    add_hub_commands(sub, commands)
    run_hub = commands["hub"]

    def in_town_time(args: argparse.Namespace) -> int:
        # The hub's log lines tell the town's time (its content's site.toml), as the
        # screens and the editor do, whatever the server's own zone.
        content = getattr(args, "content", None)
        if isinstance(content, Path):
            use_town_time(site_timezone(content))
        return run_hub(args)

    commands["hub"] = in_town_time
    return commands
