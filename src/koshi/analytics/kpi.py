"""The policy KPIs, computed from the database with SQL, filterable by year and region.

Every KPI is one function ``kpi(connection, filters)`` that runs aggregate queries
(SQLAlchemy Core, the same on SQLite and PostgreSQL) and returns a frozen dataclass:
a headline figure for the filters and a breakdown — by month when a year is chosen,
by year otherwise.  Nothing here writes, reads the clock or formats for display.

Why SQL and not DuckDB: the figures live in the application database, SQLite or
PostgreSQL.  DuckDB would reach them only through its ``sqlite``/``postgres``
extensions, which it downloads at run time (the demo must work offline), or by
copying the tables out on every request; the aggregates here are group-bys over a
few tens of thousands of rows, which both databases answer in milliseconds inside
the page's own transaction.  Dates are split into year and month by
:class:`utc_year`/:class:`utc_month`, compiled per dialect, in UTC.

Definitions:

* **net external migration** = arrivals − departures (``migration_flows``), region = the
  region of arrival or departure;
* **qualified share** = qualified arrivals / arrivals (see
  :class:`koshi.store.monitoring.ExternalMigration` for "qualified"), target 95% by 2030;
* **north share** = movers whose destination is on the year's labour-deficit list
  (``kz.common.labour_deficit`` on 1 January, :func:`koshi.analytics.labour_deficit`)
  / all interregional movers; region = the region they left;
* **employment** = employed able-bodied resettlers and kandas / able-bodied ones
  (``resettler_followups``), year = year settled, region = where settled; target 100%;
* **applications** = cases filed (``submitted_at`` set) by month of filing, pack and
  region; **approval rate** = approved / decided (outcome approved or refused) among
  the cases filed in that month (a cohort rate; undecided cases are not in it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Integer, and_, case, false, func, literal, or_, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from koshi.analytics import DeficitList, labour_deficit
from koshi.analytics.reference import TARGETS, Indicator, Target
from koshi.store.models import Case
from koshi.store.monitoring import ExternalMigration, InterregionalMove, ResettlerFollowup

Col = ColumnElement[Any] | QueryableAttribute[Any]
"""A column or an expression (what ``select`` and ``group_by`` take)."""

# --- dates in SQL ----------------------------------------------------------------------------


class utc_year(FunctionElement[int]):  # noqa: N801 - reads as the SQL function it compiles to
    """The calendar year of a timestamp, in UTC."""

    type = Integer()
    inherit_cache = True


class utc_month(FunctionElement[int]):  # noqa: N801
    """The calendar month (1-12) of a timestamp, in UTC."""

    type = Integer()
    inherit_cache = True


@compiles(utc_year)
def _year_default(element: utc_year, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite stores timestamps as ISO text in UTC (the service passes UTC times)
    return f"CAST(strftime('%Y', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(utc_month)
def _month_default(element: utc_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(strftime('%m', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(utc_year, "postgresql")
def _year_pg(element: utc_year, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(EXTRACT(YEAR FROM ({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC') AS INTEGER)"


@compiles(utc_month, "postgresql")
def _month_pg(element: utc_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(EXTRACT(MONTH FROM ({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC') AS INTEGER)"


# --- filters and results ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    """Which figures: one year (None: all years) and one region by KATO code (None: the whole country)."""

    year: int | None = None
    region: str | None = None


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide."""
    return part / whole if whole else None


def gap_points(value: float | None, target: Target) -> float | None:
    """How far ``value`` is from the target, in percentage points (negative: below)."""
    return None if value is None else (value - target.value) * 100.0


@dataclass(frozen=True, slots=True)
class FlowRow:
    """External migration in one period (a year, or a month of the chosen year)."""

    year: int
    month: int | None
    arrivals: int
    departures: int
    qualified: int

    @property
    def net(self) -> int:
        return self.arrivals - self.departures

    @property
    def qualified_share(self) -> float | None:
        return share(self.qualified, self.arrivals)


@dataclass(frozen=True, slots=True)
class NetMigration:
    """Net external migration for the filters, with its breakdown."""

    filters: Filters
    arrivals: int
    departures: int
    rows: tuple[FlowRow, ...]

    @property
    def net(self) -> int:
        return self.arrivals - self.departures


@dataclass(frozen=True, slots=True)
class QualifiedShare:
    """Share of qualified people among arrivals, against the 2030 target."""

    filters: Filters
    arrivals: int
    qualified: int
    target: Target
    rows: tuple[FlowRow, ...]

    @property
    def share(self) -> float | None:
        return share(self.qualified, self.arrivals)

    @property
    def gap_points(self) -> float | None:
        return gap_points(self.share, self.target)


@dataclass(frozen=True, slots=True)
class MoveRow:
    """Interregional movers in one period and how many went to labour-deficit regions."""

    year: int
    month: int | None
    movers: int
    to_deficit: int

    @property
    def share(self) -> float | None:
        return share(self.to_deficit, self.movers)


