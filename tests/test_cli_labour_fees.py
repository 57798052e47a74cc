"""``koshi labour fees quote|simulate`` (the Typer app the labour command mounts), driven with CliRunner."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from koshi.cli_labour_fees import fees_app, shipped_reforms
from koshi.labour.fees import RateTable, parse_reform
from koshi.labour.policy import policy
from koshi.labour.simulate import simulate
from koshi.settings import settings
from koshi.store.db import make_sessionmaker, transaction
from koshi.synth.labour import generate_labour, write_labour
from koshi.tabular import read_table, write_table

runner = CliRunner()
NOW = RateTable.of(policy(dt.date(2026, 1, 1)))


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(fees_app, list(args))
    return result.exit_code, result.output


# --- quote ------------------------------------------------------------------------------------------


def test_quote_shows_the_fee_the_parameters_and_their_basis() -> None:
    code, output = run("quote", "category_3", "F", "2026-02-01", "2027-01-31")
    assert code == 0, output
    assert "968,800" in output and "224" in output and "group" in output
    assert "kz.labour.fees.sector_rates.group_c.category_3" in output and "kz.common.mrp" in output
    assert "resolution No. 819" in output


def test_quote_json_carries_everything_a_decision_needs() -> None:
    code, output = run("quote", "1", "b", "2029-01-01", "2030-12-31", "--json")
    assert code == 0, output
    q = json.loads(output)
    assert (q["category"], q["group"], q["fee_mrp"], q["band"]) == ("category_1", "b", 308.0, "2 years, group b")
    assert q["fee_tenge"] == round(308 * q["mrp_tenge"]) and q["days"] == 730
    assert q["parameters"][0]["path"] == "kz.labour.fees.sector_rates.group_b.category_1"
    assert all(p["basis"] for p in q["parameters"])
    assert q["parameters_hash"].startswith("sha256:") and q["reform"] is None


def test_quote_under_a_reform_shows_the_fee_in_force_beside_it() -> None:
    code, output = run("quote", "seasonal", "A", "2026-04-01", "2026-08-31", "--reform", "example_2027", "--json")
    assert code == 0, output
    q = json.loads(output)
    assert (q["fee_mrp"], q["in_force_fee_mrp"], q["band"]) == (30.0, 24, "up to 180 days")
    assert q["reform"].endswith("example_2027.yaml")
    code, output = run("quote", "ict", "F", "2026-04-01", "2027-03-31")
    assert code == 0 and "free: intra-corporate transfer" in output


def test_quote_uses_the_rates_and_mrp_of_its_day() -> None:
    code, output = run("quote", "seasonal", "A", "2020-04-01", "2020-05-01", "--json")
    assert code == 0
    q = json.loads(output)
    assert (q["fee_mrp"], q["mrp_tenge"], q["fee_tenge"]) == (24, 2778, 24 * 2778)


@pytest.mark.parametrize(
    "args, message",
    [
        (["category_9", "F", "2026-01-01", "2026-12-31"], "CATEGORY 'category_9' is not one of"),
        (["3", "Z", "2026-01-01", "2026-12-31"], "unknown OKED section 'Z'"),
        (["3", "F", "2026-02-30", "2026-12-31"], "FROM '2026-02-30' is not a date"),
        (["3", "F", "2026-05-02", "2026-05-01"], "the permit ends before it starts"),
        (["seasonal", "A", "2026-01-01", "2027-01-01"], "366 days is longer than the longest rate"),
        (["3", "F", "2016-05-01", "2017-04-30"], "starts on 2017-01-01"),
        (["3", "F", "2026-01-01", "2026-12-31", "--reform", "nowhere.yaml"], "--reform nowhere.yaml: no such file"),
    ],
)
def test_quote_refuses_bad_input_in_one_line(args: list[str], message: str) -> None:
    code, output = run("quote", *args)
    assert code == 2
    assert message in output and output.count("\n") == 1


# --- simulate -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("labour")
    write_labour(generate_labour(120, 2500, seed=6, year=2026, all_states=True), folder, "csv")
    return folder


def simulate_args(files: Path, *more: str) -> list[str]:
    return [
        "simulate", "--reform", "example_2027", "--permits", str(files / "permits.csv"),
        "--employers", str(files / "employers.csv"), "--year", "2026", *more,
    ]  # fmt: skip


def test_simulate_prints_sectors_regions_and_totals(files: Path) -> None:
    code, output = run(*simulate_args(files))
    assert code == 0, output
    for title in ("By sector group", "By OKED section", "By region", "total", "Astana", "Construction"):
        assert title in output
    assert "Static estimate" in output and "Example 2027" in output
    code, output = run(*simulate_args(files, "--by", "region"))
    assert code == 0 and "By region" in output and "By OKED section" not in output


def test_simulate_writes_every_line_in_the_format_asked(files: Path, tmp_path: Path) -> None:
    expected = simulate(
        read_table(files / "permits.csv"),
        NOW,
        NOW.changed(parse_reform(yaml.safe_load(reform_text()))),
        year=2026,
        employers=read_table(files / "employers.csv"),
    )
    for name in ("out.csv", "out.parquet", "out.jsonl"):
        code, output = run(*simulate_args(files, "--by", "all", "-o", str(tmp_path / name)))
        assert code == 0, output
        table = read_table(tmp_path / name)
        total = next(r for r in table.to_pylist() if r["breakdown"] == "total")
        assert int(total["tenge_before"]) == expected.total.tenge_before
        assert int(total["tenge_after"]) == expected.total.tenge_after
        assert {r["breakdown"] for r in table.to_pylist()} == {"total", "group", "section", "region", "category"}
    code, output = run(*simulate_args(files, "-o", str(tmp_path / "out.json")))
    assert code == 0
    document = json.loads((tmp_path / "out.json").read_text())
    assert document["total"]["tenge_change"] == expected.total.tenge_change
    assert document["counted"] == expected.counted and document["unpaid"] == expected.unpaid > 0
    assert set(document["breakdowns"]) == {"group", "section", "region"}
    assert document["reform_title"].startswith("Example 2027") and document["elasticity"] == 0


def test_simulate_json_and_elasticity(files: Path) -> None:
    code, output = run(*simulate_args(files, "--json", "--elasticity", "-0.5"))
    assert code == 0, output
    document = json.loads(output)
    static = json.loads(run(*simulate_args(files, "--json"))[1])
    assert document["total"]["permits_after"] < static["total"]["permits_after"] == static["total"]["permits_before"]
    code, output = run(*simulate_args(files, "--elasticity", "-0.5"))
    assert "Assumed response" in output and "permits after" in output


def test_a_json_reform_works_and_bad_reforms_fail_naming_the_key(files: Path, tmp_path: Path) -> None:
    good = tmp_path / "r.json"
    good.write_text(json.dumps({"seasonal": {"90": 15}}))
    code, output = run(*simulate_args(files, "--json")[:2], str(good), *simulate_args(files, "--json")[3:])
    assert code == 0, output
    assert json.loads(output)["total"]["tenge_change"] > 0
    cases = {
        "unknown.yaml": ("rates:\n  a: 1\n", "unknown key 'rates'"),
        "group.yaml": ("sector_rates:\n  d:\n    category_1: 1\n", "sector_rates.d:"),
        "broken.yaml": ("seasonal: [1, 2\n", "not valid YAML (line"),
        "broken.json": ('{"seasonal": ', "not valid JSON (line 1"),
        "empty.yaml": ("", "expected a mapping"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        args = simulate_args(files)
        args[2] = str(path)
        code, output = run(*args)
        assert code == 2, name
        assert message in output and output.count("\n") == 1, (name, output)


def test_bad_rows_are_listed_and_the_rest_simulated(files: Path, tmp_path: Path) -> None:
    table = read_table(files / "permits.csv")
    rows = table.to_pylist()
    rows[4]["category"] = "boss"
    rows[9]["valid_to"] = "someday"
    rows[9]["region_kato"] = "999"
    path = tmp_path / "bad.csv"
    write_table(pa.Table.from_pylist(rows, schema=table.schema), path)
    args = simulate_args(files)
    args[4] = str(path)
    result = runner.invoke(fees_app, args)
    assert result.exit_code == 2
    assert "row 5, field 'category'" in result.output
    assert "row 10, field 'region_kato'" in result.output and "row 10, field 'valid_to'" in result.output
    assert "2 row(s) rejected (3 value(s)); left out of the figures" in result.output
    assert "By region" in result.output and "2 rejected rows" in result.output


@pytest.mark.parametrize(
    "more, message",
    [
        (["--elasticity", "0.3"], "--elasticity must be zero or negative"),
        (["--by", "nationality"], "--by must be one of"),
        (["--on", "2026-02-30"], "--on '2026-02-30' is not a date"),
        (["--on", "2016-06-01"], "the fee for foreign labour starts on 2017-01-01"),
        (["-o", "out.xlsx"], "unknown table format"),
    ],
)
def test_simulate_refuses_bad_options_in_one_line(files: Path, more: list[str], message: str) -> None:
    code, output = run(*simulate_args(files, *more))
    assert code == 2
    assert message in output and output.count("\n") == 1


def test_simulate_names_a_missing_file_or_column(files: Path, tmp_path: Path) -> None:
    args = simulate_args(files)
    args[4] = str(tmp_path / "none.csv")
    code, output = run(*args)
    assert code == 2 and "no such file" in output
    lean = tmp_path / "lean.csv"
    write_table(read_table(files / "permits.csv").drop_columns(["valid_to"]), lean)
    args[4] = str(lean)
    code, output = run(*args)
    assert code == 2 and "missing column(s): valid_to" in output
    code, output = run(*[a for a in simulate_args(files) if a != "--employers" and not a.endswith("employers.csv")])
    assert code == 2 and "missing column(s): oked_section" in output


# --- the shipped example --------------------------------------------------------------------------


def reform_text() -> str:
    return resources.files("koshi.labour").joinpath("reforms", "example_2027.yaml").read_text(encoding="utf-8")


def test_the_example_reform_ships_with_the_package_and_is_valid() -> None:
    assert "example_2027" in shipped_reforms()
    text = reform_text()
    assert text.startswith("#")
    changes = parse_reform(yaml.safe_load(text))
    assert changes["seasonal"] == {90: 15, 180: 30, 270: 45, 365: 60}
    after = NOW.changed(changes)
    for group in ("b", "c"):
        for category, rate in NOW.sector[group].items():
            assert after.sector[group][category] == pytest.approx(rate * 1.2)
    assert after.sector["a"] == NOW.sector["a"]


# --- the service database (SQLite and PostgreSQL) -------------------------------------------------


def test_simulate_reads_the_year_from_the_database(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    labour_import = pytest.importorskip("koshi.store.labour_import")
    from koshi.store.labour import WorkPermit

    data = generate_labour(30, 400, seed=12, year=2026)
    now = dt.datetime.now(dt.UTC)
    sessions = make_sessionmaker(engine)
    for kind in ("employers", "permits"):
        with transaction(sessions) as session:
            report = getattr(labour_import, f"import_{kind}")(session, data.tables()[kind], now)
            assert report.errors == [], report.errors[:3]
    monkeypatch.setenv("KOSHI_DATABASE_URL", db_url)
    settings.cache_clear()
    try:
        code, output = run("simulate", "--reform", "example_2027", "--db", "--year", "2026", "--json")
    finally:
        settings.cache_clear()
    assert code == 0, output
    from_db = json.loads(output)
    write_labour(data, tmp_path, "csv")
    code, output = run(*simulate_args(tmp_path, "--json"))
    assert code == 0, output
    from_files = json.loads(output)
    assert from_db["total"] == from_files["total"] and from_db["counted"] == 400
    assert from_db["breakdowns"] == from_files["breakdowns"]
    with engine.connect() as connection:
        stored = connection.execute(select(func.sum(WorkPermit.fee_tenge))).scalar_one()
    assert from_db["total"]["tenge_before"] == stored  # the store's fee of each permit, summed


def test_permits_come_from_a_file_or_the_database_not_both(files: Path) -> None:
    code, output = run(*simulate_args(files, "--db"))
    assert code == 2 and "either as --permits FILE or with --db" in output
    code, output = run("simulate", "--reform", "example_2027", "--year", "2026")
    assert code == 2 and "either as --permits FILE or with --db" in output
