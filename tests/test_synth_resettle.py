"""Synthetic resettlement (koshi.synth.resettle, koshi resettle synth): seeded, valid identifiers, realistic shapes,
and every row readable by the import."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from koshi.cli_resettle import app
from koshi.documents.iin import validate_bin, validate_iin
from koshi.reference.regions import BY_KATO, BY_SLUG
from koshi.resettle.eligibility import eligible, evaluate
from koshi.resettle.policy import policy
from koshi.store.resettle_import import applicant, family_values, preferences
from koshi.synth.resettle import COLUMNS, ORIGINS, SETTLEMENTS, SynthResettle, generate, settlement_kato, write
from koshi.tabular import read_table

runner = CliRunner()
SOUTH = {BY_SLUG[s].kato for s in ORIGINS}


@pytest.fixture(scope="module")
def data() -> SynthResettle:
    return generate(2000, 900, seed=3, year=2026)


def test_the_same_seed_gives_the_same_tables_and_another_seed_others() -> None:
    a, b = generate(60, 40, seed=7, year=2025), generate(60, 40, seed=7, year=2025)
    for name in COLUMNS:
        assert a.tables()[name].equals(b.tables()[name]), name
    c = generate(60, 40, seed=8, year=2025)
    assert not a.families.equals(c.families) and not a.vacancies.equals(c.vacancies)
    assert not a.families.equals(generate(60, 40, seed=7, year=2026).families)


def test_columns_are_exactly_those_the_import_reads(data: SynthResettle) -> None:
    assert {k: tuple(t.column_names) for k, t in data.tables().items()} == COLUMNS
    assert list(COLUMNS) == ["settlements", "housing", "vacancies", "families"]  # the import order


def test_settlements_lie_in_the_receiving_regions_with_rent_in_range(data: SynthResettle) -> None:
    p = policy(dt.date(2026, 7, 1))
    receiving = p.receiving["resettler"] | p.receiving["kandas"]
    rows = data.settlements.to_pylist()
    assert len({r["kato"] for r in rows}) == len(rows)
    for r in rows:
        assert len(r["kato"]) == 9 and r["kato"].isdigit()
        assert r["kato"][:2] + "0000000" in receiving
        assert p.rent_min_mrp <= r["rent_mrp"] <= p.rent_max_mrp
    assert {r["kato"][:2] + "0000000" for r in rows} == receiving & {BY_SLUG[s].kato for s in SETTLEMENTS}
    assert settlement_kato("550000000", 3) == "552633100"


def test_vacancies_have_valid_bins_northern_occupations_and_a_third_employer_housing(data: SynthResettle) -> None:
    vacancies = data.vacancies.to_pylist()
    housing = {h["ref"]: h for h in data.housing.to_pylist()}
    settlements = {s["kato"] for s in data.settlements.to_pylist()}
    for v in vacancies:
        assert validate_bin(v["employer_bin"]) == v["employer_bin"]
        assert 150_000 <= v["wage"] <= 450_000
        assert v["settlement_kato"] in settlements
        assert len(v["isco"]) == 4 and v["isco"][0] in "2356789"
    groups = Counter(v["isco"][:2] for v in vacancies)
    assert groups["61"] + groups["83"] > groups["22"]  # farms and drivers before doctors
    with_housing = [v for v in vacancies if v["housing_ref"]]
    assert 0.27 < len(with_housing) / len(vacancies) < 0.4
    for v in with_housing:
        h = housing[v["housing_ref"]]
        assert h["kind"] == "employer" and 2 <= h["capacity"] <= 7 and h["settlement_kato"] == v["settlement_kato"]
    assert {h["kind"] for h in housing.values()} == {"employer", "service", "rental"}
    assert len({v["ref"] for v in vacancies}) == len(vacancies)


def test_families_come_from_the_south_in_realistic_sizes(data: SynthResettle) -> None:
    rows = data.families.to_pylist()
    iins = [r["head_iin"] for r in rows]
    assert len(set(iins)) == len(iins)
    for iin in iins:
        validate_iin(iin)
    sizes = [r["size"] for r in rows]
    assert min(sizes) == 1 and max(sizes) == 9 and 3.2 < statistics.mean(sizes) < 3.8
    assert all(1 <= r["able_bodied"] <= r["size"] for r in rows)
    kandas = [r for r in rows if r["category"] == "kandas"]
    assert 0.2 < len(kandas) / len(rows) < 0.3
    abroad = [r for r in kandas if r["origin_kato"] is None]
    assert 0.3 < len(abroad) / len(kandas) < 0.5 and not any(r["citizen"] for r in abroad)
    resettlers = [r for r in rows if r["category"] == "resettler" and r["graduate_programme"] is None]
    assert {r["origin_kato"] for r in resettlers} == SOUTH
    origins = Counter(r["origin_kato"] for r in resettlers)
    assert origins.most_common(1)[0][0] == BY_SLUG["turkistan"].kato
    statuses = Counter(r["employment_status"] for r in resettlers)
    assert statuses["unemployed"] + statuses["job_seeker"] > 0.85 * len(resettlers) and statuses["employed"] > 0
    assert len({r["ref"] for r in rows}) == len(rows)
    assert all(r["head_surname"] and r["head_surname"][0].isupper() for r in rows)


def test_preferences_are_zero_to_three_receiving_regions(data: SynthResettle) -> None:
    p = policy(dt.date(2026, 7, 1))
    counts: Counter[int] = Counter()
    odd = 0
    for r in data.families.to_pylist():
        prefs = preferences(r["preferences"])
        counts[len(prefs)] += 1
        assert len(set(prefs)) == len(prefs)
        odd += any(k not in p.receiving[r["category"]] for k in prefs)
    assert set(counts) == {0, 1, 2, 3}
    assert 0 < odd < 0.05 * data.families.num_rows


def test_most_families_are_eligible_and_some_fail_a_check(data: SynthResettle) -> None:
    failed: Counter[str] = Counter()
    ok = 0
    for r in data.families.to_pylist():
        values = family_values(r)
        checks = evaluate(applicant(values), policy(values["applied_on"]))
        ok += eligible(checks)
        failed.update(c.key for c in checks if c.applies and not c.passed)
    assert 0.7 < ok / data.families.num_rows < 0.95
    assert {"job_seeker", "registration", "status", "destination"} <= set(failed)


def test_dates_stay_within_the_year_and_before_as_of() -> None:
    as_of = dt.date(2026, 5, 31)
    d = generate(200, 100, seed=1, year=2026, as_of=as_of)
    applied = d.families.column("applied_on").to_pylist()
    assert min(applied) >= dt.date(2026, 1, 10) and max(applied) <= as_of
    assert applied == sorted(applied)  # queue order: earlier application first
    assert max(d.vacancies.column("posted_on").to_pylist()) <= as_of


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_written_files_read_back_through_the_import_parser(tmp_path: Path, fmt: str) -> None:
    d = generate(80, 30, seed=5, year=2025)
    paths = write(d, tmp_path, fmt)
    assert list(paths) == list(COLUMNS)
    table = read_table(paths["families"])
    assert table.num_rows == 80
    parsed = [family_values(r) for r in table.to_pylist()]
    assert [p["head_iin"] for p in parsed] == d.families.column("head_iin").to_pylist()
    assert [p["preferences"] for p in parsed] == [preferences(v) for v in d.families.column("preferences").to_pylist()]


def test_generate_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        generate(-1, 10)


def test_the_synth_command_writes_the_four_files(tmp_path: Path) -> None:
    out = tmp_path / "rs"
    args = ["synth", "-o", str(out), "--families", "50", "--vacancies", "20", "--seed", "2", "--year", "2025"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{n}.csv" for n in sorted(COLUMNS)]
    assert read_table(out / "families.csv").num_rows == 50
    again = tmp_path / "again"
    assert runner.invoke(app, [*args[:2], str(again), *args[3:]]).exit_code == 0
    assert (again / "families.csv").read_bytes() == (out / "families.csv").read_bytes()
    bad = runner.invoke(app, ["synth", "-o", str(out), "--year", "2023"])
    assert bad.exit_code == 2 and "2024" in bad.stderr
    assert runner.invoke(app, ["synth", "-o", str(out), "--format", "xlsx"]).exit_code == 2


def test_region_prefixes_of_every_settlement_list_are_regions() -> None:
    for slug, names in SETTLEMENTS.items():
        assert BY_SLUG[slug].kato in BY_KATO and len(set(names)) == len(names)
