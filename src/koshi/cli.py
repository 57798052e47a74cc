"""``koshi`` command line: ``koshi <area> <verb>``; exit 0 ok, 1 failed check, 2 bad input."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
from rich.table import Table

from koshi import (
    cli_agency,
    cli_doc,
    cli_feeds,
    cli_labour,
    cli_link,
    cli_resettle,
    cli_service,
    cli_stay,
    cli_synth_feeds,
    cli_synth_labour,
)
from koshi.cli_io import err, fail, option_date, out, progress_bar
from koshi.rules import engine, provenance
from koshi.rules.explain import render
from koshi.rules.schema import input_schema
from koshi.rules.summary import summarise
from koshi.rules.system import packs
from koshi.rules.validation import InputTableError, RowError
from koshi.tabular import TableFileError, read_table, write_table

app = typer.Typer(help="Koshi: migration decisions by transparent, dated rules.", no_args_is_help=True)
policy_app = typer.Typer(help="Policy packs: list, show parameters, input schema.", no_args_is_help=True)
synth_app = typer.Typer(help="Seeded synthetic data (no real person's data).", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(synth_app, name="synth")
app.add_typer(cli_service.db_app, name="db")
app.add_typer(cli_service.users_app, name="users")
app.add_typer(cli_service.cases_app, name="cases")
app.add_typer(cli_service.audit_app, name="audit")
app.add_typer(cli_service.demo_app, name="demo")
app.command("serve")(cli_service.serve)
app.add_typer(cli_doc.app, name="doc")
app.add_typer(cli_feeds.app, name="feeds")
app.add_typer(cli_stay.stay_app, name="stay")
app.add_typer(cli_stay.registry_app, name="registry")
app.add_typer(cli_link.app, name="link")
app.add_typer(cli_labour.app, name="labour")
app.add_typer(cli_agency.app, name="agencies")
app.add_typer(cli_resettle.app, name="resettle")
synth_app.command("feeds")(cli_synth_feeds.synth_feeds)
synth_app.command("labour")(cli_synth_labour.labour)

CHUNK = 250_000

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
OnOpt = Annotated[str | None, typer.Option("--on", help="Evaluate as of this date (YYYY-MM-DD); default today.")]


def _pack(pack_id: str) -> Any:
    try:
        return engine.get_pack(pack_id)
    except engine.UnknownPack as exc:
        fail(str(exc))


def _snapshot(pack: Any, on: dt.date) -> provenance.PolicySnapshot:
    try:
        return provenance.snapshot(pack, on)
    except provenance.PolicyNotInForce as exc:
        fail(str(exc))


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


@policy_app.command("list")
def policy_list(as_json: JsonOpt = False) -> None:
    """List the policy packs."""
    rows = [
        {
            "id": p.id,
            "title": p.title,
            "jurisdiction": p.jurisdiction,
            "effective_from": p.effective_from.isoformat(),
            "legal_basis": p.legal_basis,
        }
        for p in packs().values()
    ]
    if as_json:
        _print_json(rows)
        return
    t = Table(title="Policy packs")
    for col in ("id", "title", "jurisdiction", "in force from"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["id"], r["title"], r["jurisdiction"], r["effective_from"])
    out.print(t)


def _fmt_value(v: Any) -> str:
    if isinstance(v, list):
        return "  ".join(f"≥{b.get('threshold')}: {b.get('amount', b.get('rate'))}" for b in v)
    return str(v)


@policy_app.command("show")
def policy_show(
    pack_id: Annotated[str, typer.Argument(metavar="PACK")], on: OnOpt = None, as_json: JsonOpt = False
) -> None:
    """Show every parameter of PACK in force on a date, with its effective date, provenance and source."""
    pack = _pack(pack_id)
    day = option_date(on)
    snap = _snapshot(pack, day)
    leaves = [
        {
            **dataclasses.asdict(leaf),
            "since": leaf.since.isoformat(),
            "references": [dataclasses.asdict(r) for r in provenance.references(leaf.path)],
        }
        for leaf in snap.leaves
    ]
    if as_json:
        _print_json(
            {
                "pack": pack.id,
                "as_of": day.isoformat(),
                "version_date": snap.version_date.isoformat(),
                "parameters_hash": snap.parameters_hash,
                "parameters": leaves,
            }
        )
        return
    out.print(f"[bold]{pack.title}[/]\nas of {day}, version {snap.version_date}, parameters {snap.parameters_hash}")
    t = Table(show_lines=True)
    for col in ("parameter", "value", "since", "unit", "provenance", "source"):
        t.add_column(col, overflow="fold")
    for leaf in leaves:
        refs = leaf["references"]
        t.add_row(
            leaf["path"],
            _fmt_value(leaf["value"]),
            leaf["since"],
            leaf["unit"] or "",
            leaf["provenance"] or "",
            refs[0]["title"] if refs else "",
        )
    out.print(t)


@policy_app.command("schema")
def policy_schema(pack_id: Annotated[str, typer.Argument(metavar="PACK")]) -> None:
    """Print the JSON Schema of PACK's input profile."""
    _print_json(input_schema(_pack(pack_id)))


