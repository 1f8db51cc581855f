"""The `siar` command line: a thin shell over the service modules."""

from scheduler.cli import (  # noqa: F401  (importing a module registers its commands)
    connect_cmds,
    content_cmds,
    login_cmds,
    ops_cmds,
    partner_cmds,
    plan_cmds,
    platform_cmds,
    post_cmds,
    results_cmds,
    review_cmds,
    user_cmds,
    web_cmds,
)
from scheduler.cli.app import app


def main() -> None:
    app()