@dataclass(frozen=True, slots=True)
class NorthShare:
    """Share of interregional migrants who went to the labour-deficit (northern) regions."""

    filters: Filters
    movers: int
    to_deficit: int
    rows: tuple[MoveRow, ...]
    lists: tuple[DeficitList, ...]

    @property
    def share(self) -> float | None:
        return share(self.to_deficit, self.movers)


@dataclass(frozen=True, slots=True)
class EmploymentRow:
    """Able-bodied resettlers or kandas settled in one year, and how many work."""

    year: int
    category: str
    able_bodied: int
    employed: int

    @property
    def rate(self) -> float | None:
        return share(self.employed, self.able_bodied)


@dataclass(frozen=True, slots=True)
class Employment:
    """Employment of able-bodied resettlers and kandas, against 100%."""

    filters: Filters
    able_bodied: int
    employed: int
    target: Target
    rows: tuple[EmploymentRow, ...]

    @property
    def rate(self) -> float | None:
        return share(self.employed, self.able_bodied)

    @property
    def gap_points(self) -> float | None:
        return gap_points(self.rate, self.target)

    def by_category(self, category: str) -> EmploymentRow:
        """The rows of one category added up (``year`` 0: all years of the filters)."""
        rows = [r for r in self.rows if r.category == category]
        return EmploymentRow(0, category, sum(r.able_bodied for r in rows), sum(r.employed for r in rows))


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    """Applications filed in one month (or one region), for one pack, and their decisions."""

    key: str  # "YYYY-MM" for a month, a KATO code (or "") for a region
    pack: str
    applications: int
    decided: int
    approved: int

    @property
    def refused(self) -> int:
        return self.decided - self.approved

    @property
    def approval_rate(self) -> float | None:
        return share(self.approved, self.decided)


@dataclass(frozen=True, slots=True)
class Applications:
    """Applications and approval rates by pack, month and region."""

    filters: Filters
    by_month: tuple[ApplicationRow, ...]
    by_region: tuple[ApplicationRow, ...]

    @property
    def applications(self) -> int:
        return sum(r.applications for r in self.by_month)

    @property
    def decided(self) -> int:
        return sum(r.decided for r in self.by_month)

    @property
    def approved(self) -> int:
        return sum(r.approved for r in self.by_month)

    @property
    def approval_rate(self) -> float | None:
        return share(self.approved, self.decided)

    @property
    def packs(self) -> tuple[str, ...]:
        return tuple(sorted({r.pack for r in self.by_month}))

    def pack_total(self, pack: str) -> ApplicationRow:
        """All months of one pack added up."""
        rows = [r for r in self.by_month if r.pack == pack]
        return ApplicationRow(
            "",
            pack,
            sum(r.applications for r in rows),
            sum(r.decided for r in rows),
            sum(r.approved for r in rows),
        )


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Every KPI for one set of filters."""

    filters: Filters
    net_migration: NetMigration
    qualified: QualifiedShare
    north: NorthShare
    employment: Employment
    applications: Applications


# --- queries ---------------------------------------------------------------------------------


def _int(value: object) -> int:
    return int(value) if value is not None else 0  # type: ignore[call-overload]


def _period(year: Col, month: Col, filters: Filters) -> list[Col]:
    """Group by year, or by month within the chosen year."""
    return [year] if filters.year is None else [year, month]


def _flows(conn: Connection, filters: Filters) -> tuple[FlowRow, ...]:
    t = ExternalMigration
    keys = _period(t.year, t.month, filters)
    query = select(*keys, func.sum(t.arrivals), func.sum(t.departures), func.sum(t.arrivals_qualified)).group_by(*keys)
    if filters.year is not None:
        query = query.where(t.year == filters.year)
    if filters.region is not None:
        query = query.where(t.region == filters.region)
    rows = []
    for r in conn.execute(query.order_by(*keys)):
        month = r[1] if filters.year is not None else None
        a, d, q = r[-3:]
        rows.append(FlowRow(int(r[0]), month, _int(a), _int(d), _int(q)))
    return tuple(rows)


def net_external_migration(
    conn: Connection, filters: Filters, *, rows: tuple[FlowRow, ...] | None = None
) -> NetMigration:
    """Arrivals, departures and their balance for the filters (``rows``: flows already read)."""
    rows = _flows(conn, filters) if rows is None else rows
    return NetMigration(filters, sum(r.arrivals for r in rows), sum(r.departures for r in rows), rows)


def qualified_share(conn: Connection, filters: Filters, *, rows: tuple[FlowRow, ...] | None = None) -> QualifiedShare:
    """Qualified arrivals among all arrivals, with the 95%-by-2030 target (``rows``: flows already read)."""
    rows = _flows(conn, filters) if rows is None else rows
    return QualifiedShare(
        filters,
        sum(r.arrivals for r in rows),
        sum(r.qualified for r in rows),
        TARGETS[Indicator.qualified_share],
        rows,
    )


def _years(conn: Connection, column: Col, filters: Filters) -> list[int]:
    if filters.year is not None:
        return [filters.year]
    return [int(y) for y in conn.execute(select(column).distinct().order_by(column)).scalars()]


def _to_deficit(lists: Iterable[DeficitList]) -> ColumnElement[bool]:
    """True for a move into the labour-deficit list of its own year."""
    t = InterregionalMove
    parts = [and_(t.year == d.year, t.destination_region.in_(d.regions)) for d in lists if d.regions]
    return or_(*parts) if parts else false()


def north_share(conn: Connection, filters: Filters) -> NorthShare:
    """Movers into the year's labour-deficit regions among all interregional movers (region: of origin)."""
    t = InterregionalMove
    lists = tuple(labour_deficit(y) for y in _years(conn, t.year, filters))
    keys = _period(t.year, t.month, filters)
    query = select(
        *keys,
        func.sum(t.movers),
        func.sum(case((_to_deficit(lists), t.movers), else_=literal(0))),
    ).group_by(*keys)
    if filters.year is not None:
        query = query.where(t.year == filters.year)
    if filters.region is not None:
        query = query.where(t.origin_region == filters.region)
    rows = tuple(
        MoveRow(int(r[0]), r[1] if filters.year is not None else None, _int(r[-2]), _int(r[-1]))
        for r in conn.execute(query.order_by(*keys))
    )
    return NorthShare(filters, sum(r.movers for r in rows), sum(r.to_deficit for r in rows), rows, lists)