@app.command("score")
def score(
    pack_id: Annotated[str, typer.Argument(metavar="PACK", help="Policy pack id, e.g. kz.permanent_residence")],
    file: Annotated[Path, typer.Argument(help="Profiles: .csv, .jsonl or .parquet")],
    on: OnOpt = None,
    as_json: JsonOpt = False,
    explain: Annotated[bool, typer.Option("--explain", help="Per-profile explanation with legal references.")] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write results (.csv, .jsonl, .parquet).")
    ] = None,
) -> None:
    """Score every profile in FILE with PACK as of a date.

    Rows with bad values are reported on stderr (row, field, reason) and the rest are
    still scored; the exit code is then 2.  With -o the breakdown columns are written
    to OUT; with --explain and a .jsonl OUT, the full explanations are written instead.
    """
    pack = _pack(pack_id)
    day = option_date(on)
    _snapshot(pack, day)
    try:
        table = read_table(file)
        if output is not None:
            from koshi.tabular import file_format

            file_format(output)
    except TableFileError as exc:
        fail(str(exc))
    results: list[engine.ScoreResult] = []
    errors: list[RowError] = []
    with progress_bar() as progress:
        task = progress.add_task(f"scoring with {pack.id}", total=table.num_rows)
        for start in range(0, max(table.num_rows, 1), CHUNK):
            try:
                res = engine.score_table(pack, table.slice(start, CHUNK), day, offset=start)
            except InputTableError as exc:
                fail(f"{file}: {exc}")
            results.append(res)
            errors.extend(res.errors)
            progress.advance(task, min(CHUNK, table.num_rows - start))
    public = pa.concat_tables([engine.public_table(r) for r in results])
    for e in errors:
        err.print(f"[red]rejected[/] {e}", highlight=False, markup=True)
    explanations = [ex for r in results for ex in r.explanations()] if explain else []
    if output is not None:
        from koshi.tabular import file_format

        if explain and file_format(output) == "jsonl":
            with output.open("w", encoding="utf-8") as fh:
                for ex in explanations:
                    fh.write(ex.model_dump_json() + "\n")
        else:
            write_table(public, output)
    if explain and output is None:
        if as_json:
            for ex in explanations:
                sys.stdout.write(ex.model_dump_json() + "\n")
        else:
            for ex in explanations:
                out.print(render(ex))
    elif as_json and output is None:
        for batch in public.to_batches(max_chunksize=65536):
            for row in batch.to_pylist():
                sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    elif not explain:
        _print_summary(pack, public, errors, day, as_json)
    if errors:
        err.print(
            f"{len(errors)} value(s) rejected in {len({e.row for e in errors})} row(s); those rows were not scored"
        )
        raise typer.Exit(2)


def _print_summary(pack: Any, public: pa.Table, errors: list[RowError], day: dt.date, as_json: bool) -> None:
    s = summarise(pack, public, len({e.row for e in errors}))
    if as_json:
        _print_json({"pack": pack.id, "as_of": day.isoformat(), **dataclasses.asdict(s)})
        return
    t = Table(title=f"{pack.title} — as of {day}")
    t.add_column("decision")
    t.add_column("profiles", justify="right")
    t.add_column("share", justify="right")
    for decision, count in s.decisions.items():
        t.add_row(decision, f"{count:,}", f"{count / max(s.scored, 1):.1%}")
    t.add_row("[bold]scored[/]", f"{s.scored:,}", "")
    t.add_row("rejected rows", f"{s.rejected_rows:,}", "")
    out.print(t)
    q = s.total_quantiles
    out.print(f"score: mean {s.total_mean:.1f}, p10 {q['p10']:.0f}, median {q['p50']:.0f}, p90 {q['p90']:.0f}")
    if s.gates_fired:
        out.print("checks fired: " + ", ".join(f"{k} {v:,}" for k, v in s.gates_fired.items()))


@synth_app.command("applicants")
def synth_applicants(
    n: Annotated[int, typer.Argument(help="Number of applicants", min=1)],
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same file.")] = 0,
    output: Annotated[Path, typer.Option("-o", "--output", help="Output .csv, .jsonl or .parquet")] = Path(
        "var/applicants.parquet"
    ),
) -> None:
    """Generate N seeded synthetic applicants (origins, occupations, education, languages, families)."""
    from koshi.synth.applicants import generate_applicants

    try:
        from koshi.tabular import file_format

        file_format(output)
    except TableFileError as exc:
        fail(str(exc))
    with progress_bar() as progress:
        progress.add_task(f"generating {n:,} applicants", total=None)
        table = generate_applicants(n, seed)
        write_table(table, output)
    out.print(f"wrote {table.num_rows:,} applicants (seed {seed}) to {output}")


def main() -> None:  # pragma: no cover - console entry point
    """Entry point for ``python -m koshi``."""
    app()
