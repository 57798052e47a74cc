"""What every ``koshi`` command shares on the terminal: the two consoles, one-line errors, dates from options.

Errors go to stderr as one line and exit 2 (bad input) unless told otherwise; the message
is printed literally, so a path or a value with ``[brackets]`` is never taken for markup.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


def progress_bar() -> Progress:
    """A progress bar for long work, on stderr and only on a terminal (pipes and tests see nothing)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error and exit (2 = bad input)."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def option_date(value: str | None, option: str = "--on") -> dt.date:
    """The date an option names (YYYY-MM-DD), today when it is not given."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not a date in the form YYYY-MM-DD")
