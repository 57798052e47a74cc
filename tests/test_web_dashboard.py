"""The analyst's KPI dashboard page and its CSV/XLSX exports (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from openpyxl import load_workbook
from sqlalchemy import insert

from koshi.reference.regions import BY_SLUG
from koshi.store.monitoring import ExternalMigration, InterregionalMove, ResettlerFollowup
from tests.service import Api
from tests.test_web import sign_in

PAVLODAR = BY_SLUG["pavlodar"].kato
ALMATY = BY_SLUG["almaty"].kato
FILTER = f"year=2025&region={PAVLODAR}"
ASTANA_TIMES = "https://astanatimes.com/2026/03/kazakhstans-new-migration-policy-what-will-change-through-2030/"


def seed(api: Api) -> None:
    """Pavlodar 2025: 12 345 arrivals, 2 345 departures (net +10 000), 11 000 qualified (89.1%); Almaty as a decoy."""
    flow = {"year": 2025, "month": 4}
    move = {"year": 2025, "month": 5, "origin_region": PAVLODAR, "category": "citizen"}
    person = {"category": "kandas", "year_settled": 2025, "region": PAVLODAR, "observed_on": dt.date(2026, 1, 1)}
    with api.engine.begin() as conn:
        conn.execute(
            insert(ExternalMigration),
            [
                {**flow, "region": PAVLODAR, "arrivals": 12_345, "departures": 2_345, "arrivals_qualified": 11_000},
                {**flow, "region": ALMATY, "arrivals": 98_765, "departures": 1, "arrivals_qualified": 5},
            ],
        )
        conn.execute(
            insert(InterregionalMove),
            [
                {**move, "destination_region": BY_SLUG["kostanay"].kato, "movers": 400},  # a labour-deficit region
                {**move, "destination_region": BY_SLUG["astana"].kato, "movers": 600},
            ],
        )
        conn.execute(
            insert(ResettlerFollowup),
            [{**person, "person_ref": f"W{i}", "able_bodied": True, "employed": i < 3} for i in range(4)],
        )


def analyst(api: Api) -> None:
    api.user("analyst", "ana")
    sign_in(api, "ana")


def test_strangers_are_sent_to_sign_in(api: Api) -> None:
    for path in ("/dashboard", "/dashboard/export.csv", "/dashboard/export.xlsx"):
        r = api.client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/sign-in", path


def test_applicants_and_officers_are_refused(api: Api) -> None:
    for role in ("applicant", "officer"):
        api.user(role, f"{role}-d")
        sign_in(api, f"{role}-d")
        r = api.client.get("/dashboard?lang=en")
        assert r.status_code == 403 and "The KPI dashboard is for policy analysts and supervisors" in r.text
        assert api.client.get("/dashboard/export.csv").status_code == 403
        assert api.client.get("/dashboard/export.xlsx").status_code == 403
        api.client.cookies.clear()


def test_analyst_sees_the_filtered_figures_with_charts_tables_and_reference(api: Api) -> None:
    seed(api)
    api.apply(api.user("applicant"))  # filed now, settling in Pavlodar (the factory's profile)
    analyst(api)
    r = api.client.get(f"/dashboard?{FILTER}&lang=en")
    assert r.status_code == 200
    html = r.text
    assert f'<option value="{PAVLODAR}" selected>' in html and '<option value="2025" selected>' in html
    assert "12,345" in html and "+10,000" in html and "89.1%" in html  # formatted
    assert "98,765" not in html  # Almaty is filtered out
    assert "40.0%" in html  # 400 of 1 000 who left Pavlodar went to Kostanay
    assert "75.0%" in html and "25.0 percentage points below the target" in html  # 3 of 4 employed
    # the official 2025 figure, labelled and linked to its source
    assert "Official figure for 2025:" in html and "+16,153" in html
    assert f'href="{ASTANA_TIMES}"' in html
    assert "Official figures 2022–2025 (reference series)" in html
    # a chart per KPI with its data block, and a table with caption and scopes under it
    blocks = dict(re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', html, flags=re.S))
    assert set(blocks) == {"chart-net", "chart-qualified", "chart-north", "chart-employment", "chart-applications"}
    net = json.loads(blocks["chart-net"])
    assert net["labels"] == ["Apr 2025"] and net["datasets"][0]["data"] == [12_345]
    assert html.count('<canvas id="chart-') == 5 and html.count("<caption") >= 7
    assert 'scope="col"' in html and 'scope="row"' in html
    # the applications KPI reads the cases table: one filed this year in Pavlodar
    now = api.client.get(f"/dashboard?region={PAVLODAR}&lang=en").text
    assert "Permanent residence" in now and "Applications and approval rates by month and pack" in now


def test_supervisor_may_look_and_all_years_show_the_official_series(api: Api) -> None:
    seed(api)
    api.user("supervisor", "sup")
    sign_in(api, "sup")
    r = api.client.get("/dashboard?year=all&lang=en")
    assert r.status_code == 200
    assert "Official net migration" in r.text and "+16,153" in r.text
    assert '<option value="all" selected>' in r.text


def test_page_in_russian_and_kazakh(api: Api) -> None:
    seed(api)
    analyst(api)
    ru = api.client.get(f"/dashboard?{FILTER}&lang=ru")
    assert ru.status_code == 200 and '<html lang="ru"' in ru.text
    assert "12\xa0345" in ru.text and "89,1%" in ru.text  # Russian grouping and decimal comma
    assert "Павлодарская область" in ru.text
    kk = api.client.get(f"/dashboard?{FILTER}&lang=kk")
    assert kk.status_code == 200 and '<html lang="kk"' in kk.text and "Павлодар облысы" in kk.text


def test_no_inline_script_or_style(api: Api) -> None:
    seed(api)
    analyst(api)
    r = api.client.get(f"/dashboard?{FILTER}")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    assert not re.search(r"\sstyle\s*=", html) and "<style" not in html
    assert not re.search(r"\son[a-z]+\s*=", html)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert '<script src="/static/dashboard.js" defer>' in html
    assert api.client.get("/static/dashboard.js").status_code == 200
    assert api.client.get("/static/dashboard.css").status_code == 200


def test_bad_filters_are_reported_next_to_the_fields(api: Api) -> None:
    analyst(api)
    r = api.client.get("/dashboard?year=soon&region=999&lang=en")
    assert r.status_code == 400
    assert 'href="#year"' in r.text and 'href="#region"' in r.text and "Choose a region from the list" in r.text
    assert api.client.get("/dashboard/export.csv?region=999").status_code == 400


def test_csv_export_holds_the_filtered_figures(api: Api) -> None:
    seed(api)
    analyst(api)
    r = api.client.get(f"/dashboard/export.csv?{FILTER}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="koshi-kpi-2025-' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    figure = {(x["table"], x["period"], x["measure"]): x for x in rows}
    arrivals = figure[("net_external_migration", "2025-04", "arrivals")]
    assert arrivals["value"] == "12345" and arrivals["region"] == PAVLODAR
    assert figure[("net_external_migration", "2025-04", "net")]["value"] == "10000"
    assert float(figure[("qualified_share", "2025-04", "share")]["value"]) == round(11_000 / 12_345, 6)
    assert figure[("north_share", "2025-05", "to_deficit")]["value"] == "400"
    assert not any(x["value"] == "98765" for x in rows)
    reference = [x for x in rows if x["table"] == "reference" and x["category"] == "net_external_migration"]
    official = {"2022": "-6946", "2023": "9293", "2024": "16550", "2025": "16153"}
    assert {x["period"]: x["value"] for x in reference} == official
    assert ASTANA_TIMES in next(x["source"] for x in reference if x["period"] == "2025")


def test_xlsx_export_has_a_sheet_per_kpi_with_formats(api: Api) -> None:
    seed(api)
    analyst(api)
    r = api.client.get(f"/dashboard/export.xlsx?{FILTER}&lang=en")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[0] == "Filters"
    assert len(wb.sheetnames) == 8  # filters, five KPIs (applications twice: month and region), reference
    assert wb.sheetnames[1:] == [
        "Net migration",
        "Qualified arrivals",
        "To labour-deficit regions",
        "Employment",
        "Applications by month",
        "Applications by region",
        "Official figures",
    ]
    net = wb["Net migration"]
    assert [c.value for c in net[1]] == ["Month", "Arrivals", "Departures", "Net migration"]
    assert [c.value for c in net[2]] == ["2025-04", 12_345, 2_345, 10_000]
    assert net["B2"].number_format == "#,##0"
    qualified = wb["Qualified arrivals"]
    assert qualified["D2"].value == 11_000 / 12_345 and qualified["D2"].number_format == "0.0%"
    reference = wb["Official figures"]
    values = [[c.value for c in row] for row in reference.iter_rows(min_row=2)]
    assert values[3][:3] == ["Net external migration", "2025", 16_153]
    assert reference.cell(5, 4).hyperlink.target == ASTANA_TIMES
    assert "Pavlodar Region" in [c.value for c in wb["Filters"]["B"]]
    ru = load_workbook(io.BytesIO(api.client.get(f"/dashboard/export.xlsx?{FILTER}&lang=ru").content))
    assert len(ru.sheetnames) == 8 and "Павлодарская область" in [c.value for c in ru.worksheets[0]["B"]]
