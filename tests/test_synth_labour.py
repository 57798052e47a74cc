"""Synthetic foreign labour (koshi.synth.labour, koshi synth labour): seeded, valid identifiers, calibrated."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

from koshi.cli_synth_labour import labour
from koshi.documents.iin import check_digit, decode_bin, validate_bin, validate_iin
from koshi.labour.policy import SECTIONS
from koshi.reference.regions import REGIONS
from koshi.synth.labour import CATEGORY_MIX, COLUMNS, SynthLabour, generate_labour, write_labour
from koshi.tabular import read_table

D = dt.date


@pytest.fixture(scope="module")
def data() -> SynthLabour:
    return generate_labour(400, 14_105, seed=3, year=2026)


def test_the_same_seed_gives_the_same_tables_and_another_seed_others() -> None:
    a, b = generate_labour(60, 900, seed=7), generate_labour(60, 900, seed=7)
    for name in COLUMNS:
        assert a.tables()[name].equals(b.tables()[name]), name
    c = generate_labour(60, 900, seed=8)
    assert not a.permits.equals(c.permits) and not a.employers.equals(c.employers)


def test_columns_are_exactly_those_the_store_imports(data: SynthLabour) -> None:
    assert {name: tuple(t.column_names) for name, t in data.tables().items()} == {
        "employers": ("bin", "name", "oked_section", "region_kato"),
        "staff": ("bin", "as_of", "citizens_1_2", "foreigners_1_2", "citizens_3_4", "foreigners_3_4", "ict"),
        "vacancies": ("bin", "isco", "region_kato", "title", "wage", "posted_on"),
        "permits": (
            "number", "bin", "worker_iin", "worker_surname", "worker_given_names", "worker_nationality", "category",
            "isco", "region_kato", "valid_from", "valid_to", "applied_on", "state",
        ),
        "quota_needs": ("region_kato", "need"),
    }  # fmt: skip
    assert data.tables().keys() == COLUMNS.keys()


def test_bins_are_valid_unique_and_some_are_branches(data: SynthLabour) -> None:
    bins = data.employers.column("bin").to_pylist()
    assert len(set(bins)) == len(bins)
    attributes = Counter()
    for b in bins:
        validate_bin(b)
        assert check_digit(b[:11]) == int(b[11])
        decoded = decode_bin(b)
        attributes[decoded.attribute] += 1
        if decoded.entity_type == "non_resident":
            assert decoded.attribute in {"branch", "representative_office"}
    assert attributes["head_office"] > 0.7 * len(bins)
    assert attributes["branch"] > 0 and attributes["representative_office"] > 0
    assert set(data.permits.column("bin").to_pylist()) <= set(bins)
    assert set(data.staff.column("bin").to_pylist()) == set(bins)


def test_the_category_mix_is_that_of_december_2025(data: SynthLabour) -> None:
    counts = Counter(data.permits.column("category").to_pylist())
    assert sum(counts.values()) == 14_105 == sum(CATEGORY_MIX.values())  # the source's total says 14 103
    assert dict(counts) == CATEGORY_MIX  # the calibration's own total: exactly the stock
    scaled = Counter(generate_labour(50, 1000, seed=1).permits.column("category").to_pylist())
    for category, n in CATEGORY_MIX.items():
        assert abs(scaled[category] / 1000 - n / 14_105) < 0.001, category


def test_sectors_follow_the_domain_notes(data: SynthLabour) -> None:
    section_of = dict(zip(data.employers["bin"].to_pylist(), data.employers["oked_section"].to_pylist(), strict=True))
    sections = Counter(section_of[b] for b in data.permits.column("bin").to_pylist())
    top = [s for s, _ in sections.most_common(4)]
    assert top == ["F", "A", "B", "C"]
    assert 0.30 < sections["F"] / data.permits.num_rows < 0.40  # construction ~4.9 k of 14.1 k
    assert set(section_of.values()) <= set(SECTIONS)


def test_workers_have_valid_iins_names_and_no_eaeu_nationality(data: SynthLabour) -> None:
    iins = data.permits.column("worker_iin").to_pylist()
    present = [i for i in iins if i is not None]
    assert 0.005 < 1 - len(present) / len(iins) < 0.03
    for iin in present:
        validate_iin(iin)
    assert len(set(present)) == len(present)
    assert data.permits.column("worker_surname").null_count == 0
    nationality = Counter(data.permits.column("worker_nationality").to_pylist())
    assert not nationality.keys() & {"RUS", "BLR", "ARM", "KGZ"}
    assert nationality.most_common(2)[0][0] == "CHN" and 0.33 < nationality["CHN"] / len(iins) < 0.45


def test_terms_and_dates_are_consistent(data: SynthLabour) -> None:
    for r in data.permits.to_pylist():
        assert r["valid_from"].year == 2026
        assert r["applied_on"] < r["valid_from"] <= r["valid_to"]
        days = (r["valid_to"] - r["valid_from"]).days + 1
        if r["category"] == "seasonal":
            assert 30 <= days <= 365
        elif r["category"] in {"category_2", "category_3", "category_4"}:
            assert 180 <= days <= 366
        else:
            assert days <= 3 * 366
        assert len(r["isco"]) == 4 and r["isco"].isdigit()
    numbers = data.permits.column("number").to_pylist()
    assert numbers[0] == "WP-2026-000001" and len(set(numbers)) == len(numbers)
    assert data.permits.column("applied_on").to_pylist() == sorted(data.permits.column("applied_on").to_pylist())


def test_states_are_issued_or_expired_unless_all_are_asked_for(data: SynthLabour) -> None:
    end = D(2026, 12, 31)
    for r in data.permits.to_pylist():
        assert r["state"] == ("expired" if r["valid_to"] < end else "issued")
    every = generate_labour(100, 4000, seed=3, all_states=True)
    states = Counter(every.permits.column("state").to_pylist())
    assert states["issued"] + states["expired"] > 0.9 * every.permits.num_rows
    assert states["refused"] and states["withdrawn"] and states["revoked"] and states["checks_failed"]
    same_dates = every.permits.select(["valid_from", "valid_to"]).equals(
        generate_labour(100, 4000, seed=3).permits.select(["valid_from", "valid_to"])
    )
    assert same_dates  # the states' draws do not shift the other columns


def test_a_day_before_the_year_end_leaves_later_applications_out() -> None:
    on = D(2026, 6, 30)
    early = generate_labour(80, 2000, seed=2, as_of=on)
    assert early.permits.num_rows < 2000
    assert max(early.permits.column("applied_on").to_pylist()) <= on
    assert max(early.vacancies.column("posted_on").to_pylist()) <= on
    for r in early.permits.to_pylist():
        assert r["state"] == ("expired" if r["valid_to"] < on else "issued")


def test_staff_mostly_meet_the_local_content_shares(data: SynthLabour) -> None:
    fails = employers_with_foreigners = 0
    for s in data.staff.to_pylist():
        f12, f34 = s["foreigners_1_2"], s["foreigners_3_4"]
        if f12 + f34 == 0:
            continue
        employers_with_foreigners += 1
        total = s["citizens_1_2"] + f12 + s["citizens_3_4"] + f34
        ok12 = f12 == 0 or s["citizens_1_2"] / (s["citizens_1_2"] + f12 + 1) >= 0.7
        ok34 = f34 == 0 or s["citizens_3_4"] / (s["citizens_3_4"] + f34 + 1) >= 0.9
        if not (ok12 and ok34) and total > 10:
            fails += 1
    assert employers_with_foreigners > 100
    assert 0 < fails < 0.1 * employers_with_foreigners
    assert {s["as_of"] for s in data.staff.to_pylist()} == {D(2026, 1, 1)}


def test_vacancies_are_posted_before_the_applications_some_too_late(data: SynthLabour) -> None:
    first: dict[tuple[str, str, str], dt.date] = {}
    for r in data.permits.to_pylist():
        if r["category"] != "ict":
            key = (r["bin"], r["isco"], r["region_kato"])
            first[key] = min(first.get(key, r["applied_on"]), r["applied_on"])
    short = 0
    for v in data.vacancies.to_pylist():
        gap = (first[(v["bin"], v["isco"], v["region_kato"])] - v["posted_on"]).days
        assert 1 <= gap <= 60
        short += gap < 15
        assert v["wage"] >= 85_000 and v["title"]
    assert 0.9 * len(first) < data.vacancies.num_rows <= len(first)
    assert 0.01 < short / data.vacancies.num_rows < 0.08


def test_quota_needs_cover_every_region(data: SynthLabour) -> None:
    needs = dict(zip(data.quota_needs["region_kato"].to_pylist(), data.quota_needs["need"].to_pylist(), strict=True))
    assert set(needs) == {r.kato for r in REGIONS}
    in_quota = sum(1 for c in data.permits.column("category").to_pylist() if c != "ict")
    assert in_quota * 1.05 - 20 <= sum(needs.values()) <= in_quota * 1.4 + 20


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_files_read_back_with_their_columns(tmp_path: Path, fmt: str) -> None:
    data = generate_labour(20, 300, seed=1)
    paths = write_labour(data, tmp_path, fmt)
    assert paths["quota_needs"].name == "quota_needs.csv" and paths["permits"].name == f"permits.{fmt}"
    for name, path in paths.items():
        back = read_table(path)
        assert tuple(back.column_names) == COLUMNS[name]
        assert back.num_rows == data.tables()[name].num_rows
    bins = read_table(paths["employers"]).column("bin").to_pylist()
    assert bins == data.employers.column("bin").to_pylist()  # leading zeros kept


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        generate_labour(0, 10)
    with pytest.raises(ValueError, match="between 2017"):
        generate_labour(10, 10, year=2016)
    with pytest.raises(ValueError, match="unknown format"):
        write_labour(generate_labour(2, 5), Path("/nonexistent"), "xlsx")


# --- the command ------------------------------------------------------------------------------------

app = typer.Typer()
app.command()(labour)


def test_the_command_writes_the_files_and_a_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["-o", str(tmp_path), "--employers", "30", "--permits", "500", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "permits.csv" in result.output and "500" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "employers.csv", "permits.csv", "quota_needs.csv", "staff.csv", "vacancies.csv",
    ]  # fmt: skip
    again = CliRunner().invoke(
        app, ["-o", str(tmp_path / "p"), "--employers", "30", "--permits", "500", "--seed", "4", "--format", "parquet"]
    )
    assert again.exit_code == 0
    assert read_table(tmp_path / "p" / "permits.parquet").equals(generate_labour(30, 500, 4).permits)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--permits", "0"], "--permits must be at least 1"),
        (["--employers", "0"], "--employers must be at least 1"),
        (["--year", "2016"], "--year must be between 2017"),
        (["--format", "xlsx"], "--format must be one of csv, parquet"),
        (["--seed", "-1"], "--seed must be a non-negative"),
        (["--as-of", "2026-13-01"], "--as-of '2026-13-01' is not a date"),
    ],
)
def test_the_command_refuses_bad_options_in_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["-o", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output and result.output.count("\n") == 1
    assert not any(tmp_path.iterdir())


def test_the_command_refuses_a_file_as_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_text("")
    result = CliRunner().invoke(app, ["-o", str(target)])
    assert result.exit_code == 2 and "is not a directory" in result.output


def test_parquet_dates_are_typed(tmp_path: Path) -> None:
    write_labour(generate_labour(5, 50, 1), tmp_path, "parquet")
    t = read_table(tmp_path / "permits.parquet")
    assert t.schema.field("valid_from").type == pa.date32()
