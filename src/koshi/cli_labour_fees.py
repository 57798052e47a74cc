"""``koshi labour fees``: one permit's fee (``quote``) and a fee reform's effect on a year of permits (``simulate``)."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
import yaml
from rich.table import Table

from koshi.cli_io import err, fail, option_date, out
from koshi.labour.fees import RateTable, parse_reform, quote, term_days
from koshi.labour.policy import Category, PolicyError, basis, policy
from koshi.labour.simulate import (
    CATEGORY_NAMES,
    SECTION_NAMES,
    CheckedPermits,
    FeeInputError,
    Line,
    Simulation,
    check_permits,
    simulate,
)
from koshi.rules.provenance import PolicyNotInForce
from koshi.tabular import TableFileError, file_format, read_table, write_table

fees_app = typer.Typer(
    help="The fee for foreign labour: quote one permit, or simulate a reform on a year of permits.",
    no_args_is_help=True,
)

SHOWN_ERRORS = 100
"""Row errors printed on stderr; the rest are counted."""
BY = {
    "sector": ("group", "section"),
    "region": ("region",),
    "category": ("category",),
    "both": ("group", "section", "region"),
    "all": ("group", "section", "region", "category"),
}


# --- inputs ----------------------------------------------------------------------------------------


def category_of(value: str) -> Category:
    """A category from ``category_3``, ``3``, ``seasonal`` or ``ict`` (one-line error otherwise)."""
    v = value.strip().lower()
    if v in {"1", "2", "3", "4"}:
        v = f"category_{v}"
    try:
        return Category(v)
    except ValueError:
        fail(f"CATEGORY {value!r} is not one of {', '.join(c.value for c in Category)} (or 1-4)")


def _date_arg(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{name} {value!r} is not a date in the form YYYY-MM-DD")


def reform_path(value: str) -> Path:
    """The reform file: a path, or the name of a reform shipped with Koshi (``example_2027``)."""
    path = Path(value)
    if path.exists():
        return path
    shipped = resources.files("koshi.labour").joinpath("reforms", f"{value}.yaml")
    if shipped.is_file():
        return Path(str(shipped))
    fail(f"--reform {value}: no such file (nor a reform shipped with Koshi: {', '.join(shipped_reforms())})")


def shipped_reforms() -> list[str]:
    """Names of the reforms shipped in ``koshi/labour/reforms``."""
    folder = resources.files("koshi.labour").joinpath("reforms")
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


@dataclass(frozen=True, slots=True)
class Reform:
    """A reform file read and checked: the changes, where they come from, and its title if it has one."""

    changes: dict[str, Any]
    path: Path
    title: str | None


def load_reform(value: str) -> Reform:
    """A reform file (YAML or JSON) checked with :func:`~koshi.labour.fees.parse_reform`; one-line errors."""
    path = reform_path(value)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot be read ({exc.__class__.__name__})")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        fail(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        fail(f"{path}: not valid YAML{where}")
    try:
        changes = parse_reform(data, source=str(path))
    except PolicyError as exc:
        fail(str(exc))
    title = data.get("title") if isinstance(data, dict) else None
    return Reform(changes, path, None if title is None else str(title))


def _rates_on(day: dt.date, option: str = "--on") -> RateTable:
    try:
        return RateTable.of(policy(day))
    except PolicyNotInForce:
        fail(f"{option} {day.isoformat()}: the fee for foreign labour starts on 2017-01-01")


# --- quote -------------------------------------------------------------------------------------------


@fees_app.command("quote")
def quote_cmd(
    category: Annotated[str, typer.Argument(help="category_1..category_4 (or 1-4), seasonal or ict.")],
    section: Annotated[str, typer.Argument(help="The employer's OKED section, one letter A-U.")],
    valid_from: Annotated[str, typer.Argument(metavar="FROM", help="First day of the permit (YYYY-MM-DD).")],
    valid_to: Annotated[str, typer.Argument(metavar="TO", help="Last day of the permit (YYYY-MM-DD).")],
    on: Annotated[str | None, typer.Option("--on", help="Rates in force on this day (default: FROM).")] = None,
    reform: Annotated[
        str | None, typer.Option("--reform", help="Quote under a reform file (YAML or JSON) instead.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The fee of one permit in MRP and tenge, with the parameters it comes from and their legal basis.

    The tenge amount uses the MRP of the permit's first day.
    """
    cat = category_of(category)
    start, end = _date_arg(valid_from, "FROM"), _date_arg(valid_to, "TO")
    day = start if on is None else option_date(on)
    in_force = _rates_on(day)
    p = policy(day)
    rates, reform_file = in_force, None
    if reform is not None:
        loaded = load_reform(reform)
        rates, reform_file = in_force.changed(loaded.changes), loaded.path
    try:
        mrp = policy(start).mrp
        q = quote(cat, section, start, end, rates, mrp)
        now = quote(cat, section, start, end, in_force, mrp)
    except PolicyNotInForce:
        fail(f"FROM {start.isoformat()}: the fee for foreign labour starts on 2017-01-01")
    except PolicyError as exc:
        fail(str(exc))
    parameters = [*q.parameters, "kz.common.mrp"]
    result = {
        "category": cat.value,
        "section": section.strip().upper(),
        "group": q.group,
        "valid_from": start.isoformat(),
        "valid_to": end.isoformat(),
        "days": term_days(start, end),
        "band": q.band,
        "fee_mrp": q.mrp,
        "mrp_tenge": mrp,
        "fee_tenge": q.tenge,
        "rates_on": day.isoformat(),
        "policy_version": p.version_date.isoformat(),
        "parameters_hash": p.parameters_hash,
        "reform": None if reform_file is None else str(reform_file),
        "in_force_fee_mrp": now.mrp,
        "in_force_fee_tenge": now.tenge,
        "parameters": [{"path": path, "basis": list(basis(path))} for path in parameters],
    }
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return
    t = Table(title=f"Fee for foreign labour: {CATEGORY_NAMES[cat.value]}", show_header=False)
    t.add_column("")
    t.add_column("")
    if cat.fee_based:
        t.add_row("OKED section", f"{result['section']} {SECTION_NAMES.get(str(result['section']), '')}")
        t.add_row("sector group", str(q.group).upper())
    t.add_row("term", f"{start.isoformat()} to {end.isoformat()}, {result['days']} days")
    t.add_row("rate", q.band)
    t.add_row("fee, MRP", _mrp(q.mrp))
    t.add_row(f"MRP {start.year}", f"{mrp:,} tenge")
    t.add_row("[bold]fee, tenge[/]", f"[bold]{q.tenge:,}[/]")
    if reform_file is not None:
        t.add_row("rates", f"in force on {day.isoformat()}, changed by {reform_file}")
        t.add_row("fee in force", f"{_mrp(now.mrp)} MRP, {now.tenge:,} tenge ({q.tenge - now.tenge:+,} tenge)")
    else:
        t.add_row("rates", f"in force on {day.isoformat()}")
    t.add_row("parameters", f"version {p.version_date.isoformat()}, {p.parameters_hash[:23]}…")
    out.print(t)
    if reform_file is not None:
        out.print("Legal basis of the parameters in force (the reform changes some of their values):", highlight=False)
    for path in parameters:
        out.print(f"[bold]{path}[/]", highlight=False)
        for ref in basis(path):
            out.print(f"  {ref}", highlight=False, markup=False)


