"""Load employers, staff figures, vacancies and historic work permits from a table (``koshi labour ... import``).

Same semantics as the registry's feed imports (:mod:`koshi.store.registry_import`):

- **Transactional.** A file is one batch, written in the caller's transaction: all its good rows or,
  if anything fails, nothing. Bad rows never fail the batch: each is reported (1-based row, field,
  reason: never the value of a personal field) and the good ones are kept.
- **Idempotent.** Employers by BIN (changed names, sections or regions are updated), staff by employer
  (replaced when different), vacancies by (employer, occupation, region, day, title), permits by number
  (a number already stored is left alone). A second run of the same file adds nothing.
- **Historic permits** arrive ``issued`` or ``expired`` with the fee the rules give for their term
  (rates and MRP of the first day), the version and hash of the rules in force on the application day,
  no checks (they were decided outside Koshi) and one ``import`` event each.
- **Audit.** One ``labour.import`` record per batch with the kind and the counts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal

import pyarrow as pa
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from koshi.documents.iin import InvalidIin, validate_iin
from koshi.labour.checks import Staff
from koshi.labour.policy import Category
from koshi.store import audit, idempotency
from koshi.store import labour as store
from koshi.store.batch import BadCell as _Bad
from koshi.store.batch import ImportFileError, ImportReport, RowError
from koshi.store.labour import Employer, LabourError, PermitEventRow, Vacancy, WorkPermit
from koshi.store.models import User

Kind = Literal["employers", "staff", "vacancies", "permits"]
Advance = Callable[[int], None]

COLUMNS: dict[Kind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "employers": (("bin", "name", "oked_section", "region_kato"), ("account",)),
    "staff": (("bin", "as_of", "citizens_1_2", "foreigners_1_2", "citizens_3_4", "foreigners_3_4", "ict"), ()),
    "vacancies": (("bin", "isco", "region_kato", "title", "wage", "posted_on"), ()),
    "permits": (
        (
            "number",
            "bin",
            "worker_iin",
            "worker_surname",
            "worker_given_names",
            "worker_nationality",
            "category",
            "isco",
            "region_kato",
            "valid_from",
            "valid_to",
            "applied_on",
            "state",
        ),
        (),
    ),
}
"""Kind -> (required columns, optional columns)."""

CHUNK = 2_000


def _s(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def _required(row: Mapping[str, Any], name: str) -> str:
    s = _s(row.get(name))
    if s is None:
        raise _Bad(name, "required")
    return s


def _date(row: Mapping[str, Any], name: str) -> dt.date:
    value = row.get(name)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = _required(row, name)
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise _Bad(name, "not a date in the form YYYY-MM-DD") from None


def _int(row: Mapping[str, Any], name: str) -> int:
    value = row.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    s = _required(row, name)
    try:
        return int(s)
    except ValueError:
        raise _Bad(name, "not a whole number") from None


def check_columns(table: pa.Table, kind: Kind) -> None:
    """Refuse a file without a required column (before anything is read).

    Raises:
        ImportFileError: naming the missing columns.
    """
    missing = [c for c in COLUMNS[kind][0] if c not in table.column_names]
    if missing:
        raise ImportFileError(f"missing column(s) for {kind}: {', '.join(missing)}")


def _rows_numbered(table: pa.Table, kind: Kind) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows numbered from 1, as a spreadsheet shows them under the header."""
    check_columns(table, kind)
    required, optional = COLUMNS[kind]
    names = [c for c in (*required, *optional) if c in table.column_names]
    n = 0
    for batch in table.select(names).to_batches(CHUNK):
        for row in batch.to_pylist():
            n += 1
            yield n, row


def _employers_by_bin(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Employer.bin, Employer.id)).all())


def _employer_id(row: Mapping[str, Any], by_bin: Mapping[str, int]) -> int:
    b = _required(row, "bin")
    found = by_bin.get(b)
    if found is None:
        raise _Bad("bin", "no employer with this BIN: import the employers first")
    return found


def _finish(session: Session, report: ImportReport, now: dt.datetime) -> ImportReport:
    session.flush()
    audit.append(
        session,
        at=now,
        actor_id=None,
        actor_role="system",
        action="labour.import",
        detail=(
            f"{report.kind}: {report.rows} rows, {report.added} added, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected} rejected"
        ),
    )
    return report


def _tick(advance: Advance | None, n: int) -> None:
    if advance is not None and n % 500 == 0:
        advance(500)


def _done(advance: Advance | None, n: int) -> None:
    if advance is not None and n % 500:
        advance(n % 500)


