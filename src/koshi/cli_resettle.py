"""``koshi resettle``: internal migration. Load settlements, housing, vacancies, families and follow-ups; check
applicants; show the quota; match families to vacancies; support totals; one family; synthetic data and the demo.

Imports act as the **system** (audit role ``system``): whoever runs them holds the database. A file is one
batch in one transaction (:mod:`koshi.store.resettle_import`): each row goes through the store's checks in
a savepoint, bad rows are listed (1-based row, field, reason; never the head's IIN) and the good ones kept;
a rerun adds nothing.

Exit codes: 0 every row accepted or unchanged, 1 some rows rejected, 2 bad input (an unreadable file, a
missing column, a bad option).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from koshi.cli_io import err, fail, option_date, out, progress_bar
from koshi.reference.regions import BY_KATO
from koshi.settings import settings
from koshi.tabular import TableFileError, read_table

if TYPE_CHECKING:
    from koshi.store.batch import ImportReport
    from koshi.store.cases import Actor
    from koshi.store.resettle_import import Kind

app = typer.Typer(
    help="Internal migration: resettlers and kandas, receiving settlements, vacancies, matching, support.",
    no_args_is_help=True,
)
settlements_app = typer.Typer(help="Receiving settlements (KATO) and their rent allowance.", no_args_is_help=True)
housing_app = typer.Typer(help="Employer, service and rental housing.", no_args_is_help=True)
vacancies_app = typer.Typer(help="Vacancies offered to resettlers.", no_args_is_help=True)
families_app = typer.Typer(help="Families' applications.", no_args_is_help=True)
followup_app = typer.Typer(help="Follow-ups at 3, 6 and 12 months after arrival.", no_args_is_help=True)
app.add_typer(settlements_app, name="settlements")
app.add_typer(housing_app, name="housing")
app.add_typer(vacancies_app, name="vacancies")
app.add_typer(families_app, name="families")
app.add_typer(followup_app, name="followup")

SHOWN_ERRORS = 20
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
ErrorsOpt = Annotated[
    Path | None, typer.Option("--errors", help="Write every rejected row (row, field, reason) to this CSV file.")
]
FileArg = Annotated[Path, typer.Argument(help="A .csv, .jsonl or .parquet file")]
YearOpt = Annotated[int | None, typer.Option("--year", help="The quota year; default this year.")]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _region(kato: str | None) -> str:
    if kato is None:
        return "-"
    region = BY_KATO.get(kato[:2] + "0000000")
    return region.name_en if region else kato


@contextmanager
def _session() -> Iterator[Session]:
    """One transaction on the configured database (imported late: ``koshi --help`` stays fast)."""
    from koshi.store.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(settings().database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _system() -> Actor:
    from koshi.store.resettle_import import SYSTEM

    return SYSTEM


def _store_error(exc: Exception) -> str:
    from koshi.store.resettle import ResettleError

    if isinstance(exc, ResettleError):
        return f"{exc.field}: {exc.message}" if exc.field else exc.message
    return str(exc)


def _write_errors(path: Path, report: ImportReport) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["row", "field", "reason"])
        w.writerows([e.row, e.field, e.reason] for e in report.errors)


def _print_report(report: ImportReport, as_json: bool) -> None:
    counts = {k: getattr(report, k) for k in ("rows", "added", "updated", "unchanged", "rejected")}
    if as_json:
        payload = {"kind": report.kind, **counts, "errors": [asdict(e) for e in report.errors[:1000]]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    out.print(
        f"{report.kind}: {report.rows} rows, {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected",
        highlight=False,
    )
    for e in report.errors[:SHOWN_ERRORS]:
        err.print(f"rejected {e}", highlight=False, markup=False)
    if report.rejected > SHOWN_ERRORS:
        err.print(f"... and {report.rejected - SHOWN_ERRORS} more (--errors FILE lists them all)", highlight=False)


def _import(kind: Kind, file: Path, as_json: bool, errors_file: Path | None) -> None:
    from koshi.store import batch, resettle_import

    try:
        table = read_table(file)
        resettle_import.check_columns(table, kind)
    except (TableFileError, batch.ImportFileError) as exc:
        fail(f"{file}: {str(exc).splitlines()[0]}")
    with progress_bar() as progress, _session() as session:
        task = progress.add_task(f"{kind} from {file.name}", total=table.num_rows)

        def advance(n: int) -> None:
            progress.advance(task, n)

        report = resettle_import.IMPORTERS[kind](session, table, _now(), advance, actor=_system())
    if errors_file is not None:
        _write_errors(errors_file, report)
    _print_report(report, as_json)
    if report.errors:
        raise typer.Exit(1)


# --- imports -----------------------------------------------------------------------------------------


@settlements_app.command("import")
def import_settlements(file: FileArg, as_json: JsonOpt = False, errors: ErrorsOpt = None) -> None:
    """Settlements: kato (9 digits, under a receiving region), name, rent_mrp (monthly rent allowance, 15-30 MRP)."""
    _import("settlements", file, as_json, errors)


@housing_app.command("import")
def import_housing(file: FileArg, as_json: JsonOpt = False, errors: ErrorsOpt = None) -> None:
    """Housing: ref, settlement_kato, capacity (persons, at least 1), kind (employer|service|rental)."""
    _import("housing", file, as_json, errors)


@vacancies_app.command("import")
def import_vacancies(file: FileArg, as_json: JsonOpt = False, errors: ErrorsOpt = None) -> None:
    """Vacancies: ref, employer_bin, employer_name, isco (ISCO-08, 4 digits), title, wage (tenge a month),
    settlement_kato, posted_on; optional housing_ref (employer housing that comes with the job)."""
    _import("vacancies", file, as_json, errors)


@families_app.command("import")
def import_families(file: FileArg, as_json: JsonOpt = False, errors: ErrorsOpt = None) -> None:
    """Applications: ref, category (resettler|kandas), head_iin, head_surname, size (head included),
    able_bodied, isco, applied_on; optional head_given_names, citizen, kandas_status, employment_status
    (unemployed|job_seeker|employed|none), origin_kato, registered_since, graduate_programme, graduated_on,
    preferences (receiving region KATO codes, best first, joined by ';'), housing_certificate.
    Each family is checked as it is stored; a ref already stored is left alone."""
    _import("families", file, as_json, errors)


@followup_app.command("import")
def import_followups(file: FileArg, as_json: JsonOpt = False, errors: ErrorsOpt = None) -> None:
    """Follow-ups: family (number RS-YYYY-NNNNNN or the import ref), month (3|6|12), observed_on, status
    (employed|unemployed|not_working_age|returned|moved_on), able_bodied, employed. Returned or moved on
    records the departure (a kandas under contract then owes the support back)."""
    _import("followups", file, as_json, errors)


# --- check -------------------------------------------------------------------------------------------


@app.command("check")
def check(file: FileArg, as_json: JsonOpt = False, errors: ErrorsOpt = None) -> None:
    """Run the eligibility checks on the applicants in FILE (the families columns; ref optional) without
    storing anything: per row, eligible or not and every failed check with its reason, under the rules in
    force on the application day."""
    from koshi.resettle.eligibility import eligible, evaluate
    from koshi.resettle.policy import policy
    from koshi.rules.provenance import PolicyNotInForce
    from koshi.store import batch
    from koshi.store import resettle_import as ri

    try:
        table = read_table(file)
        ri.check_columns(table, "applicants")
    except (TableFileError, batch.ImportFileError) as exc:
        fail(f"{file}: {str(exc).splitlines()[0]}")
    report = batch.ImportReport("applicants")
    results: list[dict[str, Any]] = []
    for n, row in ri.rows_numbered(table, "applicants"):
        report.rows += 1
        try:
            values = ri.family_values(row, ref_required=False)
            checks = evaluate(ri.applicant(values), policy(values["applied_on"]))
        except batch.BadCell as exc:
            report.errors.append(batch.RowError(n, exc.field, exc.reason))
            continue
        except PolicyNotInForce:
            report.errors.append(batch.RowError(n, "applied_on", "no resettlement rules before 2024-01-01"))
            continue
        results.append(
            {
                "row": n,
                "ref": values["ref"],
                "category": values["category"],
                "size": values["size"],
                "eligible": eligible(checks),
                "failed": [{"check": c.key, "reason": c.reason} for c in checks if c.applies and not c.passed],
            }
        )
    if errors is not None:
        _write_errors(errors, report)
    if as_json:
        payload = {"rows": report.rows, "eligible": sum(r["eligible"] for r in results), "results": results,
                   "errors": [asdict(e) for e in report.errors]}  # fmt: skip
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        t = Table(title=f"Eligibility of {file.name}", show_lines=True)
        for name in ("Row", "Ref", "Category", "Size", "Eligible", "Failed checks"):
            t.add_column(name, justify="right" if name in ("Row", "Size") else "left")
        for r in results:
            failed = "\n".join(f"{f['check']}: {f['reason']}" for f in r["failed"]) or "-"
            t.add_row(str(r["row"]), r["ref"] or "-", r["category"], str(r["size"]),
                      "yes" if r["eligible"] else "[red]no[/]", failed)  # fmt: skip
        out.print(t)
        n_ok = sum(r["eligible"] for r in results)
        out.print(
            f"{report.rows} rows: {n_ok} eligible, {len(results) - n_ok} not eligible, {report.rejected} unreadable",
            highlight=False,
        )
        for e in report.errors[:SHOWN_ERRORS]:
            err.print(f"rejected {e}", highlight=False, markup=False)
    if report.errors:
        raise typer.Exit(1)


# --- quota, matching, support ------------------------------------------------------------------------


def _year(year: int | None) -> int:
    value = dt.date.today().year if year is None else year
    if value < 2024:
        fail(f"--year {value}: the resettlement rules start in 2024")
    return value


@app.command("quota")
def quota(year: YearOpt = None, as_json: JsonOpt = False) -> None:
    """The year's quota (persons) per receiving region and category: used (arrived), reserved (proposed or
    confirmed) and left."""
    from koshi.store import resettle as store

    y = _year(year)
    with _session() as session:
        rows = store.quota_usage(session, _system(), year=y)
    if as_json:
        sys.stdout.write(json.dumps({"year": y, "usage": [asdict(u) for u in rows]}, indent=2) + "\n")
        return
    t = Table(title=f"Resettlement quota {y} (persons)")
    t.add_column("Region")
    t.add_column("Category")
    for name in ("Quota", "Used", "Reserved", "Left", "Used %"):
        t.add_column(name, justify="right")
    for u in rows:
        share = f"{(u.used + u.reserved) / u.quota:.0%}" if u.quota else "-"
        t.add_row(_region(u.region_kato), u.category, str(u.quota), str(u.used), str(u.reserved), str(u.left), share)
    out.print(t)


@app.command("match")
def match(
    year: Annotated[int, typer.Option("--year", help="Match the approved families of this year.")],
    apply: Annotated[
        bool, typer.Option("--apply", help="Propose the optimal placements (otherwise only compare).")
    ] = False,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1.0, help="Seconds for the solver.")] = 60.0,
    as_json: JsonOpt = False,
) -> None:
    """Match the year's approved families to open vacancies within the quota left: the optimal assignment
    (OR-Tools) against the greedy baseline (queue order, best vacancy first), and why families stay
    unmatched. --apply proposes the optimal placements for the akimats to confirm."""
    from koshi.store import resettle as store

    y = _year(year)
    status = err.status("matching families to vacancies", spinner="dots") if err.is_terminal else nullcontext()
    try:
        with status, _session() as session:
            run = store.run_matching(session, _system(), year=y, apply=apply, now=_now(), time_limit=time_limit)
    except store.ResettleError as exc:
        fail(_store_error(exc))
    if as_json:
        sys.stdout.write(json.dumps(asdict(run), default=str, indent=2) + "\n")
        return
    t = Table(title=f"Matching {y}: run {run.id} ({run.families} families, {run.vacancies} vacancies, "
              f"{run.pairs} feasible pairs)")  # fmt: skip
    t.add_column("")
    t.add_column("optimal" if run.method == "optimal" else f"optimal ({run.method})", justify="right")
    t.add_column("greedy", justify="right")
    t.add_row("persons placed", str(run.placed_persons), str(run.greedy_persons))
    t.add_row("families placed", str(run.placed_families), "-")
    t.add_row("objective (score)", str(run.objective), str(run.greedy_objective))
    out.print(t)
    bound = "-" if run.bound is None else str(run.bound)
    gap = "-" if run.gap is None else f"{run.gap:.2%}"
    gain = run.objective - run.greedy_objective
    out.print(
        f"optimal beats greedy by {gain} points and {run.placed_persons - run.greedy_persons} persons; "
        f"bound {bound}, gap {gap}, {run.seconds:.2f} s",
        highlight=False,
    )
    if run.unmatched:
        u = Table(title="Unmatched families by reason")
        u.add_column("Reason")
        u.add_column("Families", justify="right")
        for reason, n in sorted(run.unmatched.items(), key=lambda kv: -kv[1]):
            u.add_row(reason, str(n))
        out.print(u)
    out.print("placements proposed" if apply else "nothing proposed (use --apply)", highlight=False)


@app.command("support")
def support(
    year: Annotated[int | None, typer.Option("--year", help="Only this year; default every year.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Support by year, receiving region, category and item: families, MRP, tenge due and tenge paid."""
    from koshi.store import resettle as store

    with _session() as session:
        rows = store.support_totals(session, _system(), year=year)
    if as_json:
        sys.stdout.write(json.dumps({"year": year, "totals": [asdict(r) for r in rows]}, indent=2) + "\n")
        return
    t = Table(title="Resettlement support" + (f" {year}" if year else ""))
    for name in ("Year", "Region", "Category", "Item"):
        t.add_column(name)
    for name in ("Families", "MRP", "Tenge", "Paid, tenge"):
        t.add_column(name, justify="right")
    for r in rows:
        t.add_row(str(r.year), _region(r.region_kato), r.category, r.item, str(r.families), f"{r.mrp:,}",
                  f"{r.tenge:,}", f"{r.paid_tenge:,}")  # fmt: skip
    if rows:
        t.add_row("Total", "", "", "", "", f"{sum(r.mrp for r in rows):,}", f"{sum(r.tenge for r in rows):,}",
                  f"{sum(r.paid_tenge for r in rows):,}")  # fmt: skip
    out.print(t)


