"""Bad input: every rejected value names its row, field and reason; good rows are still scored."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from koshi.rules.engine import InvalidProfile, public_table, score_profile, score_table
from koshi.rules.pack import InputField, PolicyPack
from koshi.rules.validation import InputTableError, RowError, profile_table, validate_table
from tests.factories import ON, pr_profile


def strings(rows: list[dict[str, object]]) -> pa.Table:
    """A table as CSV gives it: every value a string."""
    names = list(rows[0])
    return pa.table({n: pa.array([None if r[n] is None else str(r[n]) for r in rows], pa.string()) for n in names})


def test_bad_rows_are_reported_and_good_rows_scored(pr: PolicyPack) -> None:
    rows = [
        pr_profile(),
        pr_profile(birth_date="1990-02-30"),
        pr_profile(kazakh_level="Z9", experience_years="many"),
        pr_profile(settlement_region="999999999"),
        pr_profile(occupation_isco="25A2"),
        pr_profile(kaztest_reading_pct=101),
        pr_profile(health_clearance="perhaps"),
        pr_profile(family_size=2.5),
        pr_profile(proof_of_funds_kzt=None),
        pr_profile(),
    ]
    result = score_table(pr, strings(rows), ON)
    assert public_table(result).column("row").to_pylist() == [1, 10]
    got = {(e.row, e.field): e.reason for e in result.errors}
    assert got == {
        (2, "birth_date"): "is not a date in the form YYYY-MM-DD",
        (3, "kazakh_level"): "is not one of none, a1, a2, b1, b2, c1, c2",
        (3, "experience_years"): "is not a number",
        (4, "settlement_region"): got[(4, "settlement_region")],
        (5, "occupation_isco"): "does not match the pattern ^[0-9]{4}$",
        (6, "kaztest_reading_pct"): "is above the maximum 100",
        (7, "health_clearance"): "is not a boolean (use true/false, yes/no or 1/0)",
        (8, "family_size"): "is not an integer",
        (9, "proof_of_funds_kzt"): "is required",
    }
    assert got[(4, "settlement_region")].startswith("is not one of 100000000")
    assert str(result.errors[0]) == "row 2, field 'birth_date': is not a date in the form YYYY-MM-DD (got '1990-02-30')"


def test_missing_required_column_is_a_table_error(pr: PolicyPack) -> None:
    row = pr_profile()
    del row["birth_date"]
    with pytest.raises(InputTableError, match=r"missing required column.*birth_date"):
        validate_table(pr, strings([row]))


def test_single_profile_errors_name_the_field(pr: PolicyPack) -> None:
    with pytest.raises(InvalidProfile) as info:
        score_profile(pr, pr_profile(english_level="fluent"), ON)
    assert info.value.errors == [RowError(1, "english_level", "is not one of none, a1, a2, b1, b2, c1, c2", "fluent")]


def test_typed_and_text_inputs_parse_the_same(pr: PolicyPack) -> None:
    typed = validate_table(pr, profile_table(pr_profile()))
    text = validate_table(pr, strings([pr_profile()]))
    assert typed.errors == text.errors == []
    for name in typed.columns:
        assert typed.columns[name].tolist() == text.columns[name].tolist(), name


FLOAT = InputField("x", "float", "a number", role="family")
INT = InputField("x", "int", "an integer", role="family")
DATE = InputField("x", "date", "a date", role="family")
BOOL = InputField("x", "bool", "a flag", role="family")


def one_field(f: InputField) -> PolicyPack:
    from dataclasses import replace

    from koshi.rules.engine import get_pack

    return replace(get_pack("kz.permanent_residence"), fields=(f,))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_finite_float_text_round_trips(x: float) -> None:
    v = validate_table(one_field(FLOAT), pa.table({"x": pa.array([repr(x)])}))
    assert v.errors == []
    assert v.columns["x"][0] == x


@given(st.integers(-(10**15), 10**15))
def test_any_integer_text_round_trips(n: int) -> None:
    v = validate_table(one_field(INT), pa.table({"x": pa.array([str(n)])}))
    assert v.errors == [] and v.columns["x"][0] == n


@given(st.dates())
def test_any_iso_date_parses(d: object) -> None:
    v = validate_table(one_field(DATE), pa.table({"x": pa.array([str(d)])}))
    assert v.errors == [] and str(v.columns["x"][0]) == str(d)


@given(st.text(max_size=12))
def test_any_text_is_parsed_or_rejected_never_crashes(s: str) -> None:
    for f in (FLOAT, INT, DATE, BOOL):
        v = validate_table(one_field(f), pa.table({"x": pa.array([s])}))
        assert bool(v.valid[0]) == (v.errors == [])
        if v.errors:
            assert v.errors[0].row == 1 and v.errors[0].field == "x"
        elif f is FLOAT and s.strip():
            assert math.isclose(float(v.columns["x"][0]), float(s))
