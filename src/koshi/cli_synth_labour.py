"""``koshi synth labour``: a seeded year of employers, staff, vacancies, work permits and quota needs."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from koshi.cli_io import err, fail, option_date, out
from koshi.synth.labour import FIRST_YEAR, FORMATS, LAST_YEAR, generate_labour, write_labour


def labour(
    output: Annotated[Path, typer.Option("-o", "--output", help="Output directory.")],
    employers: Annotated[int, typer.Option("--employers", help="Number of employers (1,817 in Dec 2025).")] = 1800,
    permits: Annotated[int, typer.Option("--permits", help="Number of work permits starting in the year.")] = 16000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same options, same files.")] = 0,
    year: Annotated[int, typer.Option("--year", help="The year the permits start in.")] = 2026,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet (quota_needs is always CSV).")] = "csv",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day the files describe (YYYY-MM-DD; default 31 Dec of --year)."),
    ] = None,
    all_states: Annotated[
        bool,
        typer.Option(
            "--all-states/--past-only",
            help="Also revoked, refused, withdrawn and open permits (the store imports issued and expired only).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
) -> None:
    """Generate a seeded synthetic year of foreign labour for the permit store and the fee simulation.

    Writes DIR/employers, DIR/staff, DIR/vacancies and DIR/permits (CSV or Parquet) and
    DIR/quota_needs.csv. The category mix is that of the permits in force on 1 Dec 2025,
    scaled to --permits; see koshi.synth.labour for every assumption. Synthetic people and
    companies only.
    """
    if employers < 1:
        fail(f"--employers must be at least 1, got {employers}")
    if permits < 1:
        fail(f"--permits must be at least 1, got {permits}")
    if seed < 0:
        fail(f"--seed must be a non-negative integer, got {seed}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        fail(f"--year must be between {FIRST_YEAR} and {LAST_YEAR} (the fee rules start in 2017), got {year}")
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    day = None if as_of is None else option_date(as_of, "--as-of")
    if day is not None and day.year < year - 1:
        fail(f"--as-of must be no earlier than {year - 1} (applications for {year} start then), got {as_of}")
    if output.exists() and not output.is_dir():
        fail(f"{output} exists and is not a directory")
    started = time.perf_counter()
    with err.status(f"generating {permits:,} permits", spinner="dots") if err.is_terminal else nullcontext():
        data = generate_labour(employers, permits, seed, year, day, all_states)
        try:
            paths = write_labour(data, output, fmt)
        except OSError as exc:
            fail(f"cannot write to {output}: {exc.strerror or exc}")
    summary = {
        **data.summary(),
        "seed": seed,
        "year": year,
        "format": fmt,
        "all_states": all_states,
        "as_of": (day or dt.date(year, 12, 31)).isoformat(),
        "output": str(output),
        "seconds": round(time.perf_counter() - started, 2),
    }
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    t = Table(title=f"Synthetic foreign labour {year} (seed {seed}) in {output}")
    t.add_column("")
    t.add_column("rows", justify="right")
    for name, path in paths.items():
        t.add_row(path.name, f"{summary[name]:,}")
    t.add_section()
    for key, value in summary.items():
        if isinstance(key, str) and key.startswith(("category:", "state:")):
            t.add_row(key.replace(":", " "), f"{value:,}")
    t.add_row("workers without an IIN", f"{summary['workers_without_iin']:,}")
    out.print(t)
    out.print(f"done in {summary['seconds']} s")
