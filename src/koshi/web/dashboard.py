"""The analyst's KPI dashboard: cards against the targets, a chart and a table per KPI, CSV and XLSX export.

``GET /dashboard`` shows every KPI of :mod:`koshi.analytics.kpi` for a year and a
region (a GET form), with the official 2022-2025 figures of
:mod:`koshi.analytics.reference` beside the computed ones, labelled with their
sources.  ``/dashboard/export.csv`` and ``/dashboard/export.xlsx`` take the same
filters and hold every KPI table.

Analysts and supervisors may look (:data:`VIEWER_ROLES`); the figures are aggregates,
so no case is read.  Charts are drawn by ``static/dashboard.js`` from JSON data
blocks (``<script type="application/json">``, which browsers never execute, so the
CSP's ``script-src 'self'`` holds); each chart has the same figures in a table
under it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

from babel import Locale
from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from koshi.analytics import kpi
from koshi.analytics.reference import PRODUCT_BRIEF, REFERENCE, YEARS, Indicator, ReferenceFigure, figure
from koshi.reference.regions import BY_KATO, REGIONS
from koshi.store.db import transaction
from koshi.web import i18n
from koshi.web.labels import N_
from koshi.web.pages import WebUser
from koshi.web.render import locale_of, page

router = APIRouter(include_in_schema=False)

VIEWER_ROLES = frozenset({"analyst", "supervisor"})
"""Who may see the dashboard and its exports."""

MIN_YEAR, MAX_YEAR = 1991, 2100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Kind = Literal["period", "pack", "category", "region", "indicator", "int", "signed", "share", "figure"]
"""How a cell is shown: the first five are keys (translated or named on display), then numbers."""
KEY_KINDS = frozenset({"period", "pack", "category", "region", "indicator"})

PACK_LABELS = {
    "kz.permanent_residence": N_("Permanent residence"),
    "kz.kandas_status": N_("Kandas status"),
}
CATEGORY_LABELS = {"resettler": N_("Resettlers"), "kandas": N_("Kandas"), "citizen": N_("Citizens")}
INDICATOR_LABELS = {
    Indicator.net_external_migration: N_("Net external migration"),
    Indicator.external_arrivals: N_("Arrivals from abroad"),
    Indicator.external_departures: N_("Departures abroad"),
    Indicator.qualified_share: N_("Share of qualified people among arrivals"),
    Indicator.interregional_migrants: N_("Interregional migrants"),
    Indicator.north_share: N_("Share of interregional migrants going to labour-deficit regions"),
    Indicator.resettler_employment: N_("Employment of able-bodied resettlers and kandas"),
}
NOTE_LABELS = {
    "no published figure": N_("no published figure"),
    "first positive balance since 2011": N_("first positive balance since 2011"),
    "other sources: about 30 000": N_("other sources: about 30 000"),
    "other sources: about 12 800": N_("other sources: about 12 800"),
    "the ministry reports +17 200": N_("the ministry reports +17 200"),
    "only 9 months published: 619 000": N_("only 9 months published: 619 000"),
    "quoted in the product brief; no published source found": N_(
        "quoted in the product brief; no published source found"
    ),
}


# --- tables: one model for the page, the CSV and the workbook ----------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``key`` names it in the CSV, ``label`` (a message id) heads it on the page and sheet."""

    key: str
    label: str
    kind: Kind


@dataclass(frozen=True, slots=True)
class Table:
    """A KPI table: the first column is the row header; ``sources`` are the rows' sources (reference only)."""

    key: str
    title: str
    sheet: str  # a short title (message id) for the workbook's tab: at most 31 characters
    columns: tuple[Column, ...]
    rows: list[list[Any]] = field(default_factory=list)
    sources: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _period(year: int, month: int | None) -> str:
    return f"{year:04d}" if month is None else f"{year:04d}-{month:02d}"


def _official(indicator: Indicator, year: int) -> float | None:
    f = figure(indicator, year)
    return None if f is None else f.value


