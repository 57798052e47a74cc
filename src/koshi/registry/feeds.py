"""Validation of a feed batch against its columns (:mod:`koshi.registry.schema`): pure, column-wise, fast.

A batch arrives as a ``pyarrow.Table`` (string columns from CSV or JSON lines,
typed columns from Parquet) or as a list of dicts from the API
(:func:`rows_table`).  :func:`validate` checks every value of every row with
``pyarrow.compute`` on whole columns, so a million border events take seconds,
and returns the good rows **normalised** (trimmed text, upper-case codes, real
dates, datetimes in UTC) together with one :class:`RowError` per bad value.

Two kinds of problem, kept apart on purpose:

- a batch that cannot be read at all (unknown feed, a required column missing
  from the header, a column named twice) raises :class:`FeedError`: nothing of
  it is imported and the sender must fix the batch;
- a bad value only rejects its row: the error names the row (1-based in the
  batch or file), the field and why, and the other rows are kept.

Reasons never contain the value: a document number, a name or an IIN must not
reach a log or a screen through an error message (``Column.personal``), and
for the other columns the row and field are enough to find it.

Example:
    >>> import pyarrow as pa
    >>> row = {"event_id": "E-1", "doc_type": "p", "doc_country": "rus", "doc_number": "7512345",
    ...        "nationality": "RUS", "surname": " IVANOV ", "crossing_point": "ala-air",
    ...        "direction": "entry", "occurred_at": "2026-03-01T10:15:00+05:00"}
    >>> bad = dict(row, event_id="E-2", occurred_at="2026-03-01T10:15:00")
    >>> v = validate("border_events", rows_table([row, bad]))
    >>> [str(e) for e in v.errors]
    ["row 2, field 'occurred_at': has no UTC offset: write it as 2026-03-01T10:15:00+05:00 or with Z for UTC"]
    >>> good = v.table.to_pylist()[0]
    >>> good["doc_type"], good["doc_country"], good["surname"], good["crossing_point"], str(good["occurred_at"])
    ('P', 'RUS', 'IVANOV', 'ALA-AIR', '2026-03-01 05:15:00+00:00')
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from koshi.documents.iin import InvalidBin, InvalidIin, validate_bin, validate_iin
from koshi.reference.regions import REGIONS
from koshi.registry.schema import FEEDS, RECORD_ID, TRAVELLER, Column, FeedKind, columns

Mask = npt.NDArray[np.bool_]

FIRST_YEAR, LAST_YEAR = 1900, 2100
"""Dates outside these years are typing errors (and would not fit Python's datetime after a UTC shift)."""

REGION_PREFIXES = frozenset(r.kato[:2] for r in REGIONS)
"""The first two KATO digits of each region: a settlement's code starts with its region's."""

_DATE = r"^\d{4}-\d{2}-\d{2}$"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
_OFFSET = r"(?:Z|[+-](?:0\d|1[0-4])(?::?[0-5]\d)?)"
_DATETIME = rf"^\d{{4}}-\d{{2}}-\d{{2}}[T ]{_TIME}{_OFFSET}$"
_NAIVE = rf"^\d{{4}}-\d{{2}}-\d{{2}}[T ]{_TIME}$"
_INT = r"^[+-]?\d{1,18}$"
_CODE = r"^[A-Z0-9_-]+$"
_COUNTRY = r"^(?:[A-Z]{3}|D)$"
_DOC_NUMBER = r"^[A-Z0-9]{1,20}$"
_TWELVE = r"^\d{12}$"
_KATO = r"^\d{9}$"
_CONTROL = r"[\x00-\x1f\x7f]"

OUTPUT_TYPES: dict[str, pa.DataType] = {
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "int": pa.int64(),
}
"""The type of a normalised column by kind; every other kind is a string."""

LATEST_OFFSET = dt.timedelta(hours=14)
"""UTC+14 is the latest local date anywhere: a birth date is compared with it, never with the UTC date."""


class FeedError(ValueError):
    """A batch that cannot be imported at all; the message names the problem, never a value."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One rejected value: row (1-based, header not counted), column and why; never the value itself."""

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, field '{self.field}': {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        """``{"row", "field", "reason"}`` for JSON, CSV and the batch's stored report."""
        return {"row": self.row, "field": self.field, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Validated:
    """The outcome of :func:`validate`.

    ``table`` holds the good rows in schema order with :func:`output_schema`'s
    types; ``rows`` their 1-based row numbers in the input (plus ``offset``);
    ``errors`` every bad value, by row then column; ``ignored`` the input
    columns the feed does not know (not an error: a sender may send more).
    """

    kind: FeedKind
    table: pa.Table
    rows: npt.NDArray[np.int64]
    errors: tuple[RowError, ...]
    total: int
    ignored: tuple[str, ...]

    @property
    def rejected(self) -> int:
        """How many rows have at least one error."""
        return self.total - int(self.table.num_rows)


def output_schema(kind: FeedKind | str) -> pa.Schema:
    """The schema of a feed's normalised rows.

    >>> output_schema("border_events").field("occurred_at").type
    TimestampType(timestamp[us, tz=UTC])
    """
    return pa.schema([(c.name, OUTPUT_TYPES.get(c.kind, pa.string())) for c in columns(kind)])


def feed_kind(kind: FeedKind | str) -> FeedKind:
    """The feed named ``kind``; :class:`FeedError` naming the known feeds otherwise.

    >>> feed_kind("permits")
    <FeedKind.PERMITS: 'permits'>
    """
    try:
        columns(kind)
    except ValueError as exc:
        raise FeedError(str(exc)) from None
    return FeedKind(kind)


def check_columns(kind: FeedKind | str, names: Sequence[str]) -> FeedKind:
    """Batch-level checks of a header: the feed exists, no column twice, every required column present.

    A column that is only required for some rows (``required_when``) may be
    absent when no row needs it, so it is not checked here.

    >>> check_columns("permits", ["permit_id"])
    Traceback (most recent call last):
    ...
    koshi.registry.feeds.FeedError: permits: missing required column(s): doc_type, doc_country, doc_number, \
nationality, surname, kind, issued_on, valid_from, status
    """
    feed = feed_kind(kind)
    twice = sorted({n for n in names if list(names).count(n) > 1})
    if twice:
        raise FeedError(f"{feed.value}: column(s) named more than once: {', '.join(twice)}")
    present = set(names)
    missing = [c.name for c in FEEDS[feed] if c.required and c.required_when is None and c.name not in present]
    if missing:
        raise FeedError(f"{feed.value}: missing required column(s): {', '.join(missing)}")
    return feed


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def rows_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """A table of string columns from JSON objects (an API batch), keys in order of first appearance.

    A key absent from a row is null in that row, so only a column absent from
    every row is a batch-level problem.

    >>> rows_table([{"a": 1}, {"b": True, "a": None}]).to_pylist()
    [{'a': '1', 'b': None}, {'a': None, 'b': 'true'}]
    """
    names = list(dict.fromkeys(k for r in rows for k in r))
    return pa.table({n: pa.array([_text(r.get(n)) for r in rows], type=pa.string()) for n in names})


# --- column parsers ------------------------------------------------------------------------------


def _np(arr: pa.Array | pa.ChunkedArray) -> Mask:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _flat(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return arr


def _strings(arr: pa.Array, *, pad: int | None = None) -> pa.Array:
    """Trimmed text, blank as null; other types printed (integers left-padded with zeros to ``pad``)."""
    if pa.types.is_string(arr.type):
        s = pc.utf8_trim_whitespace(arr)
        return pc.if_else(pc.equal(s, ""), pa.scalar(None, pa.string()), s)
    if pa.types.is_boolean(arr.type):
        return pc.if_else(arr, "true", "false")
    s = pc.cast(arr, pa.string())
    if pad is not None and pa.types.is_integer(arr.type):
        s = pc.utf8_lpad(s, width=pad, padding="0")
    return s


def _matches(s: pa.Array, pattern: str) -> Mask:
    return _np(pc.match_substring_regex(s, pattern))


class _Field:
    """One column being checked: its normalised values and which rows have which problem."""

    def __init__(self, column: Column, n: int) -> None:
        self.column = column
        self.bad = np.zeros(n, dtype=bool)
        self.problems: list[tuple[Mask, str]] = []
        self.values: pa.Array = pa.nulls(n, OUTPUT_TYPES.get(column.kind, pa.string()))
        self.present = np.zeros(n, dtype=bool)

    def flag(self, mask: Mask, reason: str) -> None:
        """Reject the rows in ``mask`` for ``reason`` (a row keeps its first reason per field)."""
        new = mask & ~self.bad
        if new.any():
            self.problems.append((new, reason))
            self.bad |= new

    @property
    def good(self) -> Mask:
        """Rows holding a valid value (not null, not bad)."""
        return self.present & ~self.bad


def _dates(arr: pa.Array, f: _Field, present: Mask) -> pa.Array:
    """date32 values; strings must be YYYY-MM-DD and a real day.

    Strings are parsed once per distinct value: a feed repeats the same days
    (birth dates, arrival days) many times.
    """
    t = arr.type
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        if pa.types.is_timestamp(t) and t.tz is not None:
            arr = pc.local_timestamp(arr)
        return pc.cast(arr, pa.date32())
    if not pa.types.is_string(t):
        f.flag(present, "is not a date in the form YYYY-MM-DD")
        return pa.nulls(len(arr), pa.date32())
    encoded = pc.dictionary_encode(arr)
    distinct = encoded.dictionary
    shaped = _matches(distinct, _DATE)
    parsed = pc.strptime(
        pc.if_else(pa.array(shaped), distinct, pa.scalar("1970-01-01")), format="%Y-%m-%d", unit="s", error_is_null=True
    )
    # strptime rolls impossible days over (2026-02-30 -> 03-02): only a day that prints back the same is real
    real = shaped & _np(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), distinct))
    days = pc.if_else(pa.array(real), pc.cast(parsed, pa.date32()), pa.scalar(None, pa.date32()))
    indices = np.asarray(pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    f.flag(present & ~real[indices] if len(distinct) else present, "is not a date in the form YYYY-MM-DD")
    return days.take(encoded.indices)


def _datetimes(arr: pa.Array, f: _Field, present: Mask) -> pa.Array:
    """timestamp[us, UTC] values; a time without a UTC offset is refused, not guessed."""
    out_type = OUTPUT_TYPES["datetime"]
    t = arr.type
    naive_reason = "has no UTC offset: write it as 2026-03-01T10:15:00+05:00 or with Z for UTC"
    if pa.types.is_timestamp(t) and t.tz is not None:
        return pc.cast(arr, out_type)
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        f.flag(present, naive_reason)
        return pa.nulls(len(arr), out_type)
    if not pa.types.is_string(t):
        f.flag(present, "is not an ISO 8601 date and time with a UTC offset")
        return pa.nulls(len(arr), out_type)
    shaped = _matches(arr, _DATETIME)
    naive = ~shaped & _matches(arr, _NAIVE)
    day = pc.utf8_slice_codeunits(arr, 0, 10)
    real_day = _np(
        pc.equal(pc.strftime(pc.strptime(day, format="%Y-%m-%d", unit="s", error_is_null=True), "%Y-%m-%d"), day)
    )
    f.flag(present & naive & real_day, naive_reason)
    ok = shaped & real_day
    f.flag(present & ~ok, "is not an ISO 8601 date and time with a UTC offset (e.g. 2026-03-01T10:15:00+05:00)")
    cleaned = pc.if_else(pa.array(ok), arr, pa.scalar("1970-01-01T00:00:00Z"))
    try:
        parsed = pc.cast(cleaned, out_type)
    except pa.ArrowInvalid:  # a shape the regex lets through but Arrow's parser does not: one by one
        parsed = pa.array([_one_datetime(v) for v in cleaned.to_pylist()], type=out_type)
        f.flag(present & ok & _np(pc.is_null(parsed)), "is not an ISO 8601 date and time with a UTC offset")
    return pc.if_else(pa.array(ok), parsed, pa.scalar(None, out_type))


def _one_datetime(value: str | None) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC) if parsed.tzinfo is not None else None


def _in_years(values: pa.Array, f: _Field, present: Mask) -> None:
    year = pc.year(values)
    f.flag(
        present & _np(pc.or_(pc.less(year, FIRST_YEAR), pc.greater(year, LAST_YEAR))),
        f"is not a plausible date (years {FIRST_YEAR}-{LAST_YEAR})",
    )


def _ints(arr: pa.Array, f: _Field, present: Mask) -> pa.Array:
    c = f.column
    t = arr.type
    if pa.types.is_integer(t) and t != pa.uint64():
        values = pc.cast(arr, pa.int64())
    elif pa.types.is_integer(t) or pa.types.is_floating(t):
        as_float = pc.cast(arr, pa.float64(), safe=False)  # uint64 beyond 2**53 need not be exact: it is refused
        whole = _np(pc.and_(pc.equal(pc.floor(as_float), as_float), pc.less(pc.abs(as_float), 1e18)))
        f.flag(present & ~whole, "is not a whole number")
        values = pc.cast(pc.if_else(pa.array(whole), as_float, pa.scalar(0.0)), pa.int64())
    else:
        s = _strings(arr)
        shaped = _matches(s, _INT)
        f.flag(present & ~shaped, "is not a whole number")
        values = pc.cast(pc.if_else(pa.array(shaped), s, pa.scalar("0")), pa.int64())
    if c.minimum is not None:
        f.flag(present & _np(pc.less(values, c.minimum)), f"is below the minimum {c.minimum}")
    if c.maximum is not None:
        f.flag(present & _np(pc.greater(values, c.maximum)), f"is above the maximum {c.maximum}")
    return values


def _enum(s: pa.Array, f: _Field, present: Mask) -> pa.Array:
    choices = f.column.choices
    if all(c == c.lower() for c in choices):
        s = pc.utf8_lower(s)
    elif all(c == c.upper() for c in choices):
        s = pc.utf8_upper(s)
    f.flag(present & _np(pc.invert(pc.is_in(s, pa.array(choices)))), f"is not one of {', '.join(choices)}")
    return s


def _length(s: pa.Array, f: _Field, present: Mask) -> None:
    limit = f.column.max_length
    if limit is not None:
        f.flag(present & _np(pc.greater(pc.utf8_length(s), limit)), f"is longer than {limit} characters")


def _identity_numbers(
    s: pa.Array, f: _Field, rows: Mask, check: Callable[[str], object], what: str
) -> dict[str, object]:
    """Validate the 12-digit numbers in ``rows`` one distinct value at a time; returns value → result."""
    shaped = _matches(s, _TWELVE)
    f.flag(rows & ~shaped, f"is not a valid {what}: it must be exactly 12 digits")
    todo = rows & shaped
    results: dict[str, object] = {}
    if not todo.any():
        return results
    values = s.filter(pa.array(todo))
    reasons: dict[str, str] = {}
    for v in pc.unique(values).to_pylist():
        try:
            results[v] = check(v)
        except (InvalidIin, InvalidBin) as exc:
            reasons[v] = exc.reason
    if reasons:
        keys = pa.array(list(reasons))
        index = np.asarray(pc.fill_null(pc.index_in(s, keys), -1).to_numpy(zero_copy_only=False))
        texts = list(reasons.values())
        for k, reason in enumerate(texts):
            f.flag(todo & (index == k), f"is not a valid {what}: {reason}")
    return results


def _parse(f: _Field, raw: pa.Array | None, n: int) -> None:
    """Normalise one column into ``f.values`` and flag bad values (``required`` is checked later)."""
    if raw is None:
        return
    c = f.column
    arr = _flat(raw)
    if pa.types.is_null(arr.type):
        return
    if c.kind == "date":
        s = _strings(arr) if pa.types.is_string(arr.type) else arr
        present = _np(pc.is_valid(s))
        values = _dates(s, f, present)
        _in_years(values, f, present & ~f.bad)
    elif c.kind == "datetime":
        s = _strings(arr) if pa.types.is_string(arr.type) else arr
        present = _np(pc.is_valid(s))
        values = _datetimes(s, f, present)
        _in_years(values, f, present & ~f.bad)
    elif c.kind == "int":
        s = _strings(arr) if pa.types.is_string(arr.type) else arr
        present = _np(pc.is_valid(s))
        values = _ints(s, f, present)
    else:
        values = _strings(arr, pad=12 if c.kind in ("iin", "host_id") else None)
        present = _np(pc.is_valid(values))
        if c.kind in ("code", "country", "doc_number"):
            values = pc.utf8_upper(values)
        if c.kind == "str":
            f.flag(present & _matches(values, _CONTROL), "contains control characters (line breaks, tabs...)")
        elif c.kind == "code":
            f.flag(present & ~_matches(values, _CODE), "may hold only letters A-Z, digits, '-' and '_'")
        elif c.kind == "country":
            values = pc.utf8_rtrim(values, characters="<")  # 'D<<' as printed in an MRZ is Germany's 'D'
            f.flag(
                present & ~_matches(values, _COUNTRY),
                "is not an ICAO 9303 three-letter code (ISO 3166-1 alpha-3, e.g. KAZ, RUS; D for Germany)",
            )
        elif c.kind == "doc_number":
            f.flag(present & ~_matches(values, _DOC_NUMBER), "must be 1-20 letters A-Z or digits (no spaces or '<')")
        elif c.kind == "kato":
            shaped = _matches(values, _KATO)
            f.flag(present & ~shaped, "is not a KATO code: it must be 9 digits")
            known = _np(pc.is_in(pc.utf8_slice_codeunits(values, 0, 2), pa.array(sorted(REGION_PREFIXES))))
            f.flag(present & ~known, "does not start with the two digits of a region's KATO code")
        elif c.kind == "enum":
            values = _enum(values, f, present)
        _length(values, f, present)
    f.present = present
    good = f.good
    # null where bad or missing (a bad value may have been replaced by a placeholder to parse the rest)
    f.values = values if good.all() else pc.if_else(pa.array(good), values, pa.scalar(None, values.type))


# --- cross-field checks --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Order:
    """``later`` must not be before ``earlier`` (both dates, or both datetimes); reported on ``later``."""

    later: str
    earlier: str


ORDERS: dict[FeedKind, tuple[_Order, ...]] = {
    FeedKind.AUTHORIZATIONS: (
        _Order("trip_to", "trip_from"),
        _Order("valid_to", "valid_from"),
        _Order("decided_at", "applied_at"),
    ),
    FeedKind.BORDER_EVENTS: (),
    FeedKind.REGISTRATIONS: (
        _Order("registered_on", "arrival_date"),
        _Order("valid_to", "arrival_date"),
    ),
    FeedKind.PERMITS: (
        _Order("valid_to", "valid_from"),
        _Order("revoked_on", "issued_on"),
    ),
}
"""Pairs of columns whose order is a fact, not a judgement (a trip cannot end before it starts)."""

RECORD_DAY: dict[FeedKind, str] = {
    FeedKind.AUTHORIZATIONS: "applied_at",
    FeedKind.BORDER_EVENTS: "occurred_at",
    FeedKind.REGISTRATIONS: "arrival_date",
    FeedKind.PERMITS: "issued_on",
}
"""The day each record happened: nobody is born after their own border crossing or application."""


def _day(f: _Field) -> pa.Array:
    """A date column as is; a datetime column as its latest possible local date (UTC+14)."""
    if f.column.kind == "datetime":
        shifted = pc.add(f.values, pa.scalar(LATEST_OFFSET, pa.duration("us")))
        return pc.cast(pc.local_timestamp(shifted), pa.date32())
    return f.values


def _cross_checks(kind: FeedKind, fields: dict[str, _Field], today: dt.date | None) -> None:
    for order in ORDERS[kind]:
        later, earlier = fields[order.later], fields[order.earlier]
        both = later.good & earlier.good
        if both.any():
            later.flag(both & _np(pc.less(later.values, earlier.values)), f"is before {order.earlier}")
    birth = fields["birth_date"]
    day_field = fields[RECORD_DAY[kind]]
    both = birth.good & day_field.good
    if both.any():
        birth.flag(both & _np(pc.greater(birth.values, _day(day_field))), f"is after {day_field.column.name}")
    if today is not None:
        birth.flag(birth.good & _np(pc.greater(birth.values, pa.scalar(today, pa.date32()))), "is in the future")
    expiry = fields["doc_expiry"]
    both = expiry.good & birth.good
    if both.any():
        expiry.flag(both & _np(pc.less(expiry.values, birth.values)), "is before birth_date")


def _iin_birth_dates(iin: _Field, birth: _Field, found: Mapping[str, object]) -> None:
    both = iin.good & birth.good
    if not both.any() or not found:
        return
    encoded = pa.array(
        [getattr(found.get(v), "birth_date", None) if v is not None else None for v in iin.values.to_pylist()],
        type=pa.date32(),
    )
    iin.flag(both & _np(pc.not_equal(encoded, birth.values)), "encodes a birth date that differs from birth_date")


def _duplicates(ids: _Field, offset: int) -> None:
    """Reject the second and later rows with one record id: a batch states each record once."""
    first: dict[str, int] = {}
    dup_of = np.full(len(ids.bad), -1, dtype=np.int64)
    for i, v in enumerate(ids.values.to_pylist()):
        if v is None:
            continue
        j = first.setdefault(v, i)
        if j != i:
            dup_of[i] = j
    mask = (dup_of >= 0) & ids.good
    for j in np.unique(dup_of[mask]):
        ids.flag(mask & (dup_of == j), f"repeats the record id of row {int(j) + 1 + offset} (only the first is kept)")


# --- the whole batch ------------------------------------------------------------------------------


def validate(
    kind: FeedKind | str,
    data: pa.Table | Sequence[Mapping[str, Any]],
    *,
    today: dt.date | None = None,
    offset: int = 0,
) -> Validated:
    """Check every row of a batch; the good rows normalised, an error for every bad value.

    ``today`` (when given) refuses birth dates after it; ``offset`` is added to
    row numbers, for a file imported in slices.  Raises :class:`FeedError` for
    a batch-level problem (see :func:`check_columns`).
    """
    table = data if isinstance(data, pa.Table) else rows_table(data)
    feed = check_columns(kind, table.column_names)
    cols = FEEDS[feed]
    n = table.num_rows
    names = set(table.column_names)
    fields = {c.name: _Field(c, n) for c in cols}
    for c in cols:
        _parse(fields[c.name], table.column(c.name) if c.name in names else None, n)
    for c in cols:  # required after parsing: required_when reads the normalised controlling column
        f = fields[c.name]
        needed = np.full(n, c.required, dtype=bool)
        if c.required_when is not None:
            other, values = c.required_when
            controller = fields[other]
            needed = controller.good & _np(pc.is_in(controller.values, pa.array(values)))
        f.flag(
            needed & ~f.present,
            "is required" if c.required_when is None else f"is required {_required_text(c)}",
        )
    found_iins = _identity_numbers(
        fields["iin"].values, fields["iin"], fields["iin"].present & ~fields["iin"].bad, validate_iin, "IIN"
    )
    if "host_id" in fields:
        host, host_kind = fields["host_id"], fields["host_kind"]
        for k, check, what in (
            ("individual", validate_iin, "IIN of an individual host"),
            ("legal_entity", validate_bin, "BIN of a legal entity"),
        ):
            rows = host.present & ~host.bad & host_kind.good & _np(pc.equal(host_kind.values, k))
            _identity_numbers(host.values, host, rows, check, what)
    _iin_birth_dates(fields["iin"], fields["birth_date"], found_iins)
    _cross_checks(feed, fields, today)
    _duplicates(fields[RECORD_ID[feed]], offset)

    bad = np.zeros(n, dtype=bool)
    errors: list[tuple[int, int, RowError]] = []
    for order, c in enumerate(cols):
        f = fields[c.name]
        bad |= f.bad
        for mask, reason in f.problems:
            errors.extend((int(i), order, RowError(int(i) + 1 + offset, c.name, reason)) for i in np.flatnonzero(mask))
    errors.sort(key=lambda e: (e[0], e[1]))
    good = ~bad
    keep = pa.array(good)
    schema = output_schema(feed)
    out = pa.table([fields[c.name].values.filter(keep) for c in cols], schema=schema)
    return Validated(
        kind=feed,
        table=out,
        rows=(np.flatnonzero(good) + 1 + offset).astype(np.int64),
        errors=tuple(e for _, _, e in errors),
        total=n,
        ignored=tuple(name for name in table.column_names if name not in fields),
    )


# --- documentation -------------------------------------------------------------------------------


def _kind_text(c: Column) -> str:
    if c.kind == "enum":
        return "one of " + ", ".join(f"`{x}`" for x in c.choices)
    text = {
        "str": "text",
        "code": "code (A-Z, 0-9, `-`, `_`)",
        "country": "ICAO country code",
        "doc_number": "document number",
        "iin": "IIN",
        "host_id": "IIN or BIN",
        "kato": "KATO code",
        "date": "date `YYYY-MM-DD`",
        "datetime": "date-time with UTC offset",
        "int": "whole number",
    }[c.kind]
    if c.max_length is not None:
        text += f", ≤ {c.max_length} chars"
    if c.minimum is not None or c.maximum is not None:
        text += f", {c.minimum}–{c.maximum}"
    return text


def _required_text(c: Column) -> str:
    if c.required_when is not None:
        other, values = c.required_when
        return f"when {other} is {'/'.join(values)}"
    return "yes" if c.required else "no"


def columns_markdown(kind: FeedKind | str | None = None) -> str:
    """A Markdown table of columns: with no ``kind`` the traveller columns every feed starts with,
    else the feed's own columns (``docs/registry.md`` embeds them; a test keeps them equal)."""
    traveller = {c.name for c in TRAVELLER}
    chosen = TRAVELLER if kind is None else tuple(c for c in columns(kind) if c.name not in traveller)
    lines = ["| column | type | required | personal | description |", "|---|---|---|---|---|"]
    for c in chosen:
        personal = "yes" if c.personal else ""
        lines.append(f"| `{c.name}` | {_kind_text(c)} | {_required_text(c)} | {personal} | {c.description} |")
    return "\n".join(lines)
