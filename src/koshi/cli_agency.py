"""``koshi agencies``: load the registry of private employment agencies, their reports and complaints; rank
inspections; show an agency; seed synthetic agencies for the demo.

Imports act as the **system** (audit role ``system``): whoever runs them holds the database. A file is one
batch in one transaction: each row goes through the registry's own checks (in a savepoint, so a bad row
leaves nothing behind), bad rows are listed (1-based row, field, reason; never the value of a founder's
IIN) and the good ones kept. A rerun adds nothing: agencies are matched by BIN, reports by agency and
quarter, complaints by their ``ref``.

Exit codes: 0 every row accepted or unchanged, 1 some rows rejected, 2 bad input (an unreadable file, a
missing column, a bad date option).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from koshi.cli_io import err, fail, option_date, out
from koshi.reference.regions import BY_KATO
from koshi.settings import settings
from koshi.store.batch import ImportReport, RowError
from koshi.tabular import TableFileError, read_table

AGENCIES_HELP = """Import agencies from a CSV, JSON lines or Parquet FILE.

Columns: bin, name, activity (domestic|abroad|both), region_kato (9 digits), founders, addresses;
optional: notified_on (YYYY-MM-DD, default today), status (notified|active|suspended|revoked|expired,
default notified), account (username of an agency account to bind).

founders and addresses are JSON lists in their cells:
founders  [{"name": "Aigul Sadyk", "iin": "791028302728", "share": 60}, ...]  (iin and share, in per cent, optional)
addresses [{"kind": "legal", "address": "Abay ave 1", "region_kato": "710000000"}, ...]  (one legal address needed)

An agency whose BIN is already registered is left unchanged."""

app = typer.Typer(
    help="Private employment agencies: registry, reports, complaints, risk ranking.", no_args_is_help=True
)
reports_app = typer.Typer(help="Quarterly placement reports.", no_args_is_help=True)
complaints_app = typer.Typer(help="Job seekers' complaints.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")
app.add_typer(complaints_app, name="complaints")

SHOWN_ERRORS = 20
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
ErrorsOpt = Annotated[
    Path | None, typer.Option("--errors", help="Write every rejected row (row, field, reason) to this CSV file.")
]

AGENCY_COLUMNS = (
    ("bin", "name", "activity", "region_kato", "founders", "addresses"),
    ("notified_on", "status", "account"),
)
REPORT_COLUMNS = (
    ("bin", "year", "quarter", "placed_domestic", "placed_abroad", "job_seekers_served", "seeker_fees_tenge"),
    ("filed_on",),
)
COMPLAINT_COLUMNS = (("ref", "bin", "received_on", "kind", "summary"), ("paid_amount_tenge", "status"))

STATUS_PATH: dict[str, tuple[tuple[str, str | None], ...]] = {
    "notified": (),
    "active": (("activate", None),),
    "suspended": (("activate", None), ("suspend", "status imported from the source registry")),
    "revoked": (("revoke", "status imported from the source registry"),),
    "expired": (("activate", None), ("expire", None)),
}
"""How an imported status is reached from ``notified``: the actions, each with the reason it records."""


# --- import machinery ------------------------------------------------------------------------------


class Bad(Exception):
    """A row's field that cannot be read."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _s(row: Mapping[str, Any], name: str, required: bool = True) -> str | None:
    value = row.get(name)
    text = None if value is None else str(value).strip() or None
    if text is None and required:
        raise Bad(name, "required")
    return text


def _int(row: Mapping[str, Any], name: str, required: bool = True) -> int | None:
    text = _s(row, name, required)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise Bad(name, "must be a whole number") from None


def _date(row: Mapping[str, Any], name: str, required: bool = True) -> dt.date | None:
    value = row.get(name)
    if isinstance(value, dt.date):
        return value
    text = _s(row, name, required)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Bad(name, "must be a date YYYY-MM-DD") from None


def _json_list(row: Mapping[str, Any], name: str) -> list[Any]:
    value = row.get(name)
    if isinstance(value, list):
        return value
    text = _s(row, name)
    try:
        parsed = json.loads(text or "")
    except json.JSONDecodeError:
        raise Bad(name, "must be a JSON list of objects") from None
    if not isinstance(parsed, list):
        raise Bad(name, "must be a JSON list of objects")
    return parsed