def kpi_tables(d: kpi.Dashboard) -> list[Table]:
    """Every KPI table of the dashboard, in page order (the reference series last)."""
    yearly = d.filters.year is None
    period = Column("period", N_("Year") if yearly else N_("Month"), "period")

    net = Table(
        "net_external_migration",
        N_("Net external migration"),
        N_("Net migration"),
        (
            period,
            Column("arrivals", N_("Arrivals"), "int"),
            Column("departures", N_("Departures"), "int"),
            Column("net", N_("Net migration"), "signed"),
            *((Column("official_net", N_("Official net migration"), "signed"),) if yearly else ()),
        ),
    )
    for r in d.net_migration.rows:
        extra = [_official(Indicator.net_external_migration, r.year)] if yearly else []
        net.rows.append([_period(r.year, r.month), r.arrivals, r.departures, r.net, *extra])

    qualified = Table(
        "qualified_share",
        N_("Share of qualified people among arrivals"),
        N_("Qualified arrivals"),
        (
            period,
            Column("arrivals", N_("Arrivals"), "int"),
            Column("qualified", N_("Qualified arrivals"), "int"),
            Column("share", N_("Qualified share"), "share"),
            Column("target", N_("Target for 2030"), "share"),
        ),
    )
    for r in d.qualified.rows:
        qualified.rows.append([_period(r.year, r.month), r.arrivals, r.qualified, r.qualified_share, 0.95])

    north = Table(
        "north_share",
        N_("Share of interregional migrants going to labour-deficit regions"),
        N_("To labour-deficit regions"),
        (
            period,
            Column("movers", N_("Interregional migrants"), "int"),
            Column("to_deficit", N_("To labour-deficit regions"), "int"),
            Column("share", N_("Share"), "share"),
            *((Column("official_share", N_("Official share"), "share"),) if yearly else ()),
        ),
    )
    for m in d.north.rows:
        extra = [_official(Indicator.north_share, m.year)] if yearly else []
        north.rows.append([_period(m.year, m.month), m.movers, m.to_deficit, m.share, *extra])

    employment = Table(
        "employment",
        N_("Employment of able-bodied resettlers and kandas"),
        N_("Employment"),
        (
            Column("period", N_("Year settled"), "period"),
            Column("category", N_("Group"), "category"),
            Column("able_bodied", N_("Able-bodied"), "int"),
            Column("employed", N_("Employed"), "int"),
            Column("rate", N_("Employment rate"), "share"),
            Column("target", N_("Target"), "share"),
        ),
    )
    for e in d.employment.rows:
        employment.rows.append([str(e.year), e.category, e.able_bodied, e.employed, e.rate, 1.0])

    counts = (
        Column("applications", N_("Applications"), "int"),
        Column("decided", N_("Decided"), "int"),
        Column("approved", N_("Approved"), "int"),
        Column("refused", N_("Refused"), "int"),
        Column("approval_rate", N_("Approval rate"), "share"),
    )
    by_month = Table(
        "applications_by_month",
        N_("Applications and approval rates by month and pack"),
        N_("Applications by month"),
        (Column("period", N_("Month"), "period"), Column("pack", N_("Pack"), "pack"), *counts),
    )
    for a in d.applications.by_month:
        by_month.rows.append([a.key, a.pack, a.applications, a.decided, a.approved, a.refused, a.approval_rate])
    by_region = Table(
        "applications_by_region",
        N_("Applications and approval rates by region and pack"),
        N_("Applications by region"),
        (Column("region", N_("Region"), "region"), Column("pack", N_("Pack"), "pack"), *counts),
    )
    for a in d.applications.by_region:
        by_region.rows.append([a.key, a.pack, a.applications, a.decided, a.approved, a.refused, a.approval_rate])
    return [net, qualified, north, employment, by_month, by_region, reference_table()]


def reference_table() -> Table:
    """The official figures of 2022-2025, with sources and notes (absent ones included)."""
    table = Table(
        "reference",
        N_("Official figures 2022–2025 (reference series)"),
        N_("Official figures"),
        (
            Column("indicator", N_("Indicator"), "indicator"),
            Column("period", N_("Year"), "period"),
            Column("official", N_("Official figure"), "figure"),
        ),
    )
    for f in sorted(REFERENCE, key=lambda f: (list(Indicator).index(f.indicator), f.year)):
        table.rows.append([f.indicator.value, str(f.year), f])
        table.sources.append(f.sources)
        table.notes.append(NOTE_LABELS.get(f.note, f.note))
    return table


# --- charts -------------------------------------------------------------------------------------