def import_employers(
    session: Session, table: pa.Table, now: dt.datetime, advance: Advance | None = None
) -> ImportReport:
    """Employers by BIN (``account``: the username of an employer account to bind, optional)."""
    report = ImportReport("employers")
    idempotency.lock(session)
    accounts = {u: (i, r) for u, i, r in session.execute(select(User.username, User.id, User.role))}
    n = 0
    for n, row in _rows_numbered(table, "employers"):
        report.rows += 1
        try:
            account_id = None
            username = _s(row.get("account"))
            if username is not None:
                found = accounts.get(username)
                if found is None or found[1] != "employer":
                    raise _Bad("account", "no employer account with this username")
                account_id = found[0]
            b = _required(row, "bin")
            existing = session.scalar(select(Employer).where(Employer.bin == b))
            if existing is None:
                store.new_employer(
                    session,
                    bin=b,
                    name=_required(row, "name"),
                    oked_section=_required(row, "oked_section"),
                    region_kato=_required(row, "region_kato"),
                    account_id=account_id,
                    now=now,
                )
                report.added += 1
            else:
                changed = _update_employer(session, existing, row, account_id)
                report.updated += changed
                report.unchanged += not changed
        except _Bad as exc:
            report.errors.append(RowError(n, exc.field, exc.reason))
        except LabourError as exc:
            report.errors.append(RowError(n, exc.field or "row", exc.message))
        _tick(advance, n)
    _done(advance, n)
    return _finish(session, report, now)


def _update_employer(session: Session, e: Employer, row: Mapping[str, Any], account_id: int | None) -> bool:
    name = _required(row, "name")[:200]
    section = store._section(_required(row, "oked_section"))
    region = store._region(_required(row, "region_kato"))
    if account_id is not None and e.account_id not in (None, account_id):
        raise _Bad("account", "this employer is bound to another account")
    if account_id is not None and e.account_id is None:
        other = session.scalar(select(Employer.id).where(Employer.account_id == account_id))
        if other is not None:
            raise _Bad("account", "this account already has an employer")
    new = (name, section, region, e.account_id if account_id is None else account_id)
    if (e.name, e.oked_section, e.region_kato, e.account_id) == new:
        return False
    e.name, e.oked_section, e.region_kato, e.account_id = new
    return True


def import_staff(session: Session, table: pa.Table, now: dt.datetime, advance: Advance | None = None) -> ImportReport:
    """Staff figures by employer BIN (the latest file replaces the figures)."""
    report = ImportReport("staff")
    idempotency.lock(session)
    by_bin = _employers_by_bin(session)
    n = 0
    for n, row in _rows_numbered(table, "staff"):
        report.rows += 1
        try:
            employer_id = _employer_id(row, by_bin)
            counts = {
                k: _int(row, k) for k in ("citizens_1_2", "foreigners_1_2", "citizens_3_4", "foreigners_3_4", "ict")
            }
            for k, v in counts.items():
                if v < 0:
                    raise _Bad(k, "a count of people cannot be negative")
            existed = session.get(store.EmployerStaff, employer_id) is not None
            changed = store.put_staff(session, employer_id, Staff(**counts), _date(row, "as_of"), now)
            session.flush()
            if not existed:
                report.added += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
        except _Bad as exc:
            report.errors.append(RowError(n, exc.field, exc.reason))
        except LabourError as exc:
            report.errors.append(RowError(n, exc.field or "row", exc.message))
        _tick(advance, n)
    _done(advance, n)
    return _finish(session, report, now)


def import_vacancies(
    session: Session, table: pa.Table, now: dt.datetime, advance: Advance | None = None
) -> ImportReport:
    """Vacancies by employer BIN; one already stored (same occupation, region, day and title) is left alone."""
    report = ImportReport("vacancies")
    idempotency.lock(session)
    by_bin = _employers_by_bin(session)
    seen = {
        (e, i, r, p, t)
        for e, i, r, p, t in session.execute(
            select(Vacancy.employer_id, Vacancy.isco, Vacancy.region_kato, Vacancy.posted_on, Vacancy.title)
        )
    }
    n = 0
    for n, row in _rows_numbered(table, "vacancies"):
        report.rows += 1
        try:
            employer_id = _employer_id(row, by_bin)
            key = (
                employer_id,
                store._isco(_required(row, "isco")),
                store._region(_required(row, "region_kato")),
                _date(row, "posted_on"),
                _required(row, "title")[:200],
            )
            if key in seen:
                report.unchanged += 1
            else:
                store.new_vacancy(
                    session,
                    employer_id,
                    isco=key[1],
                    region_kato=key[2],
                    title=key[4],
                    wage=_int(row, "wage"),
                    posted_on=key[3],
                    now=now,
                )
                seen.add(key)
                report.added += 1
        except _Bad as exc:
            report.errors.append(RowError(n, exc.field, exc.reason))
        except LabourError as exc:
            report.errors.append(RowError(n, exc.field or "row", exc.message))
        _tick(advance, n)
    _done(advance, n)
    return _finish(session, report, now)


