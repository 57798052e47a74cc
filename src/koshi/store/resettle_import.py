"""Load settlements, housing, vacancies, families and follow-ups from a table (``koshi resettle ... import``).

Same semantics as the labour imports (:mod:`koshi.store.labour_import`):

- **Transactional.** A file is one batch, written in the caller's transaction: all its good rows or,
  if anything fails, nothing. Each row goes through the store's own checks in a savepoint, so a bad
  row leaves nothing behind; it is reported (1-based row, field, reason: never the value of a
  personal field such as the head's IIN) and the good rows are kept.
- **Idempotent.** Settlements by KATO code, housing and vacancies by ``ref`` (changed values are
  updated), families by ``ref`` (a family already stored is left alone: its checks and decisions
  belong to the officer now), follow-ups by family and month. A second run of the same file adds
  nothing.
- **As the system.** Whoever runs an import holds the database; the store audits every change and
  this module adds one ``resettle.import`` record per batch with the kind and the counts.

:func:`family_values` reads one applicant row; ``koshi resettle check`` uses it to run the eligibility
checks on a file without storing anything.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal

import pyarrow as pa
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from koshi.documents.iin import InvalidBin, InvalidIin, mask, validate_bin, validate_iin
from koshi.reference.regions import BY_KATO
from koshi.resettle.eligibility import EMPLOYMENT, Applicant
from koshi.resettle.followup import MONTHS, Status
from koshi.resettle.policy import Category
from koshi.store import audit
from koshi.store import resettle as store
from koshi.store.batch import BadCell as Bad
from koshi.store.batch import ImportFileError, ImportReport, RowError
from koshi.store.cases import Actor

Kind = Literal["settlements", "housing", "vacancies", "families", "followups", "applicants"]
Advance = Callable[[int], None]

FAMILY_COLUMNS = (
    ("ref", "category", "head_iin", "head_surname", "size", "able_bodied", "isco", "applied_on"),
    ("head_given_names", "citizen", "kandas_status", "employment_status", "origin_kato", "registered_since",
     "graduate_programme", "graduated_on", "preferences", "housing_certificate"),
)  # fmt: skip
COLUMNS: dict[Kind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "settlements": (("kato", "name", "rent_mrp"), ()),
    "housing": (("ref", "settlement_kato", "capacity", "kind"), ()),
    "vacancies": (
        ("ref", "employer_bin", "employer_name", "isco", "title", "wage", "settlement_kato", "posted_on"),
        ("housing_ref",),
    ),
    "families": FAMILY_COLUMNS,
    "followups": (("family", "month", "observed_on", "status", "able_bodied", "employed"), ()),
    "applicants": (FAMILY_COLUMNS[0][1:], ("ref", *FAMILY_COLUMNS[1])),  # ``check``: nothing stored, no ref needed
}
"""Kind -> (required columns, optional columns)."""

SYSTEM = Actor(None, "admin")  # type: ignore[arg-type]
"""How imports and the demo act: with an administrator's rights and no account (audit actor id None), as the
system does (the store's checks want a role; decisions then name no user)."""
HOUSING_KINDS = ("employer", "service", "rental")
TRUE, FALSE = frozenset({"true", "1", "yes", "y", "t"}), frozenset({"false", "0", "no", "n", "f"})
MAX_FAMILY = 20
PROGRESS_EVERY = 100


# --- cells -------------------------------------------------------------------------------------------


def _s(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def _required(row: Mapping[str, Any], name: str) -> str:
    s = _s(row, name)
    if s is None:
        raise Bad(name, "required")
    return s


def _text(row: Mapping[str, Any], name: str, longest: int, required: bool = True) -> str | None:
    s = _required(row, name) if required else _s(row, name)
    if s is not None and len(s) > longest:
        raise Bad(name, f"at most {longest} characters")
    return s


def _int(row: Mapping[str, Any], name: str, least: int | None = None) -> int:
    value = row.get(name)
    if isinstance(value, bool):
        raise Bad(name, "not a whole number")
    if isinstance(value, int):
        n = value
    else:
        try:
            n = int(_required(row, name))
        except ValueError:
            raise Bad(name, "not a whole number") from None
    if least is not None and n < least:
        raise Bad(name, f"must be at least {least}")
    return n


def _date(row: Mapping[str, Any], name: str, required: bool = True) -> dt.date | None:
    value = row.get(name)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = _required(row, name) if required else _s(row, name)
    if s is None:
        return None
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise Bad(name, "not a date in the form YYYY-MM-DD") from None


def _bool(row: Mapping[str, Any], name: str, default: bool) -> bool:
    value = row.get(name)
    if isinstance(value, bool):
        return value
    s = _s(row, name)
    if s is None:
        return default
    if s.lower() in TRUE:
        return True
    if s.lower() in FALSE:
        return False
    raise Bad(name, "not true or false")


def _region_kato(value: str, name: str) -> str:
    """A region's KATO code (``590000000``)."""
    if value not in BY_KATO:
        raise Bad(name, "not a region's KATO code (9 digits, e.g. 590000000)")
    return value


def _settlement_kato(value: str, name: str) -> str:
    """A settlement's 9-digit KATO code under a known region."""
    if len(value) != 9 or not value.isdigit():
        raise Bad(name, "not a 9-digit KATO code")
    if value[:2] + "0000000" not in BY_KATO:
        raise Bad(name, "its first two digits name no region of Kazakhstan")
    return value


def _isco(row: Mapping[str, Any], name: str = "isco") -> str:
    value = _required(row, name)
    if len(value) != 4 or not value.isdigit():
        raise Bad(name, "not a 4-digit ISCO-08 occupation code")
    return value


def preferences(value: Any) -> tuple[str, ...]:
    """Preferred receiving regions from one cell: a list, or KATO codes joined by ``;``, ``,``, ``|`` or spaces.

    Raises:
        Bad: a code that is no region's, or one given twice.

    Examples:
        >>> preferences("590000000; 550000000"), preferences(None), preferences(["390000000"])
        (('590000000', '550000000'), (), ('390000000',))
    """
    if value is None:
        return ()
    items = [str(v).strip() for v in value] if isinstance(value, list) else re.split(r"[;,|\s]+", str(value))
    codes = tuple(_region_kato(v, "preferences") for v in items if v)
    if len(set(codes)) != len(codes):
        raise Bad("preferences", "a region is listed twice")
    if len(codes) > len(BY_KATO):
        raise Bad("preferences", "too many regions")
    return codes


# --- rows --------------------------------------------------------------------------------------------


def family_values(row: Mapping[str, Any], *, ref_required: bool = True) -> dict[str, Any]:
    """One applicant row as the keyword arguments of :func:`koshi.store.resettle.apply` (without ``now``).

    Raises:
        Bad: the first field that cannot be read (the head's IIN is never quoted).
    """
    ref = _text(row, "ref", 64, required=ref_required)
    try:
        category = Category(_required(row, "category")).value
    except ValueError:
        raise Bad("category", "one of resettler, kandas") from None
    iin = _required(row, "head_iin")
    try:
        validate_iin(iin)
    except InvalidIin as exc:
        raise Bad("head_iin", f"not a valid IIN: {exc.reason}") from None
    surname = _text(row, "head_surname", 80)
    given = _text(row, "head_given_names", 80, required=False)
    kandas = category == Category.kandas.value
    citizen = _bool(row, "citizen", default=not kandas)
    kandas_status = _bool(row, "kandas_status", default=kandas)
    status = _s(row, "employment_status") or "none"
    if status not in EMPLOYMENT:
        raise Bad("employment_status", f"one of {', '.join(EMPLOYMENT)}")
    origin = _s(row, "origin_kato")
    if origin is not None:
        _settlement_kato(origin, "origin_kato")
        origin = _region_kato(origin[:2] + "0000000", "origin_kato")
    programme = _text(row, "graduate_programme", 40, required=False)
    size = _int(row, "size")
    if not 1 <= size <= MAX_FAMILY:
        raise Bad("size", f"a family has 1 to {MAX_FAMILY} persons (the head counts)")
    able = _int(row, "able_bodied")
    if not 1 <= able <= size:
        raise Bad("able_bodied", "at least 1 and at most the family's size")
    applied_on = _date(row, "applied_on")
    registered = _date(row, "registered_since", required=False)
    graduated = _date(row, "graduated_on", required=False)
    assert applied_on is not None
    if registered is not None and registered > applied_on:
        raise Bad("registered_since", "after the application")
    return {
        "ref": ref,
        "category": category,
        "head_iin": iin,
        "head_surname": surname,
        "head_given_names": given,
        "citizen": citizen,
        "kandas_status": kandas_status,
        "employment_status": status,
        "origin_kato": origin,
        "registered_since": registered,
        "graduate_programme": programme,
        "graduated_on": graduated,
        "size": size,
        "able_bodied": able,
        "isco": _isco(row),
        "preferences": preferences(row.get("preferences")),
        "housing_certificate": _bool(row, "housing_certificate", default=False),
        "applied_on": applied_on,
    }


def applicant(values: Mapping[str, Any]) -> Applicant:
    """The eligibility facts of :func:`family_values`' result."""
    return Applicant(
        category=values["category"],
        citizen=values["citizen"],
        kandas_status=values["kandas_status"],
        employment_status=values["employment_status"],
        origin_kato=values["origin_kato"],
        registered_since=values["registered_since"],
        graduate_programme=values["graduate_programme"],
        graduated_on=values["graduated_on"],
        preferences=values["preferences"],
        size=values["size"],
        able_bodied=values["able_bodied"],
        applied_on=values["applied_on"],
    )


# --- batches -----------------------------------------------------------------------------------------


def check_columns(table: pa.Table, kind: Kind) -> None:
    """Refuse a file without a required column (before anything is read).

    Raises:
        ImportFileError: naming the missing columns.
    """
    missing = [c for c in COLUMNS[kind][0] if c not in table.column_names]
    if missing:
        raise ImportFileError(f"missing column(s) for {kind}: {', '.join(missing)}")


def rows_numbered(table: pa.Table, kind: Kind) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows numbered from 1, as a spreadsheet shows them under the header."""
    check_columns(table, kind)
    required, optional = COLUMNS[kind]
    names = [c for c in (*required, *optional) if c in table.column_names]
    n = 0
    for batch in table.select(names).to_batches(2_000):
        for row in batch.to_pylist():
            n += 1
            yield n, row


def _safe(message: str, row: Mapping[str, Any]) -> str:
    """A store message with the row's IIN masked, should one ever be quoted."""
    iin = _s(row, "head_iin")
    return message.replace(iin, mask(iin)) if iin and len(iin) > 4 else message


Outcome = Literal["added", "updated", "unchanged"]


def _run(
    session: Session,
    kind: Kind,
    table: pa.Table,
    now: dt.datetime,
    advance: Advance | None,
    one: Callable[[dict[str, Any]], Outcome],
) -> ImportReport:
    """Apply ``one`` to every row in its own savepoint; refusals become row errors; one audit record."""
    report = ImportReport(kind)
    n = 0
    for n, row in rows_numbered(table, kind):
        report.rows += 1
        try:
            with session.begin_nested():
                outcome = one(row)
        except Bad as exc:
            report.errors.append(RowError(n, exc.field, exc.reason))
        except store.ResettleError as exc:
            report.errors.append(RowError(n, exc.field or "row", _safe(exc.message, row)))
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
        if advance is not None and n % PROGRESS_EVERY == 0:
            advance(PROGRESS_EVERY)
    if advance is not None and n % PROGRESS_EVERY:
        advance(n % PROGRESS_EVERY)
    session.flush()
    audit.append(
        session,
        at=now,
        actor_id=None,
        actor_role="system",
        action="resettle.import",
        detail=(
            f"{kind}: {report.rows} rows, {report.added} added, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected} rejected"
        ),
    )
    return report


def _settlement_exists(session: Session, kato: str, name: str) -> None:
    if session.get(store.Settlement, kato) is None:
        raise Bad(name, "no settlement with this KATO code: import the settlements first")


def import_settlements(
    session: Session, table: pa.Table, now: dt.datetime, advance: Advance | None = None, *, actor: Actor
) -> ImportReport:
    """Settlements by KATO code (a changed name or rent is updated)."""

    def one(row: dict[str, Any]) -> Outcome:
        kato = _settlement_kato(_required(row, "kato"), "kato")
        name = _text(row, "name", 200)
        rent = _int(row, "rent_mrp")
        old = session.get(store.Settlement, kato)
        if old is not None and (old.name, old.rent_mrp) == (name, rent):
            return "unchanged"
        store.put_settlement(session, actor, kato=kato, name=name or "", rent_mrp=rent, now=now)
        return "added" if old is None else "updated"

    return _run(session, "settlements", table, now, advance, one)


def import_housing(
    session: Session, table: pa.Table, now: dt.datetime, advance: Advance | None = None, *, actor: Actor
) -> ImportReport:
    """Dwellings by ``ref`` (a changed settlement, capacity or kind is updated)."""

    def one(row: dict[str, Any]) -> Outcome:
        ref = _text(row, "ref", 64) or ""
        kato = _settlement_kato(_required(row, "settlement_kato"), "settlement_kato")
        capacity = _int(row, "capacity", least=1)
        kind = _required(row, "kind")
        if kind not in HOUSING_KINDS:
            raise Bad("kind", f"one of {', '.join(HOUSING_KINDS)}")
        _settlement_exists(session, kato, "settlement_kato")
        old = session.scalar(select(store.Housing).where(store.Housing.ref == ref))
        if old is not None and (old.settlement_kato, old.capacity, old.kind) == (kato, capacity, kind):
            return "unchanged"
        store.put_housing(session, actor, ref=ref, settlement_kato=kato, capacity=capacity, kind=kind, now=now)
        return "added" if old is None else "updated"

    return _run(session, "housing", table, now, advance, one)


def import_vacancies(
    session: Session, table: pa.Table, now: dt.datetime, advance: Advance | None = None, *, actor: Actor
) -> ImportReport:
    """Vacancies by ``ref`` (import the settlements and the housing first)."""

    def one(row: dict[str, Any]) -> Outcome:
        ref = _text(row, "ref", 64) or ""
        employer_bin = _required(row, "employer_bin")
        try:
            validate_bin(employer_bin)
        except InvalidBin as exc:
            raise Bad("employer_bin", f"not a valid BIN: {exc.reason}") from None
        values: dict[str, Any] = {
            "employer_bin": employer_bin,
            "employer_name": _text(row, "employer_name", 200),
            "isco": _isco(row),
            "title": _text(row, "title", 200),
            "wage": _int(row, "wage", least=1),
            "settlement_kato": _settlement_kato(_required(row, "settlement_kato"), "settlement_kato"),
            "posted_on": _date(row, "posted_on"),
        }
        _settlement_exists(session, values["settlement_kato"], "settlement_kato")
        housing_ref = _text(row, "housing_ref", 64, required=False)
        housing_id = None
        if housing_ref is not None:
            housing_id = session.scalar(select(store.Housing.id).where(store.Housing.ref == housing_ref))
            if housing_id is None:
                raise Bad("housing_ref", "no housing with this ref: import the housing first")
        old = session.scalar(select(store.ResettleVacancy).where(store.ResettleVacancy.ref == ref))
        if old is not None and all(getattr(old, k) == v for k, v in values.items()):
            tied = session.scalar(select(store.Housing.id).where(store.Housing.vacancy_id == old.id))
            if tied == housing_id:
                return "unchanged"
        store.put_vacancy(session, actor, ref=ref, housing_ref=housing_ref, now=now, **values)
        return "added" if old is None else "updated"

    return _run(session, "vacancies", table, now, advance, one)


def import_families(
    session: Session, table: pa.Table, now: dt.datetime, advance: Advance | None = None, *, actor: Actor
) -> ImportReport:
    """Applications by ``ref``: each is checked as it is stored; a family already stored is left alone."""

    def one(row: dict[str, Any]) -> Outcome:
        values = family_values(row)
        if session.scalar(select(store.Family.id).where(store.Family.ref == values["ref"])) is not None:
            return "unchanged"
        store.apply(session, actor, now=now, **values)
        return "added"

    return _run(session, "families", table, now, advance, one)


def find_family(session: Session, key: str) -> store.Family | None:
    """A family by its number (``RS-2026-000123``) or its import ``ref``."""
    return session.scalar(select(store.Family).where(or_(store.Family.number == key, store.Family.ref == key)))


def import_followups(
    session: Session, table: pa.Table, now: dt.datetime, advance: Advance | None = None, *, actor: Actor
) -> ImportReport:
    """Follow-ups by family (number or ref) and month; the same observation again is unchanged."""
    statuses = tuple(s.value for s in Status)

    def one(row: dict[str, Any]) -> Outcome:
        found = find_family(session, _required(row, "family"))
        if found is None:
            raise Bad("family", "no family with this number or ref")
        month = _int(row, "month")
        if month not in MONTHS:
            raise Bad("month", f"one of {', '.join(str(m) for m in MONTHS)}")
        status = _required(row, "status")
        if status not in statuses:
            raise Bad("status", f"one of {', '.join(statuses)}")
        values: dict[str, Any] = {
            "observed_on": _date(row, "observed_on"),
            "status": status,
            "able_bodied": _int(row, "able_bodied", least=0),
            "employed": _int(row, "employed", least=0),
        }
        old = session.scalar(
            select(store.Followup).where(store.Followup.family_id == found.id, store.Followup.month == month)
        )
        recorded = old is not None and old.observed_on is not None  # (arrival creates the month, unrecorded)
        if recorded and all(getattr(old, k) == v for k, v in values.items()):
            return "unchanged"
        store.record_followup(session, actor, found.id, month=month, now=now, **values)
        return "updated" if recorded else "added"

    return _run(session, "followups", table, now, advance, one)


Importer = Callable[..., ImportReport]
IMPORTERS: dict[Kind, Importer] = {
    "settlements": import_settlements,
    "housing": import_housing,
    "vacancies": import_vacancies,
    "families": import_families,
    "followups": import_followups,
}