def _dataset(
    label: str, data: Sequence[float | None], *, kind: str = "line", axis: str = "count", **extra: Any
) -> dict[str, Any]:
    return {"label": label, "data": list(data), "kind": kind, "axis": axis, **extra}


def charts(d: kpi.Dashboard, _: Callable[[str], str], month_label: Callable[[str], str]) -> dict[str, dict[str, Any]]:
    """The chart specifications that ``dashboard.js`` turns into Chart.js charts.

    Shares are in per cent; ``shareMax`` fixes the top of the share axis (else it fits
    the data), ``stacked`` stacks the bars; a ``dashed`` line is a target or an
    official series.
    """
    yearly = d.filters.year is None

    def label(year: int, month: int | None) -> str:
        return month_label(_period(year, month))

    def pct(v: float | None) -> float | None:
        return None if v is None else round(v * 100.0, 2)

    flows = d.net_migration.rows
    net: dict[str, Any] = {
        "labels": [label(r.year, r.month) for r in flows],
        "datasets": [
            _dataset(_("Arrivals"), [r.arrivals for r in flows], kind="bar"),
            _dataset(_("Departures"), [r.departures for r in flows], kind="bar"),
            _dataset(_("Net migration"), [r.net for r in flows]),
        ],
    }
    if yearly:
        net["datasets"].append(
            _dataset(
                _("Official net migration"),
                [_official(Indicator.net_external_migration, r.year) for r in flows],
                dashed=True,
            )
        )
    qualified = {
        "shareMax": 100,
        "labels": [label(r.year, r.month) for r in flows],
        "datasets": [
            _dataset(_("Qualified share"), [pct(r.qualified_share) for r in flows], axis="share"),
            _dataset(_("Target for 2030"), [95.0 for _r in flows], axis="share", dashed=True),
        ],
    }
    moves = d.north.rows
    north: dict[str, Any] = {
        "labels": [label(m.year, m.month) for m in moves],
        "datasets": [_dataset(_("Share"), [pct(m.share) for m in moves], axis="share")],
    }
    if yearly:
        north["datasets"].append(
            _dataset(
                _("Official share"),
                [pct(_official(Indicator.north_share, m.year)) for m in moves],
                axis="share",
                dashed=True,
            )
        )
    years = sorted({e.year for e in d.employment.rows})
    rate = {(e.year, e.category): e.rate for e in d.employment.rows}
    employment = {
        "shareMax": 100,
        "labels": [str(y) for y in years],
        "datasets": [
            *(
                _dataset(_(CATEGORY_LABELS[c]), [pct(rate.get((y, c))) for y in years], kind="bar", axis="share")
                for c in ("resettler", "kandas")
            ),
            _dataset(_("Target"), [100.0 for _y in years], axis="share", dashed=True),
        ],
    }
    apps = d.applications
    months = sorted({a.key for a in apps.by_month})
    by = {(a.key, a.pack): a for a in apps.by_month}
    totals = [
        (sum(a.approved for a in apps.by_month if a.key == m), sum(a.decided for a in apps.by_month if a.key == m))
        for m in months
    ]
    applications = {
        "stacked": True,
        "shareMax": 100,
        "labels": [month_label(m) for m in months],
        "datasets": [
            *(
                _dataset(
                    _(PACK_LABELS.get(p, p)),
                    [by[(m, p)].applications if (m, p) in by else 0 for m in months],
                    kind="bar",
                    stack="packs",
                )
                for p in apps.packs
            ),
            _dataset(_("Approval rate"), [pct(kpi.share(a, n)) for a, n in totals], axis="share"),
        ],
    }
    return {
        "chart-net": net,
        "chart-qualified": qualified,
        "chart-north": north,
        "chart-employment": employment,
        "chart-applications": applications,
    }


# --- requests -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilterForm:
    """The filters as submitted, parsed, with a message per bad field."""

    year: str
    region: str
    errors: dict[str, str]


def _parse(request: Request, years: Sequence[int]) -> tuple[kpi.Filters, FilterForm]:
    raw_year = request.query_params.get("year")
    raw_region = (request.query_params.get("region") or "").strip()
    errors: dict[str, str] = {}
    year: int | None
    if raw_year is None or raw_year.strip() == "":
        year = years[0] if years else None  # the newest year with data
    elif raw_year == "all":
        year = None
    else:
        try:
            year = int(raw_year)
        except ValueError:
            year = None
        if year is None or not MIN_YEAR <= year <= MAX_YEAR:
            errors["year"] = N_("Choose a year from the list")
            year = years[0] if years else None
    region: str | None = raw_region or None
    if region is not None and region not in BY_KATO:
        errors["region"] = N_("Choose a region from the list")
        region = None
    form = FilterForm("all" if year is None else str(year), region or "", errors)
    return kpi.Filters(year, region), form