def _permit_row(row: Mapping[str, Any], by_bin: Mapping[str, int], sections: Mapping[int, str]) -> dict[str, Any]:
    """A valid historic permit as column values, or :class:`_Bad` naming the field."""
    number = _required(row, "number")
    if len(number) > 20:
        raise _Bad("number", "at most 20 characters")
    employer_id = _employer_id(row, by_bin)
    iin = _s(row.get("worker_iin"))
    if iin is not None:
        try:
            validate_iin(iin)
        except InvalidIin as exc:
            raise _Bad("worker_iin", f"not a valid IIN: {exc.reason}") from None
    surname = _required(row, "worker_surname")
    if len(surname) > 80:
        raise _Bad("worker_surname", "at most 80 characters")
    given = _s(row.get("worker_given_names"))
    if given is not None and len(given) > 80:
        raise _Bad("worker_given_names", "at most 80 characters")
    nationality = _required(row, "worker_nationality").upper()
    if len(nationality) != 3 or not nationality.isalpha():
        raise _Bad("worker_nationality", "a 3-letter ICAO code")
    try:
        category = Category(_required(row, "category"))
    except ValueError:
        raise _Bad("category", f"one of {', '.join(c.value for c in Category)}") from None
    try:
        isco, region = store._isco(_required(row, "isco")), store._region(_required(row, "region_kato"))
    except LabourError as exc:
        raise _Bad(exc.field or "row", exc.message) from None
    valid_from, valid_to, applied_on = _date(row, "valid_from"), _date(row, "valid_to"), _date(row, "applied_on")
    if valid_to < valid_from:
        raise _Bad("valid_to", "the permit ends before it starts")
    if applied_on > valid_from:
        raise _Bad("applied_on", "after the first day of the permit")
    state = _required(row, "state")
    if state not in {s.value for s in store.IMPORT_STATES}:
        raise _Bad("state", "historic permits are issued or expired")
    try:
        p = store._policy(applied_on, "applied_on")
    except LabourError as exc:
        raise _Bad("applied_on", exc.message) from None
    fee = store._fee(category, sections[employer_id], valid_from, valid_to)
    if isinstance(fee, str):
        raise _Bad("valid_to", f"no fee for this term: {fee}")
    return {
        "number": number,
        "employer_id": employer_id,
        "worker_iin": iin,
        "worker_surname": surname,
        "worker_given_names": given,
        "worker_nationality": nationality,
        "category": category.value,
        "isco": isco,
        "oked_section": sections[employer_id],
        "region_kato": region,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "applied_on": applied_on,
        "state": state,
        "extends_id": None,
        "extension_no": 0,
        "fee_mrp": fee.mrp,
        "fee_tenge": fee.tenge,
        "fee_band": fee.band,
        "fee_group": fee.group,
        "fee_parameters": list(fee.parameters),
        "fee_due_on": None,
        "paid_ref": None,
        "checks": [],
        "policy_version": p.version_date,
        "parameters_hash": p.parameters_hash,
        "decision_reason": "decided before Koshi: loaded from the historic register",
        "decided_by": None,
    }


def import_permits(session: Session, table: pa.Table, now: dt.datetime, advance: Advance | None = None) -> ImportReport:
    """Historic permits (issued or expired) by number: a number already stored is left alone."""
    report = ImportReport("permits")
    idempotency.lock(session)
    by_bin = _employers_by_bin(session)
    sections = dict(session.execute(select(Employer.id, Employer.oked_section)).all())
    stored = set(session.scalars(select(WorkPermit.number)))
    pending: list[dict[str, Any]] = []
    n = 0
    for n, row in _rows_numbered(table, "permits"):
        report.rows += 1
        number = _s(row.get("number"))
        if number is not None and number in stored:
            report.unchanged += 1
            _tick(advance, n)
            continue
        try:
            values = _permit_row(row, by_bin, sections)
        except _Bad as exc:
            report.errors.append(RowError(n, exc.field, exc.reason))
        else:
            values |= {"id": str(uuid.uuid4()), "created_at": now, "updated_at": now}
            pending.append(values)
            stored.add(values["number"])
            report.added += 1
            if len(pending) >= CHUNK:
                _write_permits(session, pending, now)
                pending = []
        _tick(advance, n)
    _write_permits(session, pending, now)
    _done(advance, n)
    return _finish(session, report, now)


def _write_permits(session: Session, rows: list[dict[str, Any]], now: dt.datetime) -> None:
    if not rows:
        return
    session.execute(insert(WorkPermit), rows)
    session.execute(
        insert(PermitEventRow),
        [
            {
                "permit_id": r["id"],
                "at": now,
                "actor_id": None,
                "actor_role": "system",
                "action": "import",
                "before": None,
                "after": r["state"],
                "reason": None,
            }
            for r in rows
        ],
    )


IMPORTERS: dict[Kind, Callable[[Session, pa.Table, dt.datetime, Advance | None], ImportReport]] = {
    "employers": import_employers,
    "staff": import_staff,
    "vacancies": import_vacancies,
    "permits": import_permits,
}
