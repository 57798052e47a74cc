"""``koshi feeds import`` and ``koshi feeds batches`` on SQLite and PostgreSQL: files, slices, exit codes."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from koshi.cli import app
from koshi.settings import settings
from koshi.store import registry_import
from koshi.store.db import make_sessionmaker
from koshi.store.registry import BorderEvent, FeedBatch
from koshi.tabular import write_table
from tests.test_feeds import sample

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
    result = runner.invoke(app, ["feeds", *args])
    return result.exit_code, result.stdout, result.stderr


def events(n: int, **bad: dict[str, Any]) -> list[dict[str, Any]]:
    """``n`` border events; ``bad={"3": {...}}`` changes row 3."""
    rows = []
    for i in range(1, n + 1):
        row = sample("border_events", event_id=f"BE-{i}", occurred_at=f"2026-03-01T10:{i % 60:02d}:00+05:00")
        rows.append({**row, **bad.get(str(i), {})})
    return rows


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def stored(engine: Engine) -> tuple[int, list[str]]:
    with make_sessionmaker(engine)() as session:
        batches = int(session.execute(select(func.count()).select_from(FeedBatch)).scalar_one())
        ids = sorted(session.execute(select(BorderEvent.event_id)).scalars())
    return batches, ids


def test_a_csv_file_is_imported_once(koshi: Engine, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "events.csv", events(3))
    code, out, err = run("import", "border_events", str(file))
    assert code == 0, err
    assert "border_events: 3 rows in 1 batch(es): 3 accepted (3 new, 0 updated), 0 unchanged, 0 rejected" in out
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    with make_sessionmaker(koshi)() as session:
        batch = session.execute(select(FeedBatch)).scalar_one()
    assert (batch.batch_key, batch.source) == (digest, "file:events.csv")
    code, out, _ = run("import", "border_events", str(file))
    assert code == 0
    assert "1 batch(es) had been imported before: nothing changed for them" in out
    assert stored(koshi) == (1, ["BE-1", "BE-2", "BE-3"])


def test_rejected_rows_are_listed_and_written_with_exit_1(koshi: Engine, tmp_path: Path) -> None:
    file = write_jsonl(tmp_path / "events.jsonl", events(4, **{"2": {"direction": "in"}, "4": {"surname": ""}}))
    errors = tmp_path / "out" / "rejected.csv"
    code, out, _ = run("import", "border_events", str(file), "--errors", str(errors))
    assert code == 1
    assert "2 accepted" in out and "2 rejected" in out
    assert "is not one of entry, exit" in out
    with errors.open(encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [
            ["row", "field", "reason"],
            ["2", "direction", "is not one of entry, exit"],
            ["4", "surname", "is required"],
        ]
    code, out, _ = run("import", "border_events", str(file), "--json")
    assert code == 1
    doc = json.loads(out)
    assert (doc["total"], doc["accepted"], doc["rejected"], len(doc["batches"])) == (4, 2, 2, 1)
    assert doc["batches"][0]["replayed"] is True
    assert doc["errors"][0] == {"row": 2, "field": "direction", "reason": "is not one of entry, exit"}


def test_a_typed_parquet_file_is_imported(koshi: Engine, tmp_path: Path) -> None:
    table = pa.Table.from_pylist(events(2))
    table = table.set_column(
        table.schema.get_field_index("occurred_at"),
        "occurred_at",
        pa.array([dt.datetime(2026, 3, 1, 5, i, tzinfo=dt.UTC) for i in range(2)], pa.timestamp("us", tz="UTC")),
    )
    table = table.set_column(
        table.schema.get_field_index("birth_date"), "birth_date", pa.array([dt.date(1979, 10, 28)] * 2)
    )
    file = tmp_path / "events.parquet"
    pq.write_table(table, file)
    code, out, err = run("import", "border_events", str(file), "--json")
    assert code == 0, err
    assert json.loads(out)["inserted"] == 2


def test_a_big_file_is_imported_in_batches_and_a_rerun_finishes_a_broken_import(
    koshi: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write_csv(tmp_path / "events.csv", events(5, **{"4": {"sex": "?"}}))
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    real = registry_import.import_batch
    calls = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[3])
        if len(calls) == 2:
            raise ConnectionError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(registry_import, "import_batch", flaky)
    result = runner.invoke(app, ["feeds", "import", "border_events", str(file), "--batch-size", "2"])
    assert isinstance(result.exception, ConnectionError)
    assert stored(koshi) == (1, ["BE-1", "BE-2"])
    monkeypatch.setattr(registry_import, "import_batch", real)
    code, out, _ = run("import", "border_events", str(file), "--batch-size", "2", "--json")
    assert code == 1
    doc = json.loads(out)
    assert [(b["batch_key"], b["replayed"]) for b in doc["batches"]] == [
        (f"{digest}:1", True),
        (f"{digest}:2", False),
        (f"{digest}:3", False),
    ]
    assert doc["errors"] == [{"row": 4, "field": "sex", "reason": "is not one of M, F, X"}]  # numbered in the file
    assert stored(koshi) == (3, ["BE-1", "BE-2", "BE-3", "BE-5"])
    assert calls[:2] == [f"{digest}:1", f"{digest}:2"]


def test_an_own_batch_key_cannot_name_two_files(koshi: Engine, tmp_path: Path) -> None:
    one = write_csv(tmp_path / "one.csv", events(1))
    two = write_csv(tmp_path / "two.csv", events(2))
    assert run("import", "border_events", str(one), "--batch-key", "day-1")[0] == 0
    code, _, err = run("import", "border_events", str(two), "--batch-key", "day-1")
    assert code == 2
    assert "batch key 'day-1' was already used for a different border_events batch" in err


def test_a_file_with_only_a_header_imports_nothing(koshi: Engine, tmp_path: Path) -> None:
    file = tmp_path / "empty.csv"
    file.write_text(",".join(sample("border_events")) + "\n", encoding="utf-8")
    code, out, _ = run("import", "border_events", str(file))
    assert code == 0
    assert "0 rows in 1 batch(es)" in out


BAD_INPUT = [
    (["visas", "{csv}"], "unknown feed 'visas'"),
    (["border_events", "{dir}/missing.csv"], "no such file"),
    (["border_events", "{dir}/events.xlsx"], "unknown table format '.xlsx'"),
    (["border_events", "{nosurname}"], "missing required column(s): surname"),
    (["border_events", "{broken}"], "cannot be read as csv: CSV parse error: Expected 15 columns, got 5"),
    (["border_events", "{badjson}"], "line 2 is not valid JSON"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_exits_2_and_imports_nothing(koshi: Engine, tmp_path: Path, args: list[str], message: str) -> None:
    rows = events(2)
    paths = {
        "dir": str(tmp_path),
        "csv": str(write_csv(tmp_path / "ok.csv", rows)),
        "nosurname": str(
            write_csv(tmp_path / "nosurname.csv", [{k: v for k, v in r.items() if k != "surname"} for r in rows])
        ),
        "broken": str(tmp_path / "broken.csv"),
        "badjson": str(tmp_path / "bad.jsonl"),
    }
    (tmp_path / "events.xlsx").write_text("x", encoding="utf-8")
    header = ",".join(rows[0])
    (tmp_path / "broken.csv").write_text(f"{header}\nBE-1,P,RUS,SECRET99,x\n", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text(json.dumps(rows[0]) + "\n{oops\n", encoding="utf-8")
    code, _, err = run("import", *(a.format(**paths) for a in args))
    assert code == 2
    assert message in err
    assert "SECRET99" not in err  # a broken row's text is never echoed
    assert stored(koshi) == (0, [])


def test_an_unmigrated_database_is_refused(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOSHI_DATABASE_URL", db_url)
    settings.cache_clear()
    try:
        code, _, err = run("import", "border_events", str(write_csv(tmp_path / "e.csv", events(1))))
    finally:
        settings.cache_clear()
    assert code == 2
    assert "run `koshi db upgrade` first" in err


def test_batches_are_listed(koshi: Engine, tmp_path: Path) -> None:
    run("import", "border_events", str(write_csv(tmp_path / "e.csv", events(2, **{"1": {"sex": "?"}}))))
    write_table(pa.Table.from_pylist([sample("permits")]), tmp_path / "p.jsonl")
    run("import", "permits", str(tmp_path / "p.jsonl"), "--batch-key", "permits-day-1")
    code, out, _ = run("batches")
    assert code == 0
    assert "permits-day-1" in out and "file:e.csv" in out
    code, out, _ = run("batches", "--kind", "permits", "--json")
    doc = json.loads(out)
    assert doc["total"] == 1
    assert [(b["kind"], b["batch_key"], b["accepted"]) for b in doc["batches"]] == [("permits", "permits-day-1", 1)]
    assert run("batches", "--kind", "visas")[0] == 2
