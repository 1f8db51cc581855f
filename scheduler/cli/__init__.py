"""The `siar` command line: a thin shell over the service modules."""

from scheduler.cli import content_cmds, plan_cmds  # noqa: F401  (registers the commands)
from scheduler.cli.app import app


def main() -> None:
    app()
