"""``koshi labour``: imports of employers, staff, vacancies and historic permits (bad rows by row and field,
idempotent reruns), quota distribution and usage, expiry, akimat binding, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from koshi.cli import app
from koshi.labour.fees import RateTable, quote
from koshi.labour.policy import Category, policy
from koshi.settings import settings
from koshi.store.db import make_sessionmaker, transaction
from koshi.store.labour import (
    AkimatRegion,
    Employer,
    EmployerStaff,
    PermitEventRow,
    QuotaAllocation,
    Vacancy,
    WorkPermit,
)
from koshi.store.models import AuditRecord, User
from koshi.tabular import write_table
from tests.labour_data import ALMATY, ASTANA, NOW, bin_, iin

runner = CliRunner()


@pytest.fixture
def koshi(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI pointed at a migrated database (settings are cached: cleared before and after)."""
    monkeypatch.setenv("KOSHI_DATABASE_URL", db_url)
    monkeypatch.setenv("KOSHI_ENV", "test")
    settings.cache_clear()
    yield engine
    settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["labour", *args])
    return result.exit_code, result.stdout, result.stderr


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def count(engine: Engine, model: type[Any]) -> int:
    with make_sessionmaker(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


EMPLOYERS = [
    {"bin": bin_(1), "name": "Astana Build", "oked_section": "F", "region_kato": ASTANA},
    {"bin": bin_(2, attribute=1), "name": "Almaty Branch", "oked_section": "J", "region_kato": ALMATY},
]


def permit(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "number": f"WP-2025-{n:06d}",
        "bin": bin_(1),
        "worker_iin": iin(n),
        "worker_surname": "Wang",
        "worker_given_names": "Li",
        "worker_nationality": "CHN",
        "category": "category_3",
        "isco": "2142",
        "region_kato": ASTANA,
        "valid_from": "2025-03-01",
        "valid_to": "2026-02-28",
        "applied_on": "2025-02-01",
        "state": "expired",
    } | changes


def test_employers_staff_and_vacancies_import_and_rerun_idempotently(koshi: Engine, tmp_path: Path) -> None:
    bad = {"bin": bin_(3)[:11] + str((int(bin_(3)[11]) + 1) % 10), "name": "X", "oked_section": "F"}
    rows = [*EMPLOYERS, bad | {"region_kato": ASTANA}, {**EMPLOYERS[0], "bin": bin_(4), "oked_section": "Z"}]
    f = write_csv(tmp_path / "employers.csv", rows)
    code, out, err = run("employers", "import", str(f))
    assert code == 1 and "2 added" in out and "2 rejected" in out
    assert "row 3, bin:" in err and "row 4, oked_section:" in err and bad["bin"] not in err
    assert run("employers", "import", str(f))[1].count("2 unchanged") == 1
    with make_sessionmaker(koshi)() as session:
        branch = session.scalar(select(Employer).where(Employer.bin == bin_(2, attribute=1)))
        assert branch is not None and branch.branch
    staff = write_csv(
        tmp_path / "staff.csv",
        [
            {"bin": bin_(1), "as_of": "2026-01-01", "citizens_1_2": "5", "foreigners_1_2": "1", "citizens_3_4": "90",
             "foreigners_3_4": "2", "ict": "0"},
            {"bin": bin_(9), "as_of": "2026-01-01", "citizens_1_2": "5", "foreigners_1_2": "1", "citizens_3_4": "x",
             "foreigners_3_4": "2", "ict": "0"},
            {"bin": bin_(1), "as_of": "2026-01-01", "citizens_1_2": "-1", "foreigners_1_2": "1", "citizens_3_4": "9",
             "foreigners_3_4": "2", "ict": "0"},
        ],
    )  # fmt: skip
    code, out, err = run("staff", "import", str(staff), "--json")
    report = json.loads(out)
    assert code == 1 and (report["added"], report["rejected"]) == (1, 2)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(2, "bin"), (3, "citizens_1_2")]
    assert count(koshi, EmployerStaff) == 1
    vacancies = pa.table(
        {
            "bin": [bin_(1), bin_(1)],
            "isco": ["2142", "21"],
            "region_kato": [ASTANA, ASTANA],
            "title": ["Engineer", "Bad"],
            "wage": [900_000, 1],
            "posted_on": [dt.date(2026, 1, 5), dt.date(2026, 1, 5)],
        }
    )
    write_table(vacancies, tmp_path / "vacancies.parquet")
    errors = tmp_path / "errors.csv"
    code, out, _ = run("vacancies", "import", str(tmp_path / "vacancies.parquet"), "--errors", str(errors))
    assert code == 1 and "1 added" in out
    assert errors.read_text().splitlines() == [
        "row,field,reason",
        "2,isco,the ISCO-08 occupation must be a 4-digit unit group code",
    ]
    assert run("vacancies", "import", str(tmp_path / "vacancies.parquet"))[1].count("1 unchanged") == 1
    assert count(koshi, Vacancy) == 1