def employment(conn: Connection, filters: Filters) -> Employment:
    """Employed able-bodied resettlers and kandas among the able-bodied, by year settled and group."""
    t = ResettlerFollowup
    query = (
        select(
            t.year_settled,
            t.category,
            func.count(),
            func.sum(case((t.employed.is_(True), 1), else_=0)),
        )
        .where(t.able_bodied.is_(True))
        .group_by(t.year_settled, t.category)
        .order_by(t.year_settled, t.category)
    )
    if filters.year is not None:
        query = query.where(t.year_settled == filters.year)
    if filters.region is not None:
        query = query.where(t.region == filters.region)
    rows = tuple(EmploymentRow(int(y), str(c), _int(n), _int(e)) for y, c, n, e in conn.execute(query))
    return Employment(
        filters,
        sum(r.able_bodied for r in rows),
        sum(r.employed for r in rows),
        TARGETS[Indicator.resettler_employment],
        rows,
    )


def _case_counts(keys: Sequence[Col], filters: Filters) -> Any:
    c = Case
    query = (
        select(
            *keys,
            func.count(),
            func.sum(case((c.outcome.in_(("approved", "refused")), 1), else_=0)),
            func.sum(case((c.outcome == "approved", 1), else_=0)),
        )
        .where(c.submitted_at.is_not(None))
        .group_by(*keys)
        .order_by(*keys)
    )
    if filters.year is not None:
        query = query.where(utc_year(c.submitted_at) == filters.year)
    if filters.region is not None:
        query = query.where(c.region == filters.region)
    return query


def applications(conn: Connection, filters: Filters) -> Applications:
    """Applications filed, decided and approved, by month of filing × pack and by region × pack."""
    c = Case
    year, month = utc_year(c.submitted_at), utc_month(c.submitted_at)
    by_month = tuple(
        ApplicationRow(f"{int(y):04d}-{int(m):02d}", str(p), _int(n), _int(d), _int(a))
        for y, m, p, n, d, a in conn.execute(_case_counts([year, month, c.pack], filters))
    )
    region = func.coalesce(c.region, literal(""))
    by_region = tuple(
        ApplicationRow(str(r), str(p), _int(n), _int(d), _int(a))
        for r, p, n, d, a in conn.execute(_case_counts([region, c.pack], filters))
    )
    return Applications(filters, by_month, by_region)


def available_years(conn: Connection) -> tuple[int, ...]:
    """Every year with any monitoring data or filed application, newest first."""
    query = union(
        select(ExternalMigration.year.label("y")),
        select(InterregionalMove.year.label("y")),
        select(ResettlerFollowup.year_settled.label("y")),
        select(utc_year(Case.submitted_at).label("y")).where(Case.submitted_at.is_not(None)),
    )
    return tuple(sorted({int(y) for y in conn.execute(query).scalars() if y is not None}, reverse=True))


def dashboard(conn: Connection, filters: Filters) -> Dashboard:
    """Every KPI for ``filters``."""
    flows = _flows(conn, filters)  # one query for both external-migration KPIs
    return Dashboard(
        filters,
        net_external_migration(conn, filters, rows=flows),
        qualified_share(conn, filters, rows=flows),
        north_share(conn, filters),
        employment(conn, filters),
        applications(conn, filters),
    )
