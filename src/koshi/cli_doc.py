"""``koshi doc``: read and check identity documents (MRZ, IIN, BIN)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Identity documents: MRZ lines, IIN and BIN.", no_args_is_help=True)