# --- one family --------------------------------------------------------------------------------------


@app.command("show")
def show(
    number: Annotated[str, typer.Argument(help="The family's number (RS-2026-000123) or its import ref")],
    as_json: JsonOpt = False,
) -> None:
    """One family: checks with reasons, placement, support plan, follow-ups, history (the IIN masked)."""
    from koshi.store import resettle as store
    from koshi.store.resettle_import import find_family

    with _session() as session:
        row = find_family(session, number)
        if row is None:
            fail("no family with this number or ref")
        try:
            f = store.family(session, _system(), row.id, now=_now())
        except store.ResettleError as exc:
            fail(_store_error(exc))
    if as_json:
        sys.stdout.write(json.dumps(asdict(f), default=str, indent=2) + "\n")
        return
    name = " ".join(x for x in (f.head_surname, f.head_given_names) if x)
    out.print(f"[bold]{f.number}[/]  {f.category}  {f.state}  applied {f.applied_on.isoformat()}", highlight=False)
    out.print(
        f"head {name} ({f.head_iin_masked}); family of {f.size}, {f.able_bodied} able-bodied; ISCO {f.isco}; "
        f"from {_region(f.origin_kato)}; wants {', '.join(_region(k) for k in f.preferences) or 'any region'}",
        highlight=False,
        markup=False,
    )
    checks = Table(title=f"Checks ({'eligible' if f.eligible else 'not eligible'})")
    for heading in ("Check", "Result", "Reason"):
        checks.add_column(heading)
    for c in f.checks:
        result = "passed" if c.passed and c.applies else "n/a" if not c.applies else "[red]failed[/]"
        checks.add_row(c.key, result, c.reason)
    out.print(checks)
    if f.placement is not None:
        p, v = f.placement, f.placement.vacancy
        housing = f"housing {p.housing.kind} for {p.housing.capacity}" if p.housing else "rents (rent subsidy)"
        out.print(
            f"placed ({p.state}): {v.title} at {v.employer_name}, {v.wage:,} tenge, settlement {p.settlement_kato} "
            f"in {_region(p.region_kato)}; {housing}; score {p.score}"
            + (f"; arrived {p.arrived_on.isoformat()}" if p.arrived_on else ""),
            highlight=False,
            markup=False,
        )
    if f.support or f.withheld_reason:
        s = Table(title=f"Support: {f.support_total_tenge:,} tenge")
        for heading in ("Item", "Payee", "MRP", "Tenge", "State", "Reason"):
            s.add_column(heading)
        for line in f.support:
            s.add_row(line.item, line.payee, str(line.mrp), f"{line.tenge:,}", line.state, line.reason)
        out.print(s)
        if f.withheld_reason:
            out.print(f"support withheld: {f.withheld_reason}", highlight=False, markup=False)
    if f.contract_signed_on:
        end = f.contract_end.isoformat() if f.contract_end else "-"
        out.print(f"social contract signed {f.contract_signed_on.isoformat()}, ends {end}", highlight=False)
    if f.followups:
        fu = Table(title="Follow-ups")
        for heading in ("Month", "Due", "Observed", "Status", "Employed"):
            fu.add_column(heading)
        for o in f.followups:
            fu.add_row(str(o.month), o.due_on.isoformat(), o.observed_on.isoformat() if o.observed_on else "-",
                       o.status or "-", f"{o.employed}/{o.able_bodied}" if o.observed_on else "-")  # fmt: skip
        out.print(fu)
    if f.repayment_tenge:
        out.print(f"repayment due: {f.repayment_tenge:,} tenge", highlight=False)
    for e in f.history:
        out.print(f"  {e.at:%Y-%m-%d} {e.actor_role} {e.action}: {e.before or '-'} -> {e.after} {e.reason or ''}",
                  highlight=False, markup=False)  # fmt: skip


