"""``koshi feeds``: import registry feeds (QazETA authorizations, border events, registrations, permits)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Registry feeds: import batches, list batches.", no_args_is_help=True)
