"""``koshi stay`` and ``koshi registry``: stay rules per person and overstays for everyone."""

from __future__ import annotations

import typer

stay_app = typer.Typer(help="Stay rules: days used, overstays, latest lawful exit.", no_args_is_help=True)
registry_app = typer.Typer(help="The registry of foreigners: stay status for everyone.", no_args_is_help=True)