def rows_of(path: Path, columns: tuple[tuple[str, ...], tuple[str, ...]]) -> list[dict[str, Any]]:
    """The rows of a table file, once its required columns are checked.

    Raises:
        TableFileError: unreadable, or a required column missing.
    """
    table = read_table(path)
    missing = [c for c in columns[0] if c not in table.column_names]
    if missing:
        raise TableFileError(f"{path}: missing column(s) {', '.join(missing)}")
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def run_import(
    session: Session, kind: str, rows: list[dict[str, Any]], one: Callable[[Session, dict[str, Any]], bool]
) -> ImportReport:
    """Apply ``one`` to every row in its own savepoint: True added, False unchanged; refusals become row errors."""
    from koshi.store.agencies import AgencyError

    report = ImportReport(kind, rows=len(rows))
    for n, row in enumerate(rows, start=1):
        try:
            with session.begin_nested():
                added = one(session, row)
        except Bad as exc:
            report.errors.append(RowError(n, exc.field, exc.reason))
            continue
        except AgencyError as exc:
            report.errors.append(RowError(n, exc.field or "row", exc.message))
            continue
        if added:
            report.added += 1
        else:
            report.unchanged += 1
    return report


def import_agencies(session: Session, rows: list[dict[str, Any]], now: dt.datetime) -> ImportReport:
    """Agencies by BIN (an existing one is left unchanged), brought to their status, bound to their account."""
    from koshi.store import agencies as store
    from koshi.store.users import get_by_username

    def one(s: Session, row: dict[str, Any]) -> bool:
        values: dict[str, Any] = {
            "bin": _s(row, "bin") or "",
            "name": _s(row, "name") or "",
            "activity": _s(row, "activity") or "",
            "region_kato": _s(row, "region_kato") or "",
            "founders": _json_list(row, "founders"),
            "addresses": _json_list(row, "addresses"),
        }
        status = _s(row, "status", required=False) or "notified"
        if status not in STATUS_PATH:
            raise Bad("status", f"must be one of: {', '.join(STATUS_PATH)}")
        notified = _date(row, "notified_on", required=False)
        store.check_notification(**values)  # a bad row is reported on every run, not only the first
        if store.by_bin(s, values["bin"]) is not None:
            return False
        owner = None
        account = _s(row, "account", required=False)
        if account is not None:
            user = get_by_username(s, account)
            if user is None or user.role != "agency":
                raise Bad("account", "no agency account with this username")
            owner = user.id
        view = store.notify(s, None, **values, now=now, notified_on=notified)
        for action, reason in STATUS_PATH[status]:
            store.change_status(s, None, view.id, action, reason=reason, now=now, on=notified)
        if owner is not None:
            store.bind_owner(s, None, view.id, owner, now)
        return True

    return run_import(session, "agencies", rows, one)


def import_reports(session: Session, rows: list[dict[str, Any]], now: dt.datetime) -> ImportReport:
    """Reports by agency and quarter: the same figures again are unchanged, other figures an error."""
    from koshi.store import agencies as store

    def one(s: Session, row: dict[str, Any]) -> bool:
        agency = store.by_bin(s, _s(row, "bin") or "")
        if agency is None:
            raise Bad("bin", "no agency with this BIN in the registry")
        values = {c: _int(row, c) for c in REPORT_COLUMNS[0][1:]}
        existing = s.scalar(
            select(store.AgencyReport).where(
                store.AgencyReport.agency_id == agency.id,
                store.AgencyReport.year == values["year"],
                store.AgencyReport.quarter == values["quarter"],
            )
        )
        if existing is not None:
            if all(getattr(existing, k) == v for k, v in values.items()):
                return False
            raise Bad("quarter", "a report for this quarter is already filed with other figures")
        store.file_report(s, None, agency.id, **values, now=now, filed_on=_date(row, "filed_on", required=False))  # type: ignore[arg-type]
        return True

    return run_import(session, "reports", rows, one)


def import_complaints(session: Session, rows: list[dict[str, Any]], now: dt.datetime) -> ImportReport:
    """Complaints by ``ref`` (a complaint already recorded is unchanged)."""
    from koshi.store import agencies as store

    def one(s: Session, row: dict[str, Any]) -> bool:
        ref = _s(row, "ref") or ""
        if s.scalar(select(store.AgencyComplaint.id).where(store.AgencyComplaint.ref == ref)) is not None:
            return False
        agency = store.by_bin(s, _s(row, "bin") or "")
        if agency is None:
            raise Bad("bin", "no agency with this BIN in the registry")
        store.add_complaint(
            s,
            None,
            agency.id,
            received_on=_date(row, "received_on") or dt.date.min,
            kind=_s(row, "kind") or "",
            paid_amount_tenge=_int(row, "paid_amount_tenge", required=False),
            summary=_s(row, "summary") or "",
            now=now,
            ref=ref,
            status=_s(row, "status", required=False) or "open",
        )
        return True

    return run_import(session, "complaints", rows, one)