def _mrp(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


# --- simulate ----------------------------------------------------------------------------------------


def _read(path: Path, what: str) -> Any:
    try:
        return read_table(path)
    except TableFileError as exc:
        fail(f"{what}: {exc}")


@fees_app.command("simulate")
def simulate_cmd(
    reform: Annotated[
        str, typer.Option("--reform", help="Reform file (YAML or JSON), or a shipped reform's name (example_2027).")
    ],
    year: Annotated[int, typer.Option("--year", help="Count the permits starting in this year.")],
    permits: Annotated[
        Path | None, typer.Option("--permits", help="A year of permits: .csv, .jsonl or .parquet.")
    ] = None,
    db: Annotated[
        bool,
        typer.Option("--db", help="Read the year's permits from the service database instead (KOSHI_DATABASE_URL)."),
    ] = False,
    on: Annotated[
        str | None, typer.Option("--on", help="Rates before the reform: those in force on this day (default 1 Jan).")
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="sector, region, category, both (sector and region) or all.")
    ] = "both",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write every line: .csv, .parquet, .jsonl, or .json.")
    ] = None,
    elasticity: Annotated[
        float,
        typer.Option(
            "--elasticity",
            help="Permits scale by (fee after / fee before) ** E; 0 (default): unchanged. An assumption, <= 0.",
        ),
    ] = 0.0,
    employers: Annotated[
        Path | None,
        typer.Option("--employers", help="Employers file (bin, oked_section) when the permits have no oked_section."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Revenue and permits before and after a fee reform, by sector group, OKED section and region.

    The permits come from a file (--permits, with --employers when it has no oked_section) or
    from the service database (--db: the work permits Koshi holds).

    Counts the permits starting in --year (and, when the file has a state column, those whose
    fee was paid: issued, expired, revoked), each at the MRP of its first day. Rows with bad
    values are reported on stderr (row, field, reason) and left out of the figures; the exit
    code is then 2. --elasticity is a behavioural assumption, not an estimate: 0 keeps the
    permits as they are.
    """
    if (permits is None) == (not db):
        fail("give the permits either as --permits FILE or with --db (the service database), not both")
    if by not in BY:
        fail(f"--by must be one of {', '.join(BY)}, got {by!r}")
    if not math.isfinite(elasticity) or elasticity > 0:
        fail(f"--elasticity must be zero or negative (a higher fee means fewer permits), got {elasticity}")
    if not 2017 <= year <= 2100:
        fail(f"--year must be 2017 or later (the fee for foreign labour starts then), got {year}")
    if output is not None and output.suffix.lower() != ".json":
        try:
            file_format(output)
        except TableFileError as exc:
            fail(str(exc))
    day = dt.date(year, 1, 1) if on is None else option_date(on)
    before = _rates_on(day)
    loaded = load_reform(reform)
    after = before.changed(loaded.changes)
    table = permits_from_db(year) if permits is None else _read(permits, "--permits")
    employer_table = None if employers is None else _read(employers, "--employers")
    try:
        checked = check_permits(table, (before, after), employer_table)
    except FeeInputError as exc:
        fail(f"{permits or 'database'}: {exc}")
    _report_errors(checked)
    result = simulate(table, before, after, year=year, elasticity=elasticity, breakdowns=BY[by], checked=checked)
    meta = {
        "year": year,
        "rates_before_on": day.isoformat(),
        "reform": str(loaded.path),
        "reform_title": loaded.title,
        "policy_version": policy(day).version_date.isoformat(),
        "parameters_hash": policy(day).parameters_hash,
        "elasticity": elasticity,
        "counted": result.counted,
        "outside_year": result.outside_year,
        "unpaid": result.unpaid,
        "rejected": result.rejected,
    }
    if output is not None:
        try:
            if output.suffix.lower() == ".json":
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(json.dumps(_document(meta, result), indent=2, ensure_ascii=False) + "\n")
            else:
                write_table(result.table(), output)
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc}")
    if as_json:
        sys.stdout.write(json.dumps(_document(meta, result), indent=2, ensure_ascii=False) + "\n")
    else:
        _print(result, meta, by)
    if checked.errors:
        err.print(f"{checked.rejected:,} row(s) rejected ({len(checked.errors):,} value(s)); left out of the figures")
        raise typer.Exit(2)


def permits_from_db(year: int) -> pa.Table:
    """The permits starting in ``year`` in the service database: only the columns the fee needs.

    No worker's data is read (no IIN, no name), only category, section, region, term and state.
    """
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from koshi.settings import settings
    from koshi.store.db import make_engine
    from koshi.store.labour import WorkPermit

    engine = make_engine(settings().database_url)
    columns = ("category", "oked_section", "region_kato", "valid_from", "valid_to", "state")
    query = select(*(getattr(WorkPermit, c) for c in columns)).where(
        WorkPermit.valid_from >= dt.date(year, 1, 1), WorkPermit.valid_from <= dt.date(year, 12, 31)
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    except SQLAlchemyError as exc:
        fail(f"--db: cannot read the permits ({exc.__class__.__name__}); is the database migrated?")
    finally:
        engine.dispose()
    types = {"valid_from": pa.date32(), "valid_to": pa.date32()}
    return pa.table({c: pa.array([r[i] for r in rows], types.get(c, pa.string())) for i, c in enumerate(columns)})


def _report_errors(checked: CheckedPermits) -> None:
    for e in checked.errors[:SHOWN_ERRORS]:
        err.print(f"[red]rejected[/] {e}", highlight=False, markup=True)
    if len(checked.errors) > SHOWN_ERRORS:
        err.print(f"… and {len(checked.errors) - SHOWN_ERRORS:,} more value(s) rejected", highlight=False)


def _document(meta: dict[str, Any], result: Simulation) -> dict[str, Any]:
    return {
        **meta,
        "total": result.total.as_dict(),
        "breakdowns": {name: [line.as_dict() for line in lines] for name, lines in result.breakdowns.items()},
    }


TITLES = {
    "group": "By sector group",
    "section": "By OKED section",
    "region": "By region",
    "category": "By permit category",
}


def _print(result: Simulation, meta: dict[str, Any], by: str) -> None:
    static = result.elasticity == 0
    for name in BY[by]:
        out.print(_table(TITLES[name], result.breakdowns[name], result.total, static, with_group=name == "section"))
    title = meta["reform_title"] or meta["reform"]
    out.print(
        f"{result.counted:,} permits starting in {result.year} with the fee paid; left out: "
        f"{result.outside_year:,} starting in another year, {result.unpaid:,} not paid (state), "
        f"{result.rejected:,} rejected rows.",
        highlight=False,
    )
    out.print(
        f"Before: rates in force on {meta['rates_before_on']} (parameters {meta['policy_version']}); after: {title}.",
        highlight=False,
    )
    if static:
        out.print("Static estimate: the same permits before and after (--elasticity 0).", highlight=False)
    else:
        out.print(
            f"Assumed response: permits of each kind scale by (fee after / fee before) ^ {result.elasticity:g} "
            "(an assumption, not an estimate).",
            highlight=False,
        )


def _table(title: str, lines: tuple[Line, ...], total: Line, static: bool, with_group: bool) -> Table:
    t = Table(title=title)
    upper = title == TITLES["group"]
    t.add_column("")
    t.add_column("name")
    if with_group:
        t.add_column("group")
    for column in (
        "permits",
        "permits after",
        "MRP before",
        "MRP after",
        "mln ₸ before",
        "mln ₸ after",
        "change, mln ₸",
    ):
        if column == "permits after" and static:
            continue
        t.add_column(column, justify="right")
    t.add_column("change", justify="right")
    for line in (*lines, None):
        row = line or total
        key = row.key.upper() if upper else row.key
        cells = [key if line else "[bold]total[/]", row.label]
        if with_group:
            gb, ga = (row.group_before or "-").upper(), (row.group_after or "-").upper()
            cells.append(gb if gb == ga else f"{gb} → {ga}")
        cells.append(f"{row.permits_before:,}")
        if not static:
            cells.append(f"{row.permits_after:,.1f}")
        pct = row.tenge_change_pct
        cells += [
            f"{row.mrp_before:,.0f}",
            f"{row.mrp_after:,.0f}",
            f"{row.tenge_before / 1e6:,.1f}",
            f"{row.tenge_after / 1e6:,.1f}",
            f"{row.tenge_change / 1e6:+,.1f}",
            "-" if pct is None else f"{pct:+.1f}%",
        ]
        if line is None:
            t.add_section()
        t.add_row(*cells)
    return t
