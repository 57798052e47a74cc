"""``koshi agencies`` on SQLite and PostgreSQL: imports (row errors, idempotency), ranking, show, seed."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from koshi.cli_agency import app
from koshi.settings import settings
from koshi.store import agencies as store
from koshi.store.db import make_sessionmaker, transaction
from koshi.store.models import User

runner = CliRunner()
FOUNDERS = json.dumps([{"name": "Aigul Sadyk", "iin": "791028302728", "share": 100}])
ADDRESSES = json.dumps([{"kind": "legal", "address": "Abay ave 1, Astana", "region_kato": "710000000"}])
AGENCY = {
    "bin": "971240001315",
    "name": "Steppe Careers LLP",
    "activity": "both",
    "region_kato": "710000000",
    "founders": FOUNDERS,
    "addresses": ADDRESSES,
    "notified_on": "2024-01-15",
    "status": "active",
    "account": "",
}


@pytest.fixture
def db(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("KOSHI_DATABASE_URL", db_url)
    settings.cache_clear()
    yield engine
    settings.cache_clear()


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def count(engine: Engine, model: Any) -> int:
    with make_sessionmaker(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_imports_keep_good_rows_list_bad_ones_and_are_idempotent(db: Engine, tmp_path: Path) -> None:
    with transaction(make_sessionmaker(db)) as session:
        session.add(User(username="agency-one", full_name="", role="agency", password_hash="x",
                         created_at=store.dt.datetime.now(store.dt.UTC)))  # fmt: skip
    agencies = write(
        tmp_path / "agencies.csv",
        [
            {**AGENCY, "account": "agency-one"},
            {**AGENCY, "bin": "971240001316"},  # bad check digit
            {**AGENCY, "bin": "180440652228", "founders": "not json"},
            {**AGENCY, "bin": "180440652228", "founders": json.dumps([{"name": "A B", "iin": "791028302729"}])},
            {**AGENCY, "bin": "180440652228", "status": "sleeping"},
            {**AGENCY, "bin": "180440652228", "name": "Alem Job Centre LLP", "status": "suspended"},
        ],
    )
    errors = tmp_path / "errors.csv"
    result = runner.invoke(app, ["import", str(agencies), "--errors", str(errors)])
    assert result.exit_code == 1, result.output
    assert "6 rows, 2 added, 0 unchanged, 4 rejected" in result.stdout
    with errors.open() as fh:
        rows = [(r["row"], r["field"]) for r in csv.DictReader(fh)]
    assert rows == [("2", "bin"), ("3", "founders"), ("4", "founders[0].iin"), ("5", "status")]
    assert "791028302729" not in result.output and "791028302729" not in errors.read_text()
    again = runner.invoke(app, ["import", str(agencies), "--json"])
    assert (json.loads(again.stdout)["unchanged"], json.loads(again.stdout)["rejected"]) == (2, 4)
    with make_sessionmaker(db)() as session:
        statuses = {a.bin: (a.status, a.owner_id is not None) for a in session.scalars(select(store.Agency))}
    assert statuses == {"971240001315": ("active", True), "180440652228": ("suspended", False)}

    reports = write(
        tmp_path / "reports.csv",
        [
            {"bin": "971240001315", "year": "2025", "quarter": "4", "placed_domestic": "4", "placed_abroad": "6",
             "job_seekers_served": "20", "seeker_fees_tenge": "0", "filed_on": "2026-01-21"},
            {"bin": "000000000000", "year": "2025", "quarter": "3", "placed_domestic": "4", "placed_abroad": "6",
             "job_seekers_served": "20", "seeker_fees_tenge": "0", "filed_on": "2025-10-10"},
            {"bin": "971240001315", "year": "2025", "quarter": "3", "placed_domestic": "four", "placed_abroad": "6",
             "job_seekers_served": "20", "seeker_fees_tenge": "0", "filed_on": "2025-10-10"},
            {"bin": "971240001315", "year": "2025", "quarter": "2", "placed_domestic": "4", "placed_abroad": "6",
             "job_seekers_served": "20", "seeker_fees_tenge": "0", "filed_on": "10.07.2025"},
        ],
    )  # fmt: skip
    result = runner.invoke(app, ["reports", "import", str(reports)])
    assert result.exit_code == 1
    assert "4 rows, 1 added" in result.stdout
    assert "row 2, bin:" in result.output and "row 3, placed_domestic:" in result.output
    assert "row 4, filed_on:" in result.output
    assert runner.invoke(app, ["reports", "import", str(reports)]).stdout.count("1 unchanged") == 1
    changed = write(
        tmp_path / "changed.csv", [{**dict(csv.DictReader(reports.open()).__next__()), "placed_abroad": "7"}]
    )
    result = runner.invoke(app, ["reports", "import", str(changed)])
    assert result.exit_code == 1 and "row 1, quarter: a report for this quarter is already filed" in result.output

    complaints = write(
        tmp_path / "complaints.csv",
        [
            {"ref": "C-1", "bin": "971240001315", "received_on": "2026-02-01", "kind": "fee_charged",
             "summary": "Paid 40 000 tenge for a placement", "paid_amount_tenge": "40000", "status": "substantiated"},
            {"ref": "C-2", "bin": "971240001315", "received_on": "2026-02-01", "kind": "shouting",
             "summary": "Unknown kind of complaint", "paid_amount_tenge": "", "status": ""},
            {"ref": "C-3", "bin": "971240001315", "received_on": "2026-02-01", "kind": "other",
             "summary": "Open complaint, no fee", "paid_amount_tenge": "", "status": ""},
        ],
    )  # fmt: skip
    result = runner.invoke(app, ["complaints", "import", str(complaints)])
    assert result.exit_code == 1 and "row 2, kind:" in result.output
    result = runner.invoke(app, ["complaints", "import", str(complaints), "--json"])
    assert (json.loads(result.stdout)["unchanged"], json.loads(result.stdout)["added"]) == (2, 0)
    assert count(db, store.AgencyComplaint) == 2

    ranking = runner.invoke(app, ["ranking", "--on", "2026-06-01", "--limit", "5", "--json"])
    assert ranking.exit_code == 0, ranking.output
    items = json.loads(ranking.stdout)["items"]
    assert [i["bin"] for i in items] == ["971240001315", "180440652228"]
    assert items[0]["risk_score"] == sum(r["points"] for r in items[0]["reasons"])
    table = runner.invoke(app, ["ranking", "--on", "2026-06-01"])
    assert "Steppe Careers LLP" in table.stdout and "substantiated complaint" in table.stdout

    shown = runner.invoke(app, ["show", "971240001315"])
    assert shown.exit_code == 0, shown.output
    assert "**********28" in shown.stdout and "791028302728" not in shown.stdout
    assert "fee rule flag: YES" in shown.stdout
    assert json.loads(runner.invoke(app, ["show", "971240001315", "--json"]).stdout)["status"] == "active"


def test_bad_input_exits_2_with_one_line(db: Engine, tmp_path: Path) -> None:
    missing = write(tmp_path / "a.csv", [{"bin": "971240001315", "name": "x"}])
    result = runner.invoke(app, ["import", str(missing)])
    assert result.exit_code == 2 and "missing column(s) activity" in result.output
    assert runner.invoke(app, ["reports", "import", str(tmp_path / "none.csv")]).exit_code == 2
    assert runner.invoke(app, ["ranking", "--on", "yesterday"]).exit_code == 2
    result = runner.invoke(app, ["ranking", "--on", "2015-01-01"])
    assert result.exit_code == 2 and "on:" in result.output
    assert runner.invoke(app, ["show", "971240001315"]).exit_code == 2
    assert runner.invoke(app, ["seed", "--bind", "nobody"]).exit_code == 2


def test_seed_loads_synthetic_agencies_once(db: Engine) -> None:
    result = runner.invoke(app, ["seed", "--count", "15", "--seed", "3", "--on", "2026-06-01"])
    assert result.exit_code == 0, result.output
    assert "15 agencies" in result.stdout
    assert count(db, store.Agency) == 15
    again = runner.invoke(app, ["seed", "--count", "15"])
    assert "already present" in again.stdout and count(db, store.Agency) == 15
