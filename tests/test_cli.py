"""The ``koshi`` CLI: policy list/show/schema, score with errors, explanations and outputs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from koshi.cli import app
from koshi.tabular import read_table, write_table
from tests.factories import pr_profile

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_policy_list_json_names_every_pack() -> None:
    code, out, _ = run("policy", "list", "--json")
    assert code == 0
    ids = {p["id"] for p in json.loads(out)}
    assert {"kz.permanent_residence", "kz.kandas_status"} <= ids


def test_policy_show_lists_values_with_dates_and_sources() -> None:
    code, out, _ = run("policy", "show", "kz.permanent_residence", "--on", "2026-03-01", "--json")
    assert code == 0
    doc = json.loads(out)
    by_path = {p["path"]: p for p in doc["parameters"]}
    assert by_path["kz.permanent_residence.pass_mark"]["value"] == 400
    assert by_path["kz.permanent_residence.pass_mark"]["provenance"] == "official"
    assert by_path["kz.permanent_residence.points.kazakh.b1"]["provenance"] == "designed"
    assert by_path["kz.common.mrp"]["value"] == 4325
    assert by_path["kz.common.mrp"]["since"] == "2026-01-01"
    assert all(p["references"] for p in doc["parameters"])
    assert doc["parameters_hash"].startswith("sha256:")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("policy", "show", "kz.nope"), "unknown policy pack 'kz.nope'"),
        (("policy", "show", "kz.kandas_status", "--on", "2026-02-30"), "is not a date in the form YYYY-MM-DD"),
        (("policy", "show", "kz.permanent_residence", "--on", "2026-01-01"), "is not in force on 2026-01-01"),
        (("policy", "schema", "xx"), "unknown policy pack 'xx'"),
        (("score", "kz.permanent_residence", "missing.csv", "--on", "2026-03-01"), "no such file"),
        (("score", "kz.permanent_residence", "profiles.xlsx", "--on", "2026-03-01"), "unknown table format"),
    ],
)
def test_bad_arguments_give_one_line_errors_and_exit_2(args: tuple[str, ...], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_policy_schema_is_json_schema_of_inputs() -> None:
    code, out, _ = run("policy", "schema", "kz.permanent_residence")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["properties"]["kazakh_level"]["enum"] == ["none", "a1", "a2", "b1", "b2", "c1", "c2"]
    assert "birth_date" in schema["required"]
    assert schema["properties"]["birth_date"]["format"] == "date"


def write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_score_csv_reports_bad_rows_scores_the_rest_and_exits_2(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    write_csv(src, [pr_profile(id="A"), pr_profile(id="B", kazakh_level="Q"), pr_profile(id="C")])
    out = tmp_path / "out.csv"
    code, _, err = run("score", "kz.permanent_residence", str(src), "--on", "2026-03-01", "-o", str(out))
    assert code == 2
    assert "row 2, field 'kazakh_level': is not one of" in err
    scored = read_table(out).to_pylist()
    assert [r["id"] for r in scored] == ["A", "C"]
    assert [r["row"] for r in scored] == ["1", "3"]
    assert scored[0]["total"] == "630" and scored[0]["decision"] == "eligible"
    assert "age_points" in scored[0] and "ko_kaztest" in scored[0]


@pytest.mark.parametrize("ext", [".csv", ".jsonl", ".parquet"])
def test_score_reads_and_writes_every_format(tmp_path: Path, ext: str) -> None:
    src = tmp_path / f"in{ext}"
    table = pa.Table.from_pylist([pr_profile(id=str(i), experience_years=i) for i in range(5)])
    write_table(table, src)
    out = tmp_path / f"out{ext}"
    code, _, err = run("score", "kz.permanent_residence", str(src), "--on", "2026-03-01", "-o", str(out))
    assert code == 0, err
    result = read_table(out)
    assert result.num_rows == 5
    assert [str(x) for x in result.column("experience_points").to_pylist()] in (
        [str(v) for v in (0.0, 20.0, 35.0, 50.0, 50.0)],
        ["0", "20", "35", "50", "50"],
    )


def test_score_explain_json_and_jsonl_output(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([pr_profile()]), src)
    code, out, _ = run("score", "kz.permanent_residence", str(src), "--on", "2026-03-01", "--explain", "--json")
    assert code == 0
    ex = json.loads(out.strip().splitlines()[0])
    assert ex["total"] == 630 and ex["pack"] == "kz.permanent_residence"
    assert {c["key"] for c in ex["criteria"]} >= {"age", "kazakh", "settlement"}
    target = tmp_path / "explanations.jsonl"
    code, _, _ = run("score", "kz.permanent_residence", str(src), "--on", "2026-03-01", "--explain", "-o", str(target))
    assert code == 0
    assert json.loads(target.read_text().splitlines()[0])["parameters_hash"] == ex["parameters_hash"]


def test_score_explain_table_is_readable(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(pr_profile()) + "\n")
    code, out, _ = run("score", "kz.permanent_residence", str(src), "--on", "2026-03-01", "--explain")
    assert code == 0
    assert "Points by criterion" in out and "decision: eligible" in out and "Kazakh language" in out


def test_summary_counts_decisions(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    rows = [pr_profile(), pr_profile(criminal_record=True), pr_profile(health_clearance=False)]
    pq.write_table(pa.Table.from_pylist(rows), src)
    code, out, _ = run("score", "kz.permanent_residence", str(src), "--on", "2026-03-01", "--json")
    assert code == 0
    lines = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["decision"] for r in lines] == ["eligible", "refused", "manual_review"]


def test_bad_json_line_is_named(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(pr_profile()) + "\n{not json\n")
    code, _, err = run("score", "kz.permanent_residence", str(src), "--on", "2026-03-01")
    assert code == 2
    assert "line 2 is not valid JSON" in err


def test_missing_column_is_named(tmp_path: Path) -> None:
    row = pr_profile()
    del row["kazakh_level"]
    src = tmp_path / "in.csv"
    write_csv(src, [row])
    code, _, err = run("score", "kz.permanent_residence", str(src), "--on", "2026-03-01")
    assert code == 2
    assert "missing required column(s): kazakh_level" in err


def test_errors_print_paths_literally(tmp_path: Path) -> None:
    """A path with [brackets] is named as it is, not read as console markup (koshi.cli_io.fail)."""
    missing = tmp_path / "feeds[bold].csv"
    result = CliRunner().invoke(app, ["stay", "check", str(missing), "--on", "2026-03-01"])
    assert result.exit_code == 2
    assert "feeds[bold].csv: no such file" in result.stderr
