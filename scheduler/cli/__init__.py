"""The `siar` command line: a thin shell over the service modules. Importing this package
registers the commands of the modules scheduler.cli_loading names (all of them unless the
`siar` entry point chose fewer for its command word)."""

from importlib import import_module

from scheduler.cli.app import app
from scheduler.cli_loading import command_modules
from scheduler.cli_loading import main as main

__all__ = ["app", "main"]

for _module in command_modules():  # importing a module registers its commands
    import_module(f"scheduler.cli.{_module}")
