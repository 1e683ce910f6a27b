"""The `mcdewey` command: one short function per command, each in the module of its topic."""

from mcdewey.cli.app import app

# Importing a topic module registers its commands on `app`.
from mcdewey.cli import library_cmds  # noqa: E402,F401
from mcdewey.cli import index_cmds  # noqa: E402,F401
from mcdewey.cli import serve_cmds  # noqa: E402,F401
from mcdewey.cli import eval_cmds  # noqa: E402,F401
from mcdewey.cli import compare_cmds  # noqa: E402,F401
from mcdewey.cli import tune_cmds  # noqa: E402,F401


def main() -> None:
    app()
