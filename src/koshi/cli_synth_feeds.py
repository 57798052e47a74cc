"""``koshi synth feeds``: a seeded year of registry feeds with the ground truth kept aside."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from koshi.cli_io import err, fail, out
from koshi.synth.corrupt import FeedCorruption
from koshi.synth.feeds import FIRST_YEAR, FORMATS, LAST_YEAR, STEPS, generate_feeds, write_feeds


def _check(people: int, events: int | None, year: int, seed: int, fmt: str, rates: dict[str, float]) -> None:
    """One-line errors for bad options, before any work."""
    if people < 1:
        fail(f"--people must be at least 1, got {people}")
    if events is not None and events < people:
        fail(f"--events must be at least --people ({people}), got {events}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        fail(f"--year must be between {FIRST_YEAR} and {LAST_YEAR} (the stay rules start in 2023), got {year}")
    if seed < 0:
        fail(f"--seed must be a non-negative integer, got {seed}")
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    for option, value in rates.items():
        if not 0.0 <= value <= 1.0:
            fail(f"{option} must be between 0 and 1, got {value}")


def synth_feeds(
    people: Annotated[int, typer.Option("--people", help="Number of foreign travellers.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Output directory (feeds in it, ground truth in DIR/truth).")
    ],
    events: Annotated[
        int | None, typer.Option("--events", help="About this many border events (default: 5 per person).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same options, same files.")] = 0,
    year: Annotated[int, typer.Option("--year", help="The calendar year of the feeds.")] = 2026,
    fmt: Annotated[
        str, typer.Option("--format", help="Feed files: parquet, csv or jsonl (the truth is always Parquet).")
    ] = "parquet",
    overstay_rate: Annotated[
        float, typer.Option("--overstay-rate", help="Share of people made to overstay (0-1).")
    ] = 0.02,
    dropped_exit_rate: Annotated[
        float, typer.Option("--dropped-exit-rate", help="Share of exits missing from the border feed (0-1).")
    ] = 0.003,
    eta_share: Annotated[
        float, typer.Option("--eta-share", help="Share of visa-free travellers applying for a QazETA ETA (0-1).")
    ] = 0.10,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Leave out records made after this day (YYYY-MM-DD): a year up to today."),
    ] = None,
    corrupt: Annotated[
        bool,
        typer.Option(
            "--corrupt/--no-corrupt",
            help="Corrupt identities as each source types them (typos, transliterations, swaps...), for linkage.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
) -> None:
    """Generate a seeded, realistic year of the four registry feeds, with the ground truth kept aside.

    Writes DIR/authorizations, DIR/border_events, DIR/registrations and DIR/permits in
    the chosen format, and DIR/truth/{persons,documents,stays,records,injected}.parquet:
    who each record belongs to, every real stay (with the exits the border feed lost) and
    the overstays injected on purpose. With --corrupt, names, birth dates, sex and
    document numbers are corrupted as each source types them, and DIR/truth/corruptions.parquet
    says which record got what. Synthetic people only.
    """
    rates = {"--overstay-rate": overstay_rate, "--dropped-exit-rate": dropped_exit_rate, "--eta-share": eta_share}
    _check(people, events, year, seed, fmt, rates)
    try:
        cutoff = None if until is None else dt.date.fromisoformat(until)
    except ValueError:
        fail(f"--until {until!r} is not a date in the form YYYY-MM-DD")
    if output.exists() and not output.is_dir():
        fail(f"{output} exists and is not a directory")
    started = time.perf_counter()
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task(f"generating {people:,} people", total=len(STEPS))

        def step(name: str) -> None:
            progress.update(task, completed=STEPS.index(name), description=f"generating: {name}")

        try:
            feeds = generate_feeds(
                people,
                seed,
                year=year,
                events=events,
                overstay_rate=overstay_rate,
                dropped_exit_rate=dropped_exit_rate,
                eta_share=eta_share,
                corruption=FeedCorruption() if corrupt else None,
                progress=step,
            )
        except ValueError as exc:
            fail(str(exc))
        progress.update(task, completed=len(STEPS))
        if cutoff is not None:
            feeds = feeds.known_on(cutoff)
        rows = sum(t.num_rows for t in (*feeds.feeds().values(), *feeds.truth().values()))
        writing = progress.add_task(f"writing {fmt} to {output}", total=rows)
        try:
            write_feeds(feeds, output, fmt, lambda _name, n: progress.advance(writing, n))
        except OSError as exc:
            fail(f"cannot write to {output}: {exc.strerror or exc}")
    summary = {
        **feeds.summary(),
        "seed": seed,
        "year": year,
        "format": fmt,
        "corrupt": corrupt,
        "output": str(output),
        "seconds": round(time.perf_counter() - started, 2),
    }
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    t = Table(title=f"Synthetic feeds {year} (seed {seed}) in {output}")
    t.add_column("")
    t.add_column("rows", justify="right")
    for key in ("authorizations", "border_events", "registrations", "permits"):
        t.add_row(f"{key}.{fmt}", f"{summary[key]:,}")
    t.add_section()
    for key, label in (
        ("people", "people (truth/persons)"),
        ("stays", "true stays (truth/stays)"),
        ("injected_overstays", "injected overstays"),
        ("dropped_exits", "exits dropped from the feed"),
        ("corrupted_records", "records with corrupted identities"),
    ):
        if key in summary:
            t.add_row(label, f"{summary[key]:,}")
    out.print(t)
    out.print(f"done in {summary['seconds']} s")