# --- commands ----------------------------------------------------------------------------------------


@contextmanager
def _session() -> Iterator[Session]:
    from koshi.store.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(settings().database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _import(
    path: Path,
    columns: tuple[tuple[str, ...], tuple[str, ...]],
    work: Callable[[Session, list[dict[str, Any]], dt.datetime], ImportReport],
    errors_to: Path | None,
    as_json: bool,
) -> None:
    try:
        rows = rows_of(path, columns)
    except TableFileError as exc:
        fail(str(exc))
    with _session() as session:
        report = work(session, rows, _now())
    if errors_to is not None:
        errors_to.parent.mkdir(parents=True, exist_ok=True)
        with errors_to.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "field", "reason"])
            writer.writerows([e.row, e.field, e.reason] for e in report.errors)
    if as_json:
        out.print_json(json.dumps({**asdict(report), "rejected": len(report.errors)}))
    else:
        out.print(
            f"{report.kind}: {report.rows} rows, {report.added} added, {report.unchanged} unchanged, "
            f"{len(report.errors)} rejected",
            highlight=False,
        )
        for e in report.errors[:SHOWN_ERRORS]:
            err.print(f"  {e}", highlight=False, markup=False)
        if len(report.errors) > SHOWN_ERRORS:
            err.print(f"  ... {len(report.errors) - SHOWN_ERRORS} more (--errors FILE writes all)", highlight=False)
    if report.errors:
        raise typer.Exit(1)


@app.command("import", help=AGENCIES_HELP)
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV, JSON lines or Parquet")],
    errors: ErrorsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    _import(file, AGENCY_COLUMNS, import_agencies, errors, as_json)