def _viewer(request: Request) -> WebUser | Response:
    user: WebUser | None = request.state.user
    if user is None:
        return RedirectResponse("/sign-in", status_code=303)
    if user.role not in VIEWER_ROLES:
        return page(request, "dashboard_forbidden.html", status_code=403)
    return user


def _load(request: Request) -> tuple[kpi.Dashboard, FilterForm, tuple[int, ...]]:
    with transaction(request.app.state.sessions) as session:
        conn = session.connection()
        years = kpi.available_years(conn)
        filters, form = _parse(request, years)
        return kpi.dashboard(conn, filters), form, years


def region_name(kato: str, locale: str) -> str:
    """The region's name in ``locale`` (the code itself when unknown; "" for no region)."""
    r = BY_KATO.get(kato)
    if r is None:
        return kato
    return {"ru": r.name_ru, "kk": r.name_kk}.get(locale, r.name_en)


def month_label(locale: str) -> Callable[[str], str]:
    """Formats a period key: "2025" stays, "2025-03" becomes the month's name and year in ``locale``."""
    loc = Locale.parse(locale)

    def fmt(key: str) -> str:
        if len(key) != 7:
            return key
        return format_date(dt.date(int(key[:4]), int(key[5:]), 1), "LLL y", locale=loc)

    return fmt


def source_label(source: str) -> str:
    """A short link text for a source: the site's host, or "product brief"."""
    if source == PRODUCT_BRIEF:
        return N_("Product brief (no published source)")
    return urlsplit(source).netloc.removeprefix("www.")


@router.get("/dashboard")
def dashboard_page(request: Request) -> Response:
    user = _viewer(request)
    if isinstance(user, Response):
        return user
    data, form, years = _load(request)
    locale = locale_of(request)
    t = i18n.translations(locale)
    query = urlencode({"year": form.year, "region": form.region})
    return page(
        request,
        "dashboard.html",
        status_code=400 if form.errors else 200,
        d=data,
        form=form,
        years=years,
        regions=[(r.kato, region_name(r.kato, locale)) for r in REGIONS],
        region_name=lambda k: region_name(k, locale),
        tables={tb.key: tb for tb in kpi_tables(data)},
        charts=charts(data, t.gettext, month_label(locale)),
        period_label=month_label(locale),
        official=lambda ind, y: figure(Indicator(ind), y) if y is not None else None,
        source_label=source_label,
        cell_text=lambda column, value: cell_text(column, value, locale),
        pack_labels=PACK_LABELS,
        category_labels=CATEGORY_LABELS,
        reference_years=YEARS,
        export_query=query,
    )


def _filename(filters: kpi.Filters, ext: str) -> str:
    return f"koshi-kpi-{filters.year or 'all'}-{filters.region or 'all'}.{ext}"


def _bad_filters(request: Request, form: FilterForm) -> Response | None:
    if not form.errors:
        return None
    return Response("invalid filters: " + ", ".join(sorted(form.errors)), status_code=400, media_type="text/plain")


@router.get("/dashboard/export.csv")
def export_csv(request: Request) -> Response:
    user = _viewer(request)
    if isinstance(user, Response):
        return user
    data, form, _years = _load(request)
    if (bad := _bad_filters(request, form)) is not None:
        return bad
    return Response(
        to_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(data.filters, "csv")}"'},
    )


@router.get("/dashboard/export.xlsx")
def export_xlsx(request: Request) -> Response:
    user = _viewer(request)
    if isinstance(user, Response):
        return user
    data, form, _years = _load(request)
    if (bad := _bad_filters(request, form)) is not None:
        return bad
    locale = locale_of(request)
    return Response(
        to_xlsx(data, locale),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{_filename(data.filters, "xlsx")}"'},
    )


# --- exports ------------------------------------------------------------------------------------

CSV_HEADER = ("table", "period", "region", "pack", "category", "measure", "value", "source", "note")