def test_historic_permits_load_with_their_fees_and_never_twice(koshi: Engine, tmp_path: Path) -> None:
    run("employers", "import", str(write_csv(tmp_path / "e.csv", EMPLOYERS)))
    bad_iin = iin(7)[:11] + str((int(iin(7)[11]) + 1) % 10)
    rows = [
        permit(1),
        permit(2, state="issued", valid_from="2026-01-10", valid_to="2026-12-31", applied_on="2025-12-01"),
        permit(3, category="seasonal", valid_from="2025-04-01", valid_to="2025-08-31", applied_on="2025-03-01"),
        permit(4, worker_iin=bad_iin),
        permit(5, state="pending"),
        permit(6, bin=bin_(9)),
        permit(7, valid_to="2025-01-01"),
        permit(8, region_kato="710000001"),
        permit(9, applied_on="2016-06-01", valid_from="2016-07-01", valid_to="2017-06-30"),
    ]
    f = write_csv(tmp_path / "permits.csv", rows)
    code, out, err = run("permits", "import", str(f))
    assert code == 1 and "3 added" in out and "6 rejected" in out
    for line in ("row 4, worker_iin:", "row 5, state:", "row 6, bin:", "row 7, valid_to:", "row 8, region_kato:",
                 "row 9, applied_on:"):  # fmt: skip
        assert line in err
    assert bad_iin not in err and bad_iin not in out
    code, out, _ = run("permits", "import", str(f))
    assert "3 unchanged" in out and "0 added" in out
    assert count(koshi, WorkPermit) == 3 and count(koshi, PermitEventRow) == 3
    with make_sessionmaker(koshi)() as session:
        p = session.scalar(select(WorkPermit).where(WorkPermit.number == "WP-2025-000001"))
        assert p is not None
        rules = policy(dt.date(2025, 3, 1))
        expected = quote(Category.category_3, "F", p.valid_from, p.valid_to, RateTable.of(rules), rules.mrp)
        assert (p.fee_tenge, p.fee_group, p.state) == (expected.tenge, "c", "expired")
        assert p.parameters_hash == policy(dt.date(2025, 2, 1)).parameters_hash
        seasonal = session.scalar(select(WorkPermit).where(WorkPermit.number == "WP-2025-000003"))
        assert seasonal is not None and seasonal.fee_mrp == 24 and seasonal.fee_group is None
        details = list(session.scalars(select(AuditRecord.detail).where(AuditRecord.action == "labour.import")))
        assert details and all(iin(1) not in (d or "") for d in details)


def test_missing_columns_and_unreadable_files_exit_2(koshi: Engine, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "e.csv", [{"bin": bin_(1), "name": "X"}])
    code, _, err = run("employers", "import", str(f))
    assert code == 2 and "missing column(s) for employers: oked_section, region_kato" in err
    code, _, err = run("permits", "import", str(tmp_path / "nothing.csv"))
    assert code == 2 and "no such file" in err


def test_quota_distribution_from_needs_and_from_last_years_permits(koshi: Engine, tmp_path: Path) -> None:
    needs = write_csv(
        tmp_path / "needs.csv", [{"region_kato": ASTANA, "need": "2"}, {"region_kato": ALMATY, "need": "1"}]
    )
    code, out, _ = run("quota", "distribute", "--year", "2026", "--needs", str(needs), "--json")
    assert code == 0
    allocations = json.loads(out)["allocations"]
    assert sum(a["allocated"] for a in allocations if a["category"] == "category_3") == 5893
    assert {a["region_kato"]: a["allocated"] for a in allocations if a["category"] == "category_1"} == {
        ASTANA: 484,
        ALMATY: 242,
    }
    code, _, err = run("quota", "distribute", "--year", "2025", "--needs", str(needs))
    assert code == 2 and "no national quota" in err
    code, _, err = run("quota", "distribute", "--year", "2026")
    assert code == 2 and "exactly one" in err
    bad = write_csv(tmp_path / "bad.csv", [{"region_kato": "1", "need": "2"}])
    code, _, err = run("quota", "distribute", "--year", "2026", "--needs", str(bad))
    assert code == 2 and "row 1, region_kato" in err
    # from permits: 2025 permits per region
    run("employers", "import", str(write_csv(tmp_path / "e.csv", EMPLOYERS)))
    rows = [permit(1), permit(2), permit(3, bin=bin_(2, attribute=1), region_kato=ALMATY)]
    run("permits", "import", str(write_csv(tmp_path / "p.csv", rows)))
    code, out, _ = run("quota", "distribute", "--year", "2026", "--from-permits", "--json")
    assert code == 0
    cat1 = {a["region_kato"]: a["allocated"] for a in json.loads(out)["allocations"] if a["category"] == "category_1"}
    assert cat1 == {ASTANA: 484, ALMATY: 242}
    code, out, _ = run("quota", "show", "--year", "2026", "--region", ALMATY, "--json")
    usage = json.loads(out)["usage"]
    assert code == 0 and {u["region_kato"] for u in usage} == {ALMATY} and len(usage) == 5
    assert run("quota", "show", "--year", "2026")[0] == 0
    assert run("quota", "show", "--year", "2026", "--region", "1")[0] == 2
    assert count(koshi, QuotaAllocation) == 10


def test_expiry_and_akimat_binding(koshi: Engine, tmp_path: Path) -> None:
    run("employers", "import", str(write_csv(tmp_path / "e.csv", EMPLOYERS)))
    rows = [permit(1, state="issued"), permit(2, state="issued", valid_to="2026-12-31")]
    run("permits", "import", str(write_csv(tmp_path / "p.csv", rows)))
    code, out, _ = run("permits", "expire", "--on", "2026-03-01", "--json")
    assert code == 0 and json.loads(out)["expired"] == 1
    assert run("permits", "expire", "--on", "2026-03-01")[1].startswith("0 permit(s)")
    with transaction(make_sessionmaker(koshi)) as session:
        session.add(User(username="akimat-almaty", full_name="", role="akimat", password_hash="x", created_at=NOW))
        session.add(User(username="clerk", full_name="", role="officer", password_hash="x", created_at=NOW))
    code, out, _ = run("akimat", "bind", "akimat-almaty", ALMATY)
    assert code == 0 and "Almaty" in out
    assert count(koshi, AkimatRegion) == 1
    assert run("akimat", "bind", "clerk", ALMATY)[0] == 2
    assert run("akimat", "bind", "nobody", ALMATY)[0] == 2
    assert run("akimat", "bind", "akimat-almaty", "123")[0] == 2
