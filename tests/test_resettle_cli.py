"""``koshi resettle``: imports (bad rows by row and field, never an IIN; idempotent reruns), check, quota, match
(optimal against greedy), support, follow-up import, show, and the demo seed (twice = nothing new), on SQLite and
PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from koshi.cli_resettle import app
from koshi.settings import settings
from koshi.store import resettle as store
from koshi.store.db import make_sessionmaker, transaction
from koshi.store.models import AuditRecord, User
from koshi.store.resettle_import import SYSTEM
from tests.labour_data import bin_, iin

runner = CliRunner()
BAD_IIN = iin(7)[:-1] + str((int(iin(7)[-1]) + 1) % 10)
BAD_BIN = bin_(2)[:-1] + str((int(bin_(2)[-1]) + 1) % 10)
SKO, PAVLODAR = "590000000", "550000000"


@pytest.fixture
def koshi(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI pointed at a migrated database (settings are cached: cleared before and after)."""
    monkeypatch.setenv("KOSHI_DATABASE_URL", db_url)
    monkeypatch.setenv("KOSHI_ENV", "test")
    settings.cache_clear()
    yield engine
    settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def count(engine: Engine, model: Any) -> int:
    with make_sessionmaker(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def errors_of(path: Path) -> list[tuple[int, str]]:
    with path.open() as fh:
        return [(int(r["row"]), r["field"]) for r in csv.DictReader(fh)]


def family(ref: str, n: int, **over: Any) -> dict[str, Any]:
    row = {
        "ref": ref,
        "category": "resettler",
        "head_iin": iin(n),
        "head_surname": "Akhmetov",
        "head_given_names": "Nurlan",
        "citizen": "true",
        "kandas_status": "false",
        "employment_status": "unemployed",
        "origin_kato": "610000000",
        "registered_since": "2020-01-01",
        "graduate_programme": "",
        "graduated_on": "",
        "size": "4",
        "able_bodied": "2",
        "isco": "8341",
        "preferences": SKO,
        "housing_certificate": "false",
        "applied_on": "2026-03-01",
    }
    return row | over


def world(tmp: Path) -> dict[str, Path]:
    """Files with good and bad rows of every kind (bad rows named in each test)."""
    settlements = [
        {"kato": "592030100", "name": "Bulaevo", "rent_mrp": "20"},
        {"kato": "59203010", "name": "Short", "rent_mrp": "20"},  # 8 digits
        {"kato": "992030100", "name": "Nowhere", "rent_mrp": "20"},  # no region 99
        {"kato": "552030100", "name": "Ekibastuz", "rent_mrp": "25"},
        {"kato": "552132100", "name": "Aksu", "rent_mrp": "40"},  # rent outside 15-30 MRP
    ]
    housing = [
        {"ref": "H-1", "settlement_kato": "592030100", "capacity": "4", "kind": "employer"},
        {"ref": "H-0", "settlement_kato": "592030100", "capacity": "0", "kind": "service"},
        {"ref": "H-9", "settlement_kato": "632030100", "capacity": "3", "kind": "service"},  # not registered
        {"ref": "H-2", "settlement_kato": "552030100", "capacity": "6", "kind": "service"},
    ]
    vacancy = {
        "employer_bin": bin_(1),
        "employer_name": 'TOO "Esil Agro"',
        "isco": "8341",
        "title": "Tractor driver",
        "wage": "320000",
        "settlement_kato": "592030100",
        "housing_ref": "H-1",
        "posted_on": "2026-02-01",
    }
    vacancies = [
        {"ref": "V-1", **vacancy},
        {"ref": "V-8", **vacancy, "settlement_kato": "632030100", "housing_ref": ""},  # unknown settlement
        {"ref": "V-9", **vacancy, "employer_bin": BAD_BIN},
        {
            "ref": "V-2",
            **vacancy,
            "isco": "9211",
            "title": "Crop farm labourer",
            "settlement_kato": "552030100",
            "housing_ref": "",
            "wage": "180000",
        },
    ]
    families = [
        family("F-1", 1),
        family("F-2", 2, head_iin=BAD_IIN),
        family("F-3", 3, size="0"),
        family(
            "F-4",
            4,
            category="kandas",
            citizen="false",
            kandas_status="true",
            origin_kato="",
            size="3",
            registered_since="",
            employment_status="none",
            isco="9211",
            preferences="",
        ),
        family("F-5", 5, preferences="999"),
        family("F-6", 6, employment_status="employed", applied_on="2026-03-02"),  # stored, fails a check
    ]
    return {
        "settlements": write_csv(tmp / "settlements.csv", settlements),
        "housing": write_csv(tmp / "housing.csv", housing),
        "vacancies": write_csv(tmp / "vacancies.csv", vacancies),
        "families": write_csv(tmp / "families.csv", families),
    }


def test_imports_keep_good_rows_list_bad_ones_by_row_and_field_and_are_idempotent(
    koshi: Engine, tmp_path: Path
) -> None:
    files = world(tmp_path)
    expected = {
        "settlements": ("5 rows, 2 added", [(2, "kato"), (3, "kato"), (5, "rent_mrp")]),
        "housing": ("4 rows, 2 added", [(2, "capacity"), (3, "settlement_kato")]),
        "vacancies": ("4 rows, 2 added", [(2, "settlement_kato"), (3, "employer_bin")]),
        "families": ("6 rows, 3 added", [(2, "head_iin"), (3, "size"), (5, "preferences")]),
    }
    for kind, (counts, bad) in expected.items():
        errors = tmp_path / f"{kind}-errors.csv"
        code, out, err = run(kind, "import", str(files[kind]), "--errors", str(errors))
        assert code == 1, (kind, out, err)
        assert counts in out, out
        assert errors_of(errors) == bad, kind
        assert f"row {bad[0][0]}, {bad[0][1]}:" in err
        assert BAD_IIN not in out + err + errors.read_text()
    assert count(koshi, store.Settlement) == 2 and count(koshi, store.Housing) == 2
    assert count(koshi, store.ResettleVacancy) == 2 and count(koshi, store.Family) == 3
    with make_sessionmaker(koshi)() as session:
        states = dict(session.execute(select(store.Family.ref, store.Family.state)).all())
        housing = session.scalar(select(store.Housing).where(store.Housing.ref == "H-1"))
        assert housing is not None and housing.vacancy_id is not None
        audits = session.scalar(select(func.count()).where(AuditRecord.action == "resettle.import"))
    assert states == {"F-1": "submitted", "F-4": "submitted", "F-6": "checks_failed"}
    assert audits == 4

    for kind in expected:  # a rerun adds nothing; the bad rows are reported again
        code, out, _ = run(kind, "import", str(files[kind]), "--json")
        report = json.loads(out)
        assert code == 1 and report["added"] == 0 and report["updated"] == 0 and report["unchanged"] >= 2, report
    assert count(koshi, store.Family) == 3 and count(koshi, store.ResettleVacancy) == 2

    changed = write_csv(tmp_path / "s2.csv", [{"kato": "592030100", "name": "Bulaevo", "rent_mrp": "22"}])
    code, out, _ = run("settlements", "import", str(changed))
    assert code == 0 and "1 updated" in out


def test_bad_files_exit_2(koshi: Engine, tmp_path: Path) -> None:
    missing = write_csv(tmp_path / "s.csv", [{"kato": "592030100", "name": "Bulaevo"}])
    code, _, err = run("settlements", "import", str(missing))
    assert code == 2 and "rent_mrp" in err
    code, _, err = run("families", "import", str(tmp_path / "nope.csv"))
    assert code == 2 and "no such file" in err
    code, _, err = run("families", "import", str(tmp_path / "families.xlsx"))
    assert code == 2


def test_check_reports_each_applicant_without_storing(koshi: Engine, tmp_path: Path) -> None:
    rows = [
        family("", 1),
        family("", 6, employment_status="employed", registered_since="2025-12-01"),
        family("", 2, head_iin=BAD_IIN),
        family("", 3, applied_on="2023-05-01"),
    ]
    path = write_csv(tmp_path / "applicants.csv", rows)
    code, out, err = run("check", str(path))
    assert code == 1, out + err
    assert "4 rows: 1 eligible, 1 not eligible, 2 unreadable" in out
    assert "job_seeker" in out and "registration" in out and "employed" in out
    assert "row 3, head_iin:" in err and "row 4, applied_on:" in err
    assert BAD_IIN not in out + err and iin(6) not in out
    code, out, _ = run("check", str(path), "--json")
    payload = json.loads(out)
    assert [r["eligible"] for r in payload["results"]] == [True, False]
    assert {f["check"] for f in payload["results"][1]["failed"]} == {"job_seeker", "registration"}
    assert count(koshi, store.Family) == 0


def test_quota_match_names_optimal_and_greedy_and_applies(koshi: Engine, tmp_path: Path) -> None:
    files = world(tmp_path)
    for kind in ("settlements", "housing", "vacancies", "families"):
        run(kind, "import", str(files[kind]))
    now = dt.datetime.now(dt.UTC)
    with transaction(make_sessionmaker(koshi)) as session:
        for ref in ("F-1", "F-4"):
            row = session.scalar(select(store.Family).where(store.Family.ref == ref))
            assert row is not None
            store.act(session, SYSTEM, row.id, "approve", now=now)
    code, out, err = run("match", "--year", "2026")
    assert code == 0, out + err
    assert "optimal" in out and "greedy" in out and "persons placed" in out
    assert "nothing proposed" in out
    assert count(koshi, store.Placement) == 0
    code, out, _ = run("match", "--year", "2026", "--apply", "--json")
    run_view = json.loads(out)
    assert code == 0 and run_view["applied"] and run_view["placed_families"] == 2
    assert run_view["placed_persons"] == 7 and run_view["greedy_persons"] <= 7
    code, out, _ = run("quota", "--year", "2026")
    assert code == 0 and "North Kazakhstan Region" in out and "Pavlodar Region" in out
    code, out, _ = run("quota", "--year", "2026", "--json")
    usage = {(u["region_kato"], u["category"]): u for u in json.loads(out)["usage"]}
    assert usage[(SKO, "resettler")]["reserved"] == 4 and usage[(PAVLODAR, "kandas")]["reserved"] == 3
    assert run("quota", "--year", "2023")[0] == 2


def test_seed_twice_adds_nothing_and_the_pages_have_work(koshi: Engine, tmp_path: Path) -> None:
    with transaction(make_sessionmaker(koshi)) as session:
        session.add(
            User(
                username="demo-applicant",
                full_name="",
                role="applicant",
                password_hash="x",
                created_at=dt.datetime.now(dt.UTC),
            )
        )
    args = ("seed", "--seed", "3", "--families", "22", "--vacancies", "20", "--today", "2026-09-30")
    code, out, err = run(*args, "--bind-applicant", "demo-applicant", "--json")
    assert code == 0, out + err
    counts = json.loads(out)
    assert counts["families"] == 44 and counts["arrived"] > 0 and counts["follow-ups"] > 0
    assert counts["matching runs"] >= 8 and counts["payments"] > 0
    tables = (store.Family, store.Placement, store.Payment, store.Followup, store.ResettleVacancy, store.MatchRun)
    before = {t.__tablename__: count(koshi, t) for t in tables}
    code, out, _ = run(*args, "--bind-applicant", "demo-applicant")
    assert code == 0 and "2 years already seeded" in out
    assert {t.__tablename__: count(koshi, t) for t in tables} == before
    with make_sessionmaker(koshi)() as session:
        states = dict(session.execute(select(store.Family.state, func.count()).group_by(store.Family.state)).all())
        owned = session.scalars(select(store.Family.year).where(store.Family.applicant_id.is_not(None))).all()
        latest = session.scalar(select(func.max(store.Placement.arrived_on)))
        failed = session.scalar(select(store.Family.number).where(store.Family.state == "checks_failed").limit(1))
        arrived = session.scalar(select(store.Family).where(store.Family.state == "arrived").limit(1))
        assert arrived is not None
        placed = session.scalar(select(store.Placement).where(store.Placement.family_id == arrived.id))
        assert placed is not None and placed.arrived_on is not None
        arrived_number, arrived_on = arrived.number, placed.arrived_on
        done = store.Followup.observed_on.is_not(None)
        recorded = set(
            session.scalars(select(store.Followup.month).where(store.Followup.family_id == arrived.id, done))
        )
    assert owned == [2026]
    assert latest is not None and latest <= dt.date(2026, 9, 30)
    assert {"approved", "checks_failed", "settled"} <= set(states), states
    assert failed is not None

    code, out, _ = run("show", failed)
    assert code == 0 and failed in out and "failed" in out and "**********" in out
    code, out, _ = run("support", "--year", "2025")
    assert code == 0 and "relocation" in out and "Total" in out

    month = min({3, 6, 12} - recorded)
    observed = str(min(arrived_on + dt.timedelta(days=31 * month), dt.date.today()))
    rows = [
        {
            "family": arrived_number,
            "month": str(month),
            "observed_on": observed,
            "status": "employed",
            "able_bodied": "1",
            "employed": "1",
        },
        {
            "family": "RS-1999-000001",
            "month": "3",
            "observed_on": "2026-05-01",
            "status": "employed",
            "able_bodied": "1",
            "employed": "1",
        },
        {
            "family": arrived_number,
            "month": "4",
            "observed_on": "2026-05-01",
            "status": "employed",
            "able_bodied": "1",
            "employed": "1",
        },
        {
            "family": arrived_number,
            "month": str(month),
            "observed_on": observed,
            "status": "employed",
            "able_bodied": "1",
            "employed": "2",
        },
    ]
    path = write_csv(tmp_path / "followups.csv", rows)
    errors = tmp_path / "errors.csv"
    code, out, _ = run("followup", "import", str(path), "--errors", str(errors))
    assert code == 1 and "4 rows, 1 added" in out
    assert errors_of(errors) == [(2, "family"), (3, "month"), (4, "employed")]
    code, out, _ = run("followup", "import", str(path))
    assert code == 1 and "1 unchanged" in out and "0 added" in out
