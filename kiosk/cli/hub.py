"""`kiosk hub …`: the town's hub (hub/cli.py; building the parser loads none of its libraries)."""
from __future__ import annotations

from kiosk.cli._common import Commands, Subcommands


def register(sub: Subcommands) -> Commands:
    from hub.cli import add_hub_commands  # serve, migrate, create-admin, enrol-code, metrics-token

    commands: Commands = {}
    add_hub_commands(sub, commands)
    return commands
