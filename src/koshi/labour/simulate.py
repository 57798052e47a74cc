"""A fee reform's effect on a year of work permits: revenue and permits by sector and region, before and after.

Every permit's fee is computed twice, under the rates in force and under the reform's
(:class:`~koshi.labour.fees.RateTable` and :meth:`~koshi.labour.fees.RateTable.changed`),
with exactly the arithmetic of :func:`koshi.labour.fees.quote` but on whole columns (numpy), so a
million permits take a few seconds on two cores. Rows are checked once per distinct value (a year of permits
has few distinct categories, sections, regions and days: Arrow dictionary encoding), and DuckDB
(in memory, Arrow in and out) sums the results. The term rules themselves (:func:`~koshi.labour.fees.term_years`,
:func:`~koshi.labour.fees.seasonal_band`) are called once per *distinct* term rather than
re-implemented, so a change there changes both paths at once; a test compares the two on
thousands of random permits.

What counts: permits whose ``valid_from`` falls in the year (the fee is paid on issue, and the
term's first day is the best date a permit file carries), and, when the file has a ``state``
column, only the permits whose fee was paid (issued, expired, revoked). The tenge amount uses the
MRP of each permit's first day (:func:`koshi.labour.policy.policy`), as a quote does.

**Behavioural response (an assumption, off by default).** With ``elasticity`` E, the number of
permits of each kind scales by ``(fee_after / fee_before) ** E``: E = 0 (the default) is the
static estimate (employers hire the same workers whatever the fee); E = -0.5 means a fee 20%
higher gives about 9% fewer permits of that kind. The factor is per permit, so a cell (a
category, sector group and term band) scales as a whole; free permits (intra-corporate
transfers) never change. No elasticity for Kazakhstan's fee is published: E is the analyst's
assumption, stated next to the results.

    >>> import datetime as dt
    >>> import pyarrow as pa
    >>> from koshi.labour.fees import RateTable
    >>> from koshi.labour.policy import policy
    >>> now = RateTable.of(policy(dt.date(2026, 1, 1)))
    >>> permits = pa.table({"category": ["category_3", "seasonal"], "oked_section": ["F", "A"],
    ...     "region_kato": ["710000000", "610000000"], "valid_from": ["2026-02-01", "2026-04-01"],
    ...     "valid_to": ["2027-01-31", "2026-06-29"]})
    >>> s = simulate(permits, now, now.changed({"seasonal": {90: 15}}), year=2026)
    >>> s.total.tenge_before, s.total.tenge_after, s.total.tenge_change
    (1020700, 1033675, 12975)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from koshi.labour.fees import GROUPS, RateTable, seasonal_band, term_years
from koshi.labour.policy import EFFECTIVE_FROM, FEE_BASED, SEASONAL_BANDS, SECTIONS, Category, policy
from koshi.labour.workflow import PermitState
from koshi.reference.regions import REGIONS
from koshi.registry.feeds import RowError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

REQUIRED = ("category", "region_kato", "valid_from", "valid_to")
"""Columns every permit file needs; ``oked_section`` too, unless an employers table supplies it by ``bin``."""

CATEGORIES = tuple(c.value for c in Category)
PAID = frozenset({PermitState.issued, PermitState.expired, PermitState.revoked})
"""States whose fee was paid: what the budget received."""

BREAKDOWNS = ("group", "section", "region", "category")
SECTION_NAMES = {
    "A": "Agriculture, forestry and fishing",
    "B": "Mining and quarrying",
    "C": "Manufacturing",
    "D": "Electricity, gas, steam and air conditioning",
    "E": "Water supply, sewerage, waste",
    "F": "Construction",
    "G": "Wholesale and retail trade",
    "H": "Transportation and storage",
    "I": "Accommodation and food service",
    "J": "Information and communication",
    "K": "Financial and insurance",
    "L": "Real estate",
    "M": "Professional, scientific and technical",
    "N": "Administrative and support services",
    "O": "Public administration and defence",
    "P": "Education",
    "Q": "Human health and social work",
    "R": "Arts, entertainment and recreation",
    "S": "Other service activities",
    "T": "Households as employers",
    "U": "Extraterritorial organisations",
}
"""OKED sections (as NACE Rev. 2), short names for reports."""
REGION_NAMES = {r.kato: r.name_en for r in REGIONS}
CATEGORY_NAMES = {
    "category_1": "1: heads and deputies",
    "category_2": "2: heads of subdivisions",
    "category_3": "3: specialists",
    "category_4": "4: skilled workers",
    "seasonal": "seasonal work",
    "ict": "intra-corporate transfer",
}

_EPOCH = dt.date(1970, 1, 1)
_NO_SECTION = len(SECTIONS)  # index for a missing section (seasonal and ICT permits may have none)


class FeeInputError(ValueError):
    """A permit file that cannot be used at all (a missing column, an employers table with repeated BINs)."""


@dataclass(frozen=True, slots=True)
class CheckedPermits:
    """The usable rows of a permit file, typed, and an error for every bad value.

    ``table`` columns: ``row`` (1-based in the input), ``category``, ``oked_section`` (upper
    case or null), ``region_kato``, ``valid_from`` and ``valid_to`` (date32), ``state`` (null
    when the file has none).
    """

    table: pa.Table
    errors: tuple[RowError, ...]
    total: int

    @property
    def rejected(self) -> int:
        """Rows with at least one error."""
        return self.total - int(self.table.num_rows)


@dataclass(frozen=True, slots=True)
class PermitFees:
    """Each permit's fee under one rate table: MRP, tenge, and the sector group (null when none applies)."""

    mrp: FloatArray
    tenge: IntArray
    group: pa.Array


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a breakdown (or the total): permits and revenue before and after the reform."""

    key: str
    label: str
    group_before: str | None
    group_after: str | None
    permits_before: int
    permits_after: float
    mrp_before: float
    mrp_after: float
    tenge_before: int
    tenge_after: int

    @property
    def tenge_change(self) -> int:
        """Revenue after minus before, tenge."""
        return self.tenge_after - self.tenge_before

    @property
    def tenge_change_pct(self) -> float | None:
        """The change as a percentage of revenue before (None when there was none)."""
        return None if self.tenge_before == 0 else 100.0 * self.tenge_change / self.tenge_before

    def as_dict(self) -> dict[str, Any]:
        """The line with its change, for CSV, Parquet and JSON."""
        pct = self.tenge_change_pct
        return {
            "key": self.key,
            "label": self.label,
            "group_before": self.group_before,
            "group_after": self.group_after,
            "permits_before": self.permits_before,
            "permits_after": round(self.permits_after, 3),
            "mrp_before": round(self.mrp_before, 2),
            "mrp_after": round(self.mrp_after, 2),
            "tenge_before": self.tenge_before,
            "tenge_after": self.tenge_after,
            "tenge_change": self.tenge_change,
            "tenge_change_pct": None if pct is None else round(pct, 2),
        }


@dataclass(frozen=True, slots=True)
class Simulation:
    """A reform's effect on one year of permits.

    ``counted``: permits in the year whose fee was paid; ``outside_year`` and ``unpaid`` the
    valid rows left out for their date or their state; ``rejected`` the rows with errors.
    """

    year: int | None
    elasticity: float
    counted: int
    outside_year: int
    unpaid: int
    rejected: int
    total: Line
    breakdowns: dict[str, tuple[Line, ...]]

    def table(self) -> pa.Table:
        """Every breakdown and the total as one long table (column ``breakdown`` says which)."""
        rows = [{"breakdown": "total", **self.total.as_dict()}]
        for name, lines in self.breakdowns.items():
            rows.extend({"breakdown": name, **line.as_dict()} for line in lines)
        return pa.Table.from_pylist(rows, schema=OUTPUT_SCHEMA)


OUTPUT_SCHEMA = pa.schema(
    [
        ("breakdown", pa.string()),
        ("key", pa.string()),
        ("label", pa.string()),
        ("group_before", pa.string()),
        ("group_after", pa.string()),
        ("permits_before", pa.int64()),
        ("permits_after", pa.float64()),
        ("mrp_before", pa.float64()),
        ("mrp_after", pa.float64()),
        ("tenge_before", pa.int64()),
        ("tenge_after", pa.int64()),
        ("tenge_change", pa.int64()),
        ("tenge_change_pct", pa.float64()),
    ]
)


# --- checking the rows ---------------------------------------------------------------------------


def _encoded(column: pa.ChunkedArray | pa.Array) -> tuple[IntArray, list[Any]]:
    """Each row's index into the column's distinct values (-1 for null), and those values.

    A year of permits has few distinct categories, sections, regions, states and days, so every
    value is checked once per distinct value rather than once per row.
    """
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    enc = pc.dictionary_encode(arr)
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes, enc.dictionary.to_pylist()


def _text_of(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


@dataclass(slots=True)
class _Column:
    """One column being checked: the normalised value per row (by code) and the reason a row is bad."""

    codes: IntArray  # into ``values``; -1: missing
    values: list[Any]
    reason: dict[int, str]  # code -> why that value is bad (-1: missing)

    def bad(self) -> npt.NDArray[np.bool_]:
        if not self.reason:
            return np.zeros(len(self.codes), dtype=bool)
        return np.isin(self.codes, list(self.reason))


def _checked_text(
    column: pa.ChunkedArray | pa.Array, normalise: Any, allowed: Sequence[str], why: str, missing: str | None
) -> _Column:
    codes, raw = _encoded(column)
    values: list[Any] = []
    reason: dict[int, str] = {}
    for i, v in enumerate(raw):
        text = _text_of(v)
        norm = None if text is None else normalise(text)
        values.append(norm)
        if norm is None:
            if missing is not None:
                reason[i] = missing
        elif norm not in allowed:
            reason[i] = why
    if missing is not None:
        reason[-1] = missing
    blank = [i for i, v in enumerate(values) if v is None]
    if blank:  # blank text counts as missing
        codes = np.where(np.isin(codes, blank), -1, codes)
    return _Column(codes, values, reason)


def _checked_dates(column: pa.ChunkedArray | pa.Array) -> tuple[_Column, IntArray]:
    """Days since 1970 per row (0 where bad) from date, timestamp or ``YYYY-MM-DD`` text columns."""
    if pa.types.is_timestamp(column.type):
        column = pc.cast(column, pa.date32())
    codes, raw = _encoded(column)
    days = np.zeros(len(raw) + 1, dtype=np.int64)  # last slot: missing
    reason: dict[int, str] = {-1: "missing"}
    values: list[Any] = []
    for i, v in enumerate(raw):
        day: dt.date | None
        if isinstance(v, dt.datetime):
            day = v.date()
        elif isinstance(v, dt.date):
            day = v
        else:
            text = _text_of(v)
            try:
                day = None if text is None else dt.date.fromisoformat(text)
            except ValueError:
                day = None
                reason[i] = "not a date in the form YYYY-MM-DD"
            if text is None:
                reason[i] = "missing"
        values.append(day)
        if day is not None:
            days[i] = (day - _EPOCH).days
            if day < EFFECTIVE_FROM:
                reason[i] = f"before {EFFECTIVE_FROM.isoformat()}, when the fee for foreign labour starts"
    return _Column(codes, values, reason), days[codes]


def _sections_from(permits: pa.Table, employers: pa.Table) -> pa.Array:
    """Each permit's OKED section, looked up by BIN in the employers table (null when the BIN is not there).

    Raises:
        FeeInputError: the employers table lacks a column or repeats a BIN.
    """
    for column in ("bin", "oked_section"):
        if column not in employers.column_names:
            raise FeeInputError(f"employers: missing column {column}")
    bins = [_text_of(b) for b in employers.column("bin").to_pylist()]
    sections = employers.column("oked_section").to_pylist()
    by_bin: dict[str, Any] = {}
    repeated = set()
    for b, section in zip(bins, sections, strict=True):
        if b is None:
            continue
        if b in by_bin:
            repeated.add(b)
        by_bin[b] = section
    if repeated:
        raise FeeInputError(f"employers: {len(repeated)} BIN(s) appear on more than one row")
    codes, raw = _encoded(permits.column("bin"))
    lookup = [None if _text_of(b) is None else by_bin.get(str(_text_of(b))) for b in raw] + [None]
    vocab = pa.array([None if v is None else str(v) for v in lookup], pa.string())
    return pc.take(vocab, pa.array(np.where(codes < 0, len(lookup) - 1, codes)))


def check_permits(
    permits: pa.Table, rates: Sequence[RateTable] = (), employers: pa.Table | None = None
) -> CheckedPermits:
    """Check and type every row of a permit file (CSV strings or typed Parquet).

    A bad value rejects its row with an error naming the row (1-based), the field and why. When
    the file has no ``oked_section``, ``employers`` (``bin``, ``oked_section``) supplies it.
    ``rates``: the rate tables the fees will use (a section must have a group in each).

    Raises:
        FeeInputError: a required column is missing, or the employers table repeats a BIN.
    """
    names = set(permits.column_names)
    need = [*REQUIRED, *(() if "oked_section" in names or employers is not None else ("oked_section",))]
    missing = [c for c in need if c not in names]
    if employers is not None and "oked_section" not in names and "bin" not in names:
        missing.append("bin")
    if missing:
        raise FeeInputError(f"permits: missing column(s): {', '.join(missing)}")
    n = permits.num_rows
    joined = "oked_section" not in names
    section_column = (
        _sections_from(permits, employers) if joined and employers is not None else permits.column("oked_section")
    )
    known = [s for s in SECTIONS if all(s in r.sector_group for r in rates)]
    longest = min((max(r.seasonal) for r in rates), default=max(SEASONAL_BANDS))

    category = _checked_text(
        permits.column("category"), str.lower, CATEGORIES, f"expected one of {', '.join(CATEGORIES)}", "missing"
    )
    section = _checked_text(section_column, str.upper, known, "expected one OKED section letter A-U", None)
    region = _checked_text(
        permits.column("region_kato"),
        str,
        list(REGION_NAMES),
        "not a region KATO code (nine digits, e.g. 710000000 for Astana)",
        "missing",
    )
    states = [s.value for s in PermitState]
    state = (
        _checked_text(permits.column("state"), str.lower, states, f"expected one of {', '.join(states)}", "missing")
        if "state" in names
        else None
    )
    start, start_days = _checked_dates(permits.column("valid_from"))
    end, end_days = _checked_dates(permits.column("valid_to"))

    cat = np.array([CATEGORIES.index(v) if v in CATEGORIES else -1 for v in category.values] + [-1])[category.codes]
    fee_based = np.isin(cat, [CATEGORIES.index(c.value) for c in FEE_BASED])
    no_section = fee_based & (section.codes < 0)
    dates_ok = ~start.bad() & ~end.bad()
    days = end_days - start_days + 1
    reversed_ = dates_ok & (days < 1)
    too_long = dates_ok & ~reversed_ & (cat == CATEGORIES.index(Category.seasonal.value)) & (days > longest)

    flags: list[tuple[str, npt.NDArray[np.bool_], Any]] = [
        ("category", category.bad(), category),
        ("oked_section", section.bad() | no_section, section),
        ("region_kato", region.bad(), region),
        ("valid_from", start.bad(), start),
        ("valid_to", end.bad() | reversed_ | too_long, end),
        ("state", state.bad() if state is not None else np.zeros(n, dtype=bool), state),
    ]
    bad = np.zeros(n, dtype=bool)
    for _, mask, _ in flags:
        bad |= mask
    errors: list[RowError] = []
    for i in np.flatnonzero(bad).tolist():
        for field, mask, col in flags:
            if not mask[i]:
                continue
            if field == "oked_section" and no_section[i]:
                why = "no employer with this BIN in the employers file" if joined else "missing"
            elif field == "valid_to" and reversed_[i]:
                why = "the permit ends before it starts"
            elif field == "valid_to" and too_long[i]:
                why = f"a seasonal permit of {days[i]} days is longer than the longest seasonal rate ({longest} days)"
            else:
                why = col.reason[int(col.codes[i])]
            errors.append(RowError(i + 1, field, why))

    keep = np.flatnonzero(~bad)

    def normalised(col: _Column | None) -> pa.Array:
        if col is None:
            return pa.nulls(len(keep), pa.string())
        vocab = pa.array([*(None if v is None else str(v) for v in col.values), None], pa.string())
        codes = col.codes[keep]
        return pc.take(vocab, pa.array(np.where(codes < 0, len(col.values), codes)))

    good = pa.table(
        {
            "row": pa.array(keep + 1, pa.int64()),
            "category": normalised(category),
            "oked_section": normalised(section),
            "region_kato": normalised(region),
            "valid_from": pa.array(start_days[keep].astype("datetime64[D]"), pa.date32()),
            "valid_to": pa.array(end_days[keep].astype("datetime64[D]"), pa.date32()),
            "state": normalised(state),
        }
    )
    return CheckedPermits(good, tuple(errors), n)


# --- fees on whole columns -----------------------------------------------------------------------


def _days(column: pa.ChunkedArray | pa.Array) -> IntArray:
    """date32 as days since 1970-01-01."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    return np.asarray(pc.cast(arr, pa.int32()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _codes(column: pa.ChunkedArray | pa.Array, vocabulary: Sequence[str], missing: int) -> IntArray:
    """Each value's index in ``vocabulary`` (``missing`` for null)."""
    idx = pc.index_in(column, value_set=pa.array(list(vocabulary), pa.string()))
    return np.asarray(pc.fill_null(idx, missing).to_numpy(zero_copy_only=False), dtype=np.int64)


