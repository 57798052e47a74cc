"""``koshi labour``: load employers, staff, vacancies and historic permits; distribute and show the quota;
expire permits; bind akimat accounts to regions; fees (``koshi labour fees``).

Imports act as the **system** (audit role ``system``): whoever runs them holds the database. A file is one
batch in one transaction (:mod:`koshi.store.labour_import`): bad rows are listed (row, field, reason; never
the value of a personal field) and the good ones kept; a rerun adds nothing.

Exit codes: 0 every row accepted or unchanged, 1 some rows rejected, 2 bad input (an unreadable file, a
missing column, an unknown region or year).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from koshi.cli_io import err, fail, option_date, out, progress_bar
from koshi.cli_labour_fees import fees_app
from koshi.reference.regions import REGIONS
from koshi.settings import settings
from koshi.tabular import TableFileError, read_table

app = typer.Typer(help="Foreign labour: employers, vacancies, work permits, quotas and fees.", no_args_is_help=True)
employers_app = typer.Typer(help="Employers (by BIN).", no_args_is_help=True)
staff_app = typer.Typer(help="Employers' staff figures by category group.", no_args_is_help=True)
vacancies_app = typer.Typer(help="Vacancies posted on the labour exchange.", no_args_is_help=True)
permits_app = typer.Typer(help="Work permits: historic imports, expiry.", no_args_is_help=True)
quota_app = typer.Typer(help="The yearly quota by region and category.", no_args_is_help=True)
akimat_app = typer.Typer(help="Akimat accounts and their regions.", no_args_is_help=True)
app.add_typer(employers_app, name="employers")
app.add_typer(staff_app, name="staff")
app.add_typer(vacancies_app, name="vacancies")
app.add_typer(permits_app, name="permits")
app.add_typer(quota_app, name="quota")
app.add_typer(akimat_app, name="akimat")
app.add_typer(fees_app, name="fees")

SHOWN_ERRORS = 20
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
ErrorsOpt = Annotated[
    Path | None, typer.Option("--errors", help="Write every rejected row (row, field, reason) to this CSV file.")
]
REGION_NAMES = {r.kato: r.name_en for r in REGIONS}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


def _labour_error(exc: Exception) -> str:
    from koshi.store.labour import LabourError

    if isinstance(exc, LabourError):
        return f"{exc.field}: {exc.message}" if exc.field else exc.message
    return str(exc)


# --- imports -----------------------------------------------------------------------------------------


def _import(kind: str, file: Path, as_json: bool, errors_file: Path | None) -> None:
    from koshi.store import batch, labour_import

    try:
        table = read_table(file)
        labour_import.check_columns(table, kind)  # type: ignore[arg-type]
    except (TableFileError, batch.ImportFileError) as exc:
        fail(f"{file}: {str(exc).splitlines()[0]}")
    importer = labour_import.IMPORTERS[kind]  # type: ignore[index]
    with progress_bar() as progress, _session() as session:
        task = progress.add_task(f"{kind} from {file.name}", total=table.num_rows)

        def advance(n: int) -> None:
            progress.advance(task, n)

        report = importer(session, table, _now(), advance)
    if errors_file is not None:
        with errors_file.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["row", "field", "reason"])
            w.writerows([e.row, e.field, e.reason] for e in report.errors)
    counts = {k: getattr(report, k) for k in ("rows", "added", "updated", "unchanged", "rejected")}
    if as_json:
        payload = {"kind": kind, **counts, "errors": [asdict(e) for e in report.errors[:1000]]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        out.print(
            f"{kind}: {report.rows} rows, {report.added} added, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected} rejected",
            highlight=False,
        )
        for e in report.errors[:SHOWN_ERRORS]:
            err.print(f"rejected {e}", highlight=False, markup=False)
        if report.rejected > SHOWN_ERRORS:
            err.print(f"... and {report.rejected - SHOWN_ERRORS} more (--errors FILE lists them all)", highlight=False)
    if report.errors:
        raise typer.Exit(1)


FileArg = Annotated[Path, typer.Argument(help="A .csv, .jsonl or .parquet file")]


@employers_app.command("import")
def import_employers(file: FileArg, as_json: JsonOpt = False, errors: ErrorsOpt = None) -> None:
    """Employers: bin, name, oked_section, region_kato[, account (username of an employer account)]."""
    _import("employers", file, as_json, errors)


@staff_app.command("import")
def import_staff(file: FileArg, as_json: JsonOpt = False, errors: ErrorsOpt = None) -> None:
    """Staff: bin, as_of, citizens_1_2, foreigners_1_2, citizens_3_4, foreigners_3_4, ict."""
    _import("staff", file, as_json, errors)


@vacancies_app.command("import")
def import_vacancies(file: FileArg, as_json: JsonOpt = False, errors: ErrorsOpt = None) -> None:
    """Vacancies: bin, isco, region_kato, title, wage, posted_on."""
    _import("vacancies", file, as_json, errors)


@permits_app.command("import")
def import_permits(file: FileArg, as_json: JsonOpt = False, errors: ErrorsOpt = None) -> None:
    """Historic permits (issued or expired), fees computed by the rules: number, bin, worker_iin, worker_surname,
    worker_given_names, worker_nationality, category, isco, region_kato, valid_from, valid_to, applied_on, state."""
    _import("permits", file, as_json, errors)


@permits_app.command("expire")
def expire(
    on: Annotated[
        str | None, typer.Option("--on", help="Expire permits that ended before this day; default today.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Expire every issued permit whose last day is before ``--on``."""
    from koshi.store import labour

    day = option_date(on)
    with _session() as session:
        n = labour.expire_due(session, None, day, _now())
    if as_json:
        sys.stdout.write(json.dumps({"on": day.isoformat(), "expired": n}) + "\n")
    else:
        out.print(f"{n} permit(s) ended before {day.isoformat()}: expired", highlight=False)