def _csv_value(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return "" if value is None else value


def to_csv(d: kpi.Dashboard) -> str:
    """Every KPI table in long form: one line per figure, with machine keys (KATO codes, pack ids, ISO periods).

    ``region`` is the row's region in the by-region table and the filter's region
    (empty: the whole country) elsewhere; shares are fractions; reference rows carry
    their sources.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for table in kpi_tables(d):
        if table.key == "reference":
            continue
        for row in table.rows:
            keys = {c.kind: v for c, v in zip(table.columns, row, strict=True) if c.kind in KEY_KINDS}
            for column, value in zip(table.columns, row, strict=True):
                if column.kind in KEY_KINDS:
                    continue
                writer.writerow(
                    (
                        table.key,
                        keys.get("period", ""),
                        keys.get("region", d.filters.region or ""),
                        keys.get("pack", ""),
                        keys.get("category", ""),
                        column.key,
                        _csv_value(value),
                        "",
                        "",
                    )
                )
    for f in sorted(REFERENCE, key=lambda f: (list(Indicator).index(f.indicator), f.year)):
        writer.writerow(
            (
                "reference",
                str(f.year),
                "",
                "",
                f.indicator.value,
                "official",
                _csv_value(f.value),
                " ".join(f.sources),
                f.note,
            )
        )
    return out.getvalue()


def cell_text(column: Column, value: Any, locale: str) -> Any:
    """A key cell's display text in ``locale`` (numbers are returned as they are)."""
    _ = i18n.translations(locale).gettext
    if column.kind == "pack":
        return _(PACK_LABELS.get(value, value))
    if column.kind == "category":
        return _(CATEGORY_LABELS.get(value, value))
    if column.kind == "indicator":
        return _(INDICATOR_LABELS[Indicator(value)])
    if column.kind == "region":
        return region_name(value, locale) if value else _("No region")
    if column.kind == "period":
        return month_label(locale)(value)
    if isinstance(value, ReferenceFigure):
        return value.value
    return value


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, used: set[str]) -> str:
    """A valid, unique worksheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    base = _SHEET_BAD.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def to_xlsx(d: kpi.Dashboard, locale: str) -> bytes:
    """A workbook with one sheet per KPI table (headers, number formats) and the reference series with links."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    _ = i18n.translations(locale).gettext
    formats = {"int": "#,##0", "signed": "+#,##0;-#,##0;0", "share": "0.0%"}
    wb = Workbook()
    about = wb.active
    assert about is not None
    used: set[str] = set()
    about.title = _sheet_title(_("Filters"), used)
    about.append([_("Koshi KPI dashboard")])
    about["A1"].font = Font(bold=True, size=14)
    about.append([_("Year"), _("All years") if d.filters.year is None else d.filters.year])
    about.append([_("Region"), region_name(d.filters.region, locale) if d.filters.region else _("All regions")])
    about.append([_("Figures are computed from the Koshi database (synthetic data in the demo).")])
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 32
    for table in kpi_tables(d):
        ws = wb.create_sheet(_sheet_title(_(table.sheet), used))
        headers = [_(c.label) for c in table.columns]
        if table.key == "reference":
            headers += [_("Source"), _("Note")]
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for i, row in enumerate(table.rows):
            values = [
                value if column.kind == "period" else cell_text(column, value, locale)
                for column, value in zip(table.columns, row, strict=True)
            ]
            if table.key == "reference":
                sources = table.sources[i]
                values += [" ".join(sources), _(table.notes[i]) if table.notes[i] else ""]
            ws.append(values)
            r = ws.max_row
            for j, column in enumerate(table.columns, start=1):
                value = row[j - 1]
                if isinstance(value, ReferenceFigure):
                    fmt = formats["share"] if value.unit == "share" else formats["int"]
                    ws.cell(r, j).number_format = fmt
                elif column.kind in formats:
                    ws.cell(r, j).number_format = formats[column.kind]
            if table.key == "reference" and table.sources[i] and table.sources[i][0].startswith("http"):
                link = ws.cell(r, len(table.columns) + 1)
                link.hyperlink = table.sources[i][0]
                link.style = "Hyperlink"
        for j, header in enumerate(headers, start=1):
            ws.column_dimensions[get_column_letter(j)].width = max(12, min(60, len(str(header)) + 4))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
