"""Synthetic applicants: seeded, scorable by both Kazakhstan packs, and plausible."""

from __future__ import annotations

import collections
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshi.rules._dates import age_in_years
from koshi.rules.engine import public_table, score_table
from koshi.rules.pack import DECISIONS, PolicyPack
from koshi.synth.applicants import IN_DEMAND, generate_applicants
from koshi.tabular import read_table, write_table
from tests.factories import ON

N = 5000


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return generate_applicants(N, 11)


def col(table: pa.Table, name: str) -> npt.NDArray[np.generic]:
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False))


def ages(table: pa.Table) -> npt.NDArray[np.int64]:
    return age_in_years(col(table, "birth_date").astype("datetime64[D]"), ON)


def decision_shares(pack: PolicyPack, table: pa.Table) -> dict[str, float]:
    result = score_table(pack, table, ON)
    assert result.errors == []
    assert result.table.num_rows == table.num_rows
    counts = collections.Counter(public_table(result).column("decision").to_pylist())
    return {d: counts[d] / table.num_rows for d in DECISIONS}


def test_same_seed_gives_the_same_table() -> None:
    assert generate_applicants(800, 3).equals(generate_applicants(800, 3))


def test_another_seed_gives_another_table() -> None:
    a, b = generate_applicants(800, 3), generate_applicants(800, 4)
    assert not a.equals(b)
    assert a.column("id").equals(b.column("id"))  # ids are row numbers, the people differ
    for name in ("birth_date", "citizenship", "proof_of_funds_kzt", "kaztest_reading_pct"):
        assert not a.column(name).equals(b.column(name)), name


@pytest.mark.parametrize("pack_fixture", ["pr", "kandas"])
def test_both_packs_score_every_row_with_all_three_decisions(
    request: pytest.FixtureRequest, table: pa.Table, pack_fixture: str
) -> None:
    shares = decision_shares(request.getfixturevalue(pack_fixture), table)
    assert all(share >= 0.05 for share in shares.values()), shares


def test_csv_round_trip_validates_as_strings(pr: PolicyPack, kandas: PolicyPack, tmp_path: Path) -> None:
    path = tmp_path / "applicants.csv"
    write_table(generate_applicants(300, 5), path)
    text = read_table(path)
    assert all(pa.types.is_string(t) for t in text.schema.types)
    for pack in (pr, kandas):
        assert score_table(pack, text, ON).errors == []


def test_ids_are_unique_and_zero_padded(table: pa.Table) -> None:
    ids = table.column("id")
    assert pc.count_distinct(ids).as_py() == N
    assert pc.all(pc.match_substring_regex(ids, r"^A[0-9]{7}$")).as_py()
    assert ids[0].as_py() == "A0000001"


def test_minors_are_present_but_rare(table: pa.Table) -> None:
    age = ages(table)
    minors = (age < 18).mean()
    assert 0 < minors < 0.01
    assert age.min() >= 16
    assert np.median(age) < 40


def test_experience_fits_the_age(table: pa.Table) -> None:
    experience = col(table, "experience_years")
    assert (experience >= 0).all()
    assert (experience <= ages(table) - 16).all()
    assert (experience > 10).mean() > 0.2  # a real spread, not all zero


def test_working_age_members_are_other_members_of_the_family(table: pa.Table) -> None:
    size = col(table, "family_size")
    working = col(table, "working_age_members")
    assert ((size >= 1) & (size <= 30)).all()
    assert ((working >= 0) & (working <= size - 1)).all()
    assert (size <= 6).mean() > 0.9


def test_in_demand_share_of_working_applicants(table: pa.Table) -> None:
    working = col(table, "experience_years") > 0
    listed = np.isin(col(table, "occupation_isco").astype(str), IN_DEMAND)
    assert 0.35 <= listed[working].mean() <= 0.45


def test_kaztest_follows_kazakh_and_some_fail(table: pa.Table) -> None:
    level = col(table, "kazakh_level").astype(str)
    listening = col(table, "kaztest_listening_pct").astype(float)
    reading = col(table, "kaztest_reading_pct").astype(float)
    assert np.allclose(listening * 10, np.round(listening * 10))
    assert 0.05 < ((listening < 30) | (reading < 30)).mean() < 0.4
    weak = np.isin(level, ["none", "a1"])
    strong = np.isin(level, ["c1", "c2"])
    assert reading[strong].mean() > reading[weak].mean() + 25
    assert np.corrcoef(listening, reading)[0, 1] > 0.7


def test_ethnic_kazakhs_come_from_the_diaspora(table: pa.Table) -> None:
    ethnic = col(table, "ethnic_kazakh").astype(bool)
    origin = col(table, "citizenship").astype(str)
    diaspora = np.isin(origin, ["CHN", "MNG"])
    assert ethnic[diaspora].mean() > 0.7
    assert ethnic[origin == "RUS"].mean() < 0.25
    # Kazakhs of China and Mongolia: strong Kazakh, weak Russian
    kazakh = col(table, "kazakh_level").astype(str)
    russian = col(table, "russian_level").astype(str)
    east = ethnic & diaspora
    assert np.isin(kazakh[east], ["b2", "c1", "c2"]).mean() > 0.8
    assert np.isin(russian[east], ["none", "a1", "a2"]).mean() > 0.7
    assert (russian[origin == "RUS"] == "c2").mean() > 0.7


def test_rare_flags_and_support_contract(table: pa.Table) -> None:
    assert 0.01 < col(table, "criminal_record").astype(bool).mean() < 0.03
    assert 0.004 < col(table, "prior_deportation").astype(bool).mean() < 0.02
    assert 0.005 < col(table, "former_kz_citizen").astype(bool).mean() < 0.06
    support = col(table, "support_requested").astype(bool)
    signed = col(table, "social_contract_signed").astype(bool)
    assert signed[support].mean() > 0.5 > signed[~support].mean()


def test_empty_and_negative_sizes() -> None:
    empty = generate_applicants(0, 1)
    assert empty.num_rows == 0
    assert empty.schema.equals(generate_applicants(3, 1).schema)
    with pytest.raises(ValueError, match="non-negative"):
        generate_applicants(-1, 1)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 50), seed=st.integers(0, 2**32 - 1))
def test_any_size_and_seed_validates_for_both_packs(pr: PolicyPack, kandas: PolicyPack, n: int, seed: int) -> None:
    t = generate_applicants(n, seed)
    assert t.num_rows == n
    for pack in (pr, kandas):
        result = score_table(pack, t, ON)
        assert result.errors == []
        assert result.table.num_rows == n