# --- quota -------------------------------------------------------------------------------------------


def _region_opt(value: str | None) -> str | None:
    if value is not None and value not in REGION_NAMES:
        fail(f"--region {value!r} is not a region's KATO code (e.g. 710000000)")
    return value


def _needs(path: Path) -> dict[str, float]:
    """``region_kato,need`` rows (CSV, JSON lines or Parquet)."""
    try:
        table = read_table(path)
    except TableFileError as exc:
        fail(str(exc).splitlines()[0])
    missing = [c for c in ("region_kato", "need") if c not in table.column_names]
    if missing:
        fail(f"{path}: missing column(s): {', '.join(missing)}")
    needs: dict[str, float] = {}
    for n, row in enumerate(table.select(["region_kato", "need"]).to_pylist(), start=1):
        region = str(row["region_kato"] or "").strip()
        if region not in REGION_NAMES:
            fail(f"{path}: row {n}, region_kato: not a region's KATO code")
        try:
            need = float(row["need"])
        except (TypeError, ValueError):
            fail(f"{path}: row {n}, need: not a number")
        if not need >= 0:
            fail(f"{path}: row {n}, need: must be zero or more")
        if region in needs:
            fail(f"{path}: row {n}, region_kato: this region is listed twice")
        needs[region] = need
    return needs


@quota_app.command("distribute")
def distribute(
    year: Annotated[int, typer.Option("--year", help="The quota year.")],
    needs: Annotated[Path | None, typer.Option("--needs", help="region_kato,need file.")] = None,
    from_permits: Annotated[
        bool, typer.Option("--from-permits", help="Need = each region's permits of the year before.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Split the year's national quota (each category) among regions in proportion to their needs."""
    from koshi.store import labour

    if (needs is None) == (not from_permits):
        fail("give exactly one of --needs FILE and --from-permits")
    with _session() as session:
        weights = _needs(needs) if needs is not None else labour.needs_from_permits(session, year - 1)
        if not weights:
            fail(f"no permits in {year - 1} to distribute by: use --needs FILE")
        try:
            allocations = labour.distribute_quota(session, None, year, weights, _now())
        except labour.LabourError as exc:
            fail(_labour_error(exc))
    if as_json:
        rows = [{"region_kato": r, "category": c, "allocated": n} for (r, c), n in sorted(allocations.items())]
        sys.stdout.write(json.dumps({"year": year, "allocations": rows}, indent=2) + "\n")
        return
    categories = sorted({c for _, c in allocations})
    table = Table(title=f"Quota {year} by region", show_lines=False)
    table.add_column("Region")
    for c in categories:
        table.add_column(c.replace("category_", "cat. "), justify="right")
    for region in sorted({r for r, _ in allocations}):
        table.add_row(REGION_NAMES[region], *(str(allocations.get((region, c), 0)) for c in categories))
    table.add_row("Total", *(str(sum(n for (_, c2), n in allocations.items() if c2 == c)) for c in categories))
    out.print(table)


@quota_app.command("show")
def show(
    year: Annotated[int, typer.Option("--year", help="The quota year.")],
    region: Annotated[str | None, typer.Option("--region", help="KATO code of one region.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Allocated, issued, reserved and left places per region and category."""
    from koshi.store import labour

    with _session() as session:
        rows = labour.usage(session, year, _region_opt(region))
    if as_json:
        payload = [{**asdict(u), "left": u.left, "used_share": round(u.used_share, 4)} for u in rows]
        sys.stdout.write(json.dumps({"year": year, "usage": payload}, indent=2) + "\n")
        return
    if not rows:
        out.print(f"no quota and no permits for {year}", highlight=False)
        return
    table = Table(title=f"Quota {year}: usage")
    for name, justify in (("Region", "left"), ("Category", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for name in ("Allocated", "Issued", "Reserved", "Left", "Used"):
        table.add_column(name, justify="right")
    for u in rows:
        table.add_row(
            REGION_NAMES.get(u.region_kato, u.region_kato),
            u.category,
            str(u.allocated),
            str(u.issued),
            str(u.reserved),
            str(u.left),
            f"{u.used_share:.0%}" if u.allocated else "-",
        )
    out.print(table)


# --- akimat ------------------------------------------------------------------------------------------


@akimat_app.command("bind")
def bind(
    username: Annotated[str, typer.Argument(help="An akimat account")],
    region_kato: Annotated[str, typer.Argument(help="KATO code of its region, e.g. 750000000 (Almaty)")],
) -> None:
    """Bind an akimat account to a region: it then sees and decides that region's permits only."""
    from koshi.store import labour
    from koshi.store.models import User

    with _session() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        if user_id is None:
            fail("no account with this username")
        try:
            labour.bind_akimat(session, None, user_id, region_kato, _now())
        except labour.LabourError as exc:
            fail(_labour_error(exc))
    out.print(f"bound to {REGION_NAMES[region_kato]}", highlight=False)