@reports_app.command("import")
def reports_import(
    file: Annotated[Path, typer.Argument(help="CSV, JSON lines or Parquet")],
    errors: ErrorsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import quarterly reports: bin, year, quarter, placed_domestic, placed_abroad, job_seekers_served,
    seeker_fees_tenge; optional filed_on (default today). Lateness uses the due day in force at the quarter's
    end; a quarter already filed with the same figures is unchanged, with other figures rejected."""
    _import(file, REPORT_COLUMNS, import_reports, errors, as_json)


@complaints_app.command("import")
def complaints_import(
    file: Annotated[Path, typer.Argument(help="CSV, JSON lines or Parquet")],
    errors: ErrorsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import job seekers' complaints: ref (the source's number, unique), bin, received_on, kind
    (fee_charged|no_contract|false_vacancy|documents_withheld|abroad_conditions|other), summary; optional
    paid_amount_tenge and status (open|substantiated|unfounded). A fee paid by the job seeker is flagged."""
    _import(file, COMPLAINT_COLUMNS, import_complaints, errors, as_json)


def _region(kato: str) -> str:
    region = BY_KATO.get(kato)
    return region.name_en if region else kato


@app.command("ranking")
def ranking(
    on: Annotated[str | None, typer.Option("--on", help="Rank on this day (YYYY-MM-DD), default today.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="How many agencies.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Agencies to inspect first: risk score on the day, highest first, with every reason and its points."""
    from koshi.store import agencies as store

    day = option_date(on)
    try:
        with _session() as session:
            ranked = store.inspection_ranking(session, None, day, limit, _now())
    except store.AgencyError as exc:
        fail(f"{exc.field or 'input'}: {exc.message}")
    if as_json:
        out.print_json(json.dumps({"on": day.isoformat(), "items": [asdict(s) for s in ranked]}, default=str))
        return
    table = Table(title=f"Inspection ranking on {day.isoformat()}", show_lines=True)
    for name, justify in (("#", "right"), ("agency", "left"), ("BIN", "left"), ("status", "left"), ("region", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_column("score", justify="right")
    table.add_column("reasons (points)")
    for n, s in enumerate(ranked, start=1):
        reasons = "\n".join(f"{r.points:g}  {r.text}" for r in s.reasons) or "-"
        table.add_row(str(n), s.name, s.bin, s.status, _region(s.region_kato), f"{s.risk_score:g}", reasons)
    out.print(table)
    if not ranked:
        err.print("no agency operating on that day", highlight=False)


@app.command("show")
def show(
    bin: Annotated[str, typer.Argument(help="The agency's BIN (12 digits)")],
    as_json: JsonOpt = False,
) -> None:
    """One agency: status and history, risk with reasons, reports, complaints, inspections, violations, sanctions.
    Founders' IINs are shown masked."""
    from koshi.store import agencies as store

    with _session() as session:
        row = store.by_bin(session, bin)
        if row is None:
            fail("no agency with this BIN in the registry")
        view = store.agency(session, None, row.id, _now())
    if as_json:
        out.print_json(json.dumps(asdict(view), default=str))
        return
    out.print(f"[bold]{view.name}[/]  BIN {view.bin}  {view.activity}  {_region(view.region_kato)}", highlight=False)
    out.print(
        f"status {view.status} since {view.status_since.isoformat()}; "
        f"fee rule flag: {'YES' if view.fee_rule_flag else 'no'}",
        highlight=False,
    )
    for f in view.founders:
        share = f" {f.share:g}%" if f.share is not None else ""
        out.print(f"  founder {f.name} {f.iin_masked or ''}{share}", highlight=False, markup=False)
    risk = Table(title=f"Risk {view.risk.score:g} on {view.risk.as_of.isoformat()}")
    risk.add_column("points", justify="right")
    risk.add_column("reason")
    for reason in view.risk.reasons:
        risk.add_row(f"{reason.points:g}", reason.text)
    out.print(risk)
    reports = Table(title="Reports")
    for heading in ("quarter", "domestic", "abroad", "served", "seeker fees", "filed", "late"):
        reports.add_column(heading)
    for r in view.reports:
        reports.add_row(
            f"{r.year}-Q{r.quarter}",
            str(r.placed_domestic),
            str(r.placed_abroad),
            str(r.job_seekers_served),
            str(r.seeker_fees_tenge),
            r.filed_on.isoformat(),
            "late" if r.late else "",
        )
    out.print(reports)
    complaints = Table(title="Complaints")
    for heading in ("received", "kind", "paid", "status", "fee flag"):
        complaints.add_column(heading)
    for c in view.complaints:
        complaints.add_row(
            c.received_on.isoformat(),
            c.kind,
            "" if c.paid_amount_tenge is None else str(c.paid_amount_tenge),
            c.status,
            "FEE" if c.fee_flag else "",
        )
    out.print(complaints)
    for v in view.violations:
        out.print(f"  violation {v.id} {v.code} found {v.found_on.isoformat()} ({v.status})", highlight=False)
    for s in view.sanctions:
        amount = f" {s.amount_mrp} MRP" if s.amount_mrp else ""
        until = f" until {s.until.isoformat()}" if s.until else ""
        out.print(f"  sanction {s.kind}{amount}{until} on {s.imposed_on.isoformat()}", highlight=False)
    for e in view.history:
        out.print(f"  {e.at:%Y-%m-%d} {e.action}: {e.before or '-'} -> {e.after} {e.reason or ''}", highlight=False)


@app.command("seed")
def seed_command(
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    count: Annotated[int, typer.Option("--count", min=1, max=5000, help="How many agencies.")] = 110,
    on: Annotated[str | None, typer.Option("--on", help="Records up to this day, default today.")] = None,
    bind: Annotated[str | None, typer.Option("--bind", help="An agency account to bind to one agency.")] = None,
    seeker: Annotated[
        str | None, typer.Option("--seeker", help="An applicant account to file a few complaints.")
    ] = None,
) -> None:
    """Synthetic agencies (about half in Astana) with reports, complaints, inspections, violations and
    sanctions, for the demo; does nothing if the registry has agencies already."""
    from koshi.store.users import get_by_username
    from koshi.synth.agencies import seed as write

    day = option_date(on)
    with _session() as session:
        ids: dict[str, int | None] = {}
        for option, username, role in (("--bind", bind, "agency"), ("--seeker", seeker, "applicant")):
            user = get_by_username(session, username) if username else None
            if username and (user is None or user.role != role):
                fail(f"{option}: no {role} account with this username")
            ids[option] = user.id if user else None
        counts = write(session, _now(), seed, count=count, on=day, owner_id=ids["--bind"], seeker_id=ids["--seeker"])
    out.print(", ".join(f"{v} {k}" for k, v in counts.items()), highlight=False)


def main() -> None:  # pragma: no cover - the console script is ``koshi``
    app(sys.argv[1:])