def _per_distinct(keys: IntArray, compute: Any) -> IntArray:
    """``compute(key)`` for each distinct key, spread back over the rows (one call per distinct value)."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    distinct, inverse = np.unique(keys, return_inverse=True)
    values = np.array([compute(int(k)) for k in distinct], dtype=np.int64)
    return np.asarray(values[inverse.ravel()], dtype=np.int64)


def mrp_of(valid_from: pa.ChunkedArray | pa.Array) -> IntArray:
    """The MRP in force on each permit's first day (one policy look-up per distinct day)."""
    return _per_distinct(_days(valid_from), lambda d: policy(_EPOCH + dt.timedelta(days=d)).mrp)


def permit_fees(permits: pa.Table, rates: RateTable, mrp: IntArray | None = None) -> PermitFees:
    """Each permit's fee under ``rates``: :func:`~koshi.labour.fees.quote` on whole columns.

    ``permits`` as :func:`check_permits` returns them (every row valid); ``mrp`` per permit
    (default: :func:`mrp_of` its first day). Same steps, same floating-point operations as the
    quote: free for intra-corporate transfers; seasonal by the smallest band covering the term;
    categories 1-4 by group and category, category 1 times ``1 + (years - 1) * per_year``;
    tenge rounded half to even (Python's ``round``).
    """
    n = permits.num_rows
    mrp_arr = mrp_of(permits.column("valid_from")) if mrp is None else mrp
    start, end = _days(permits.column("valid_from")), _days(permits.column("valid_to"))
    days = end - start + 1
    cat = _codes(permits.column("category"), CATEGORIES, -1)
    sec = _codes(permits.column("oked_section"), SECTIONS, _NO_SECTION)
    group_of = np.array(
        [GROUPS.index(rates.sector_group[s]) if s in rates.sector_group else -1 for s in SECTIONS] + [-1]
    )
    grp = group_of[sec]
    yearly = np.full((len(GROUPS) + 1, len(CATEGORIES)), np.nan)  # last row: no group
    for g, cats in rates.sector.items():
        for c, rate in cats.items():
            if g in GROUPS and c in CATEGORIES:
                yearly[GROUPS.index(g), CATEGORIES.index(c)] = float(rate)
    amount = np.zeros(n, dtype=np.float64)

    fee_based = np.isin(cat, [CATEGORIES.index(c.value) for c in FEE_BASED])
    if (fee_based & (grp < 0)).any() or (cat < 0).any():
        raise ValueError("permits not checked: an unknown category or a fee-based permit without a known section")
    base = yearly[grp, np.maximum(cat, 0)]
    if np.isnan(base[fee_based]).any():
        raise ValueError("no fee rate for some group and category in this rate table")
    amount[fee_based] = base[fee_based]

    cat1 = cat == CATEGORIES.index(Category.category_1.value)
    if cat1.any():
        years = _per_distinct(
            start[cat1] * 100_000 + end[cat1],
            lambda k: term_years(_EPOCH + dt.timedelta(days=k // 100_000), _EPOCH + dt.timedelta(days=k % 100_000)),
        )
        multi = years > 1
        rows = np.flatnonzero(cat1)[multi]
        amount[rows] = base[rows] * (1 + (years[multi] - 1) * rates.category_1_per_year)

    seasonal = cat == CATEGORIES.index(Category.seasonal.value)
    if seasonal.any():
        up_to = _per_distinct(days[seasonal], lambda d: seasonal_band(d, rates.seasonal))
        bands = np.array(sorted(rates.seasonal), dtype=np.int64)
        amounts = np.array([float(rates.seasonal[b]) for b in bands.tolist()], dtype=np.float64)
        amount[seasonal] = amounts[np.searchsorted(bands, up_to)]

    tenge = np.rint(amount * mrp_arr).astype(np.int64)  # ICT: 0 * mrp = 0
    group = pc.take(pa.array(list(GROUPS), pa.string()), pa.array(np.maximum(grp, 0), mask=~fee_based))
    return PermitFees(amount, tenge, group)


# --- the simulation ------------------------------------------------------------------------------


def response(before: FloatArray, after: FloatArray, elasticity: float) -> FloatArray:
    """Permits after per permit before: ``(after / before) ** elasticity``, 1 where there was no fee.

    >>> response(np.array([100.0, 0.0]), np.array([121.0, 5.0]), -0.5).round(4).tolist()
    [0.9091, 1.0]
    """
    if elasticity == 0:
        return np.ones(len(before), dtype=np.float64)
    ratio = np.divide(after, before, out=np.ones_like(after), where=before > 0)
    return np.asarray(np.where(before > 0, np.power(ratio, elasticity, where=ratio > 0, out=np.zeros_like(ratio)), 1.0))


_SUMS = """count(*) AS permits_before, sum(w) AS permits_after, sum(mrp_b) AS mrp_before,
           sum(w * mrp_a) AS mrp_after, sum(tenge_b) AS tenge_before, sum(w * tenge_a) AS tenge_after"""


def _lines(con: duckdb.DuckDBPyConnection, name: str) -> tuple[Line, ...]:
    if name == "group":
        sql = """
            SELECT key, sum(permits_before), sum(permits_after), sum(mrp_before), sum(mrp_after),
                   sum(tenge_before), sum(tenge_after), NULL, NULL
            FROM (
              SELECT coalesce(g_b, '-') AS key, count(*) AS permits_before, 0.0 AS permits_after,
                     sum(mrp_b) AS mrp_before, 0.0 AS mrp_after, sum(tenge_b) AS tenge_before, 0.0 AS tenge_after
              FROM fees GROUP BY 1
              UNION ALL
              SELECT coalesce(g_a, '-'), 0, sum(w), 0.0, sum(w * mrp_a), 0, sum(w * tenge_a) FROM fees GROUP BY 1
            ) GROUP BY key ORDER BY key"""
    else:
        column = {"section": "oked_section", "region": "region_kato", "category": "category"}[name]
        groups = "any_value(g_b), any_value(g_a)" if name == "section" else "NULL, NULL"
        sql = f"SELECT coalesce({column}, '-') AS key, {_SUMS}, {groups} FROM fees GROUP BY 1 ORDER BY 1"
    lines = [_line(name, r) for r in con.execute(sql).fetchall()]
    if name == "category":
        lines.sort(key=lambda line: CATEGORIES.index(line.key))
    return tuple(lines)


def _label(name: str, key: str) -> str:
    if name == "group":
        return "no sector fee (seasonal, transfers)" if key == "-" else f"group {key.upper()}"
    if name == "section":
        return SECTION_NAMES.get(key, "no section given")
    if name == "region":
        return REGION_NAMES.get(key, key)
    return CATEGORY_NAMES.get(key, key)


def _line(name: str, r: tuple[Any, ...]) -> Line:
    key = str(r[0])
    return Line(
        key=key,
        label=_label(name, key),
        group_before=r[7],
        group_after=r[8],
        permits_before=int(r[1]),
        permits_after=float(r[2] or 0.0),
        mrp_before=float(r[3] or 0.0),
        mrp_after=float(r[4] or 0.0),
        tenge_before=int(r[5] or 0),
        tenge_after=round(float(r[6] or 0.0)),
    )


def simulate(
    permits: pa.Table,
    before: RateTable,
    after: RateTable,
    *,
    year: int | None = None,
    elasticity: float = 0.0,
    employers: pa.Table | None = None,
    breakdowns: Sequence[str] = BREAKDOWNS,
    checked: CheckedPermits | None = None,
) -> Simulation:
    """Revenue and permits before and after a reform, in total and by each of ``breakdowns``.

    ``permits``: a permit file (see :func:`check_permits`; pass ``checked`` when that is done
    already). ``year``: count only permits starting in it (None: all). ``elasticity``: the
    behavioural response (module docstring), zero or less.

    Raises:
        FeeInputError: a missing column, or rows with errors (the message counts them; call
            :func:`check_permits` first to list them and pass the good rows as ``checked``).
        ValueError: an elasticity that is not a finite number at most zero, or an unknown breakdown.
    """
    if not math.isfinite(elasticity) or elasticity > 0:
        raise ValueError("the elasticity must be zero or negative: a higher fee means fewer permits, not more")
    unknown = [b for b in breakdowns if b not in BREAKDOWNS]
    if unknown:
        raise ValueError(f"unknown breakdown {unknown[0]!r}: expected {', '.join(BREAKDOWNS)}")
    if checked is None:
        checked = check_permits(permits, (before, after), employers)
        if checked.errors:
            raise FeeInputError(f"permits: {checked.rejected} row(s) with errors, first: {checked.errors[0]}")
    table = checked.table
    valid = table.num_rows
    if year is not None:
        table = table.filter(pc.equal(pc.year(table.column("valid_from")), year))
    in_year = table.num_rows
    states = table.column("state")
    if states.null_count < table.num_rows:
        table = table.filter(pc.is_in(states, value_set=pa.array(sorted(PAID), pa.string())))
    mrp = mrp_of(table.column("valid_from"))
    fb, fa = permit_fees(table, before, mrp), permit_fees(table, after, mrp)
    fees = pa.table(
        {
            "category": table.column("category"),
            "oked_section": table.column("oked_section"),
            "region_kato": table.column("region_kato"),
            "g_b": fb.group,
            "g_a": fa.group,
            "mrp_b": fb.mrp,
            "mrp_a": fa.mrp,
            "tenge_b": fb.tenge,
            "tenge_a": fa.tenge,
            "w": response(fb.mrp, fa.mrp, elasticity),
        }
    )
    con = duckdb.connect()
    try:
        con.register("fees", fees)
        total_row = con.execute(f"SELECT 'all', {_SUMS}, NULL, NULL FROM fees").fetchone()
        assert total_row is not None
        total = dataclasses.replace(_line("total", total_row), label="all permits")
        lines = {name: _lines(con, name) for name in breakdowns}
    finally:
        con.close()
    return Simulation(
        year=year,
        elasticity=elasticity,
        counted=table.num_rows,
        outside_year=valid - in_year,
        unpaid=in_year - table.num_rows,
        rejected=checked.rejected,
        total=total,
        breakdowns=lines,
    )
