"""The `mcdewey` command: one short function per command, each in the module of its topic."""

from mcdewey.cli.app import app

# Importing a topic module registers its commands on `app`.
from mcdewey.cli import library_cmds  # noqa: E402,F401


def main() -> None:
    app()