# --- synthetic data ----------------------------------------------------------------------------------


@app.command("synth")
def synth(
    output: Annotated[Path, typer.Option("-o", "--output", help="Output directory.")],
    families: Annotated[int, typer.Option("--families", min=0, help="Applications in the year.")] = 300,
    vacancies: Annotated[int, typer.Option("--vacancies", min=0, help="Vacancies offered in the year.")] = 250,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed; same options, same files.")] = 0,
    year: Annotated[int, typer.Option("--year", help="The year of the applications (2024 or later).")] = 2026,
    fmt: Annotated[str, typer.Option("--format", help="csv, jsonl or parquet.")] = "csv",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Applications up to this day (YYYY-MM-DD); default 31 Dec.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a seeded synthetic year: DIR/settlements, DIR/housing, DIR/vacancies and DIR/families, in the
    order and with the columns the imports read. Synthetic people and companies only."""
    from koshi.synth.resettle import FORMATS, generate, write

    if year < 2024:
        fail(f"--year must be 2024 or later (the resettlement rules start then), got {year}")
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if output.exists() and not output.is_dir():
        fail(f"{output} exists and is not a directory")
    day = None if as_of is None else option_date(as_of, "--as-of")
    started = time.perf_counter()
    data = generate(families, vacancies, seed, year, day)
    try:
        paths = write(data, output, fmt)
    except OSError as exc:
        fail(f"cannot write to {output}: {exc.strerror or exc}")
    summary = {**data.summary(), "seed": seed, "year": year, "format": fmt, "output": str(output),
               "seconds": round(time.perf_counter() - started, 2)}  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    for name, path in paths.items():
        out.print(f"{name}: {data.tables()[name].num_rows} rows -> {path}", highlight=False)


@app.command("seed")
def seed_command(
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 7,
    bind_applicant: Annotated[
        str | None, typer.Option("--bind-applicant", help="An applicant account to own one family of this year.")
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="The day the story ends (YYYY-MM-DD); default today.")
    ] = None,
    families: Annotated[int, typer.Option("--families", min=1, help="Applications per year.")] = 180,
    vacancies: Annotated[int, typer.Option("--vacancies", min=1, help="Vacancies per year.")] = 150,
    as_json: JsonOpt = False,
) -> None:
    """The demo: last year and this year of resettlement written through the store: settlements, vacancies
    and housing, applications (checked, approved or refused), matching runs every two months, confirmations
    (kandas sign the social contract), arrivals, support paid, follow-ups at 3, 6 and 12 months, departures
    and breaches: only dates up to --today. A year already seeded is left alone."""
    from koshi.store.users import get_by_username
    from koshi.synth.resettle import seed as write

    day = option_date(today, "--today")
    if day.year < 2025:
        fail("--today must be in 2025 or later (the story covers last year and this year from 2024)")
    if day > dt.date.today():
        fail("--today cannot be in the future: the store refuses dates that have not come yet")
    started = time.perf_counter()
    with _session() as session:
        applicant_id = None
        if bind_applicant:
            user = get_by_username(session, bind_applicant)
            if user is None or user.role != "applicant":
                fail("--bind-applicant: no applicant account with this username")
            applicant_id = user.id
        with err.status("seeding resettlement", spinner="dots") if err.is_terminal else nullcontext():
            counts = write(session, _now(), seed, today=day, applicant_id=applicant_id, families=families,
                           vacancies=vacancies, actor=_system())  # fmt: skip
    seconds = round(time.perf_counter() - started, 1)
    if as_json:
        sys.stdout.write(json.dumps({**counts, "seconds": seconds}, indent=2) + "\n")
        return
    out.print(", ".join(f"{v} {k}" for k, v in counts.items()) + f" ({seconds} s)", highlight=False)


def main() -> None:  # pragma: no cover - the console script is ``koshi``
    app(sys.argv[1:])
