"""IIN and BIN: structure, check digit, decoding, and error messages that never repeat the number."""

from __future__ import annotations

import dataclasses
import datetime
import logging

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from koshi.documents import (
    Bin,
    Iin,
    InvalidBin,
    InvalidIin,
    check_digit,
    decode_bin,
    identifier_kind,
    is_valid_iin,
    mask,
    validate_bin,
    validate_iin,
)

KNOWN_VALID = [
    ("791028302728", datetime.date(1979, 10, 28), "M"),
    ("061211600012", datetime.date(2006, 12, 11), "F"),
]

_CENTURY_DIGITS = {1800: ("1", "2"), 1900: ("3", "4"), 2000: ("5", "6")}


def with_check_digit(first11: str) -> str | None:
    """The full 12-digit number, or None when no check digit exists."""
    c = check_digit(first11)
    return None if c is None else first11 + str(c)


def first_pass_is_10(first11: str) -> bool:
    """True when the second pass of weights decides the check digit."""
    return sum(int(d) * w for d, w in zip(first11, range(1, 12), strict=True)) % 11 == 10


def iin_prefix(birth: datetime.date, female: bool, serial: int) -> str:
    return birth.strftime("%y%m%d") + _CENTURY_DIGITS[birth.year // 100 * 100][female] + f"{serial:04d}"


@st.composite
def valid_iins(draw: st.DrawFn) -> str:
    """Random IINs with a real birth date, a valid century digit and a correct check digit."""
    birth = draw(st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2099, 12, 31)))
    prefix = iin_prefix(birth, draw(st.booleans()), draw(st.integers(0, 9999)))
    number = with_check_digit(prefix)
    assume(number is not None)
    assert number is not None
    return number


def find_never_issued(make_prefix: str) -> str:
    """An 11-digit prefix ``make_prefix`` + serial for which both passes give 10."""
    width = 11 - len(make_prefix)
    for serial in range(10**width):
        prefix = make_prefix + f"{serial:0{width}d}"
        if check_digit(prefix) is None:
            return prefix
    raise AssertionError("no never-issued prefix found")  # pragma: no cover


# -- known numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "birth", "sex"), KNOWN_VALID)
def test_known_valid_iins(value: str, birth: datetime.date, sex: str) -> None:
    iin = validate_iin(value)
    assert (iin.value, iin.birth_date, iin.sex) == (value, birth, sex)
    assert is_valid_iin(value)


# -- check digit properties ---------------------------------------------------------------------


@given(valid_iins())
def test_generated_iins_are_accepted(value: str) -> None:
    iin = validate_iin(value)
    assert iin.value == value
    assert iin.birth_date.strftime("%y%m%d") == value[:6]
    assert iin.sex == ("M" if int(value[6]) % 2 else "F")


@given(valid_iins(), st.integers(0, 11), st.integers(1, 9))
def test_single_digit_changes(value: str, position: int, shift: int) -> None:
    """A changed digit is caught, except where the mod-11 scheme is blind.

    Weight 11 is 0 mod 11, so in the first pass the 11th digit does not count:
    changing it leaves the number valid. A change can also move the number to
    the other pass, where the check digit may match by chance (about 1.7% of
    changes to digits 1-10, measured on random IINs). Nothing else slips through.
    """
    digit = (int(value[position]) + shift) % 10
    changed = value[:position] + str(digit) + value[position + 1 :]
    if position == 11:
        assert not is_valid_iin(changed)
        return
    blind_spot = position == 10 and not first_pass_is_10(value[:11])
    switched_pass = first_pass_is_10(value[:11]) != first_pass_is_10(changed[:11])
    if blind_spot:
        assert check_digit(changed[:11]) == int(value[11])
    elif not switched_pass:
        assert not is_valid_iin(changed)


def test_the_11th_digit_blind_spot_is_real() -> None:
    value = "791028302728"
    assert not first_pass_is_10(value[:11])
    others = [value[:10] + d + value[11] for d in "0123456789" if d != value[10]]
    assert all(is_valid_iin(v) for v in others)


def test_never_issued_when_both_passes_give_10() -> None:
    prefix = find_never_issued("9001013")
    assert first_pass_is_10(prefix)
    for last in "0123456789":
        with pytest.raises(InvalidIin, match="never issued") as exc:
            validate_iin(prefix + last)
        assert exc.value.problem == "never_issued"


def test_check_digit_rejects_bad_input_without_repeating_it() -> None:
    for bad in ("7910283027", "791028302728", "7910283027a", "７９１０２８３０２７２"):
        with pytest.raises(ValueError, match="exactly 11 digits") as exc:
            check_digit(bad)
        assert bad not in str(exc.value)


# -- structure ----------------------------------------------------------------------------------


def test_wrong_check_digit() -> None:
    with pytest.raises(InvalidIin, match="check digit") as exc:
        validate_iin("791028302729")
    assert exc.value.problem == "check_digit"


@pytest.mark.parametrize("century_digit", ["0", "7", "8", "9"])
def test_bad_century_digit(century_digit: str) -> None:
    number = with_check_digit("791028" + century_digit + "0272")
    assert number is not None
    with pytest.raises(InvalidIin, match="7th digit") as exc:
        validate_iin(number)
    assert exc.value.problem == "century"


@pytest.mark.parametrize("yymmdd", ["791328", "790000", "790230", "790431", "000229"])
def test_bad_birth_date(yymmdd: str) -> None:
    """Month 13, month 0, 30 Feb, 31 Apr, and 29 Feb 1900 (not a leap year) with a correct check digit."""
    number = with_check_digit(yymmdd + "3" + "0272") or with_check_digit(yymmdd + "3" + "0273")
    assert number is not None
    with pytest.raises(InvalidIin, match="not a real date") as exc:
        validate_iin(number)
    assert exc.value.problem == "birth_date"


def test_century_digit_sets_the_century() -> None:
    """29 Feb 00 exists in 2000 but not in 1900."""
    number = with_check_digit("000229" + "5" + "0272") or with_check_digit("000229" + "5" + "0273")
    assert number is not None
    assert validate_iin(number).birth_date == datetime.date(2000, 2, 29)


@pytest.mark.parametrize("value", ["", "79102830272", "7910283027280", "7910 28302728", "79102830272a", "٧٩١٠٢٨٣٠٢٧٢٨"])
def test_not_12_ascii_digits(value: str) -> None:
    with pytest.raises(InvalidIin, match="exactly 12 digits") as exc:
        validate_iin(value)
    assert exc.value.problem == "format"
    assert not is_valid_iin(value)


@given(st.text(alphabet="0123456789", min_size=6, max_size=14))
def test_error_messages_never_contain_the_number(value: str) -> None:
    for validate, error in ((validate_iin, InvalidIin), (validate_bin, InvalidBin)):
        try:
            validate(value)
        except error as exc:
            assert value not in str(exc)
            assert value not in repr(exc)


# -- the Iin object does not leak ---------------------------------------------------------------


def test_iin_repr_and_str_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    iin = validate_iin("791028302728")
    assert repr(iin) == "Iin(**********28)"
    assert str(iin) == f"{iin}" == "**********28"
    with caplog.at_level(logging.INFO):
        logging.getLogger("koshi.test").info("checked %s %r %s", iin, iin, [iin])
    assert "791028302728" not in caplog.text
    assert iin.value == "791028302728"


def test_iin_is_immutable() -> None:
    iin = validate_iin("791028302728")
    with pytest.raises(dataclasses.FrozenInstanceError):
        iin.value = "061211600012"  # type: ignore[misc]
    assert iin == Iin("791028302728", datetime.date(1979, 10, 28), "M")


@pytest.mark.parametrize(
    ("value", "masked"), [("791028302728", "**********28"), ("N12345678", "*******78"), ("abcd", "****"), ("", "")]
)
def test_mask(value: str, masked: str) -> None:
    assert mask(value) == masked


# -- BIN ----------------------------------------------------------------------------------------


@st.composite
def valid_bins(draw: st.DrawFn) -> str:
    yymm = f"{draw(st.integers(0, 99)):02d}{draw(st.integers(1, 12)):02d}"
    prefix = yymm + draw(st.sampled_from("456")) + draw(st.sampled_from("0123")) + f"{draw(st.integers(0, 99999)):05d}"
    number = with_check_digit(prefix)
    assume(number is not None)
    assert number is not None
    return number


@given(valid_bins())
def test_generated_bins_are_accepted(value: str) -> None:
    assert validate_bin(value) == value


@given(valid_bins(), st.integers(1, 9))
def test_bin_with_wrong_check_digit(value: str, shift: int) -> None:
    changed = value[:11] + str((int(value[11]) + shift) % 10)
    with pytest.raises(InvalidBin, match="check digit"):
        validate_bin(changed)


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [("97123000131", "entity_type"), ("97127000131", "entity_type"), ("97124400131", "attribute")],
)
def test_bin_type_and_attribute(prefix: str, problem: str) -> None:
    number = with_check_digit(prefix) or with_check_digit(prefix[:10] + "2")
    assert number is not None
    with pytest.raises(InvalidBin) as exc:
        validate_bin(number)
    assert exc.value.problem == problem


def test_bin_never_issued_and_format() -> None:
    prefix = find_never_issued("971240")
    with pytest.raises(InvalidBin, match="never issued"):
        validate_bin(prefix + "0")
    with pytest.raises(InvalidBin, match="exactly 12 digits"):
        validate_bin("97124000131")


# -- decoding -----------------------------------------------------------------------------------

ENTITY_TYPES = {"4": "resident", "5": "non_resident", "6": "joint_entrepreneur"}
ATTRIBUTES = {"0": "head_office", "1": "branch", "2": "representative_office", "3": "peasant_farm"}


@pytest.mark.parametrize(("value", "century"), [("791028302728", 1900), ("061211600012", 2000)])
def test_iin_century(value: str, century: int) -> None:
    assert validate_iin(value).century == century


@given(valid_iins())
def test_century_is_the_7th_digit(value: str) -> None:
    assert validate_iin(value).century == {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}[value[6]]


def test_known_bin_decodes() -> None:
    b = decode_bin("971240001315")
    assert (b.registration_year, b.registration_month, b.entity_type, b.attribute) == (
        1997,
        12,
        "resident",
        "head_office",
    )
    assert b == Bin("971240001315", 1997, 12, "resident", "head_office")
    assert repr(b) == "Bin(**********15)" and str(b) == "**********15"
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.value = "x"  # type: ignore[misc]


@given(valid_bins())
def test_decode_bin_reads_every_digit(value: str) -> None:
    b = decode_bin(value)
    assert b.value == value
    assert b.registration_month == int(value[2:4])
    assert b.registration_year % 100 == int(value[:2]) and 1990 <= b.registration_year <= 2089
    assert (b.entity_type, b.attribute) == (ENTITY_TYPES[value[4]], ATTRIBUTES[value[5]])
    assert identifier_kind(value) == "bin"
    assert value not in repr(b) and value not in str(b)


@given(valid_iins())
def test_iins_are_told_from_bins_by_the_5th_digit(value: str) -> None:
    assert identifier_kind(value) == "iin"  # the 5th digit is the tens of the birth day, 0-3


@pytest.mark.parametrize(("yy", "year"), [("89", 2089), ("90", 1990), ("00", 2000), ("07", 2007), ("99", 1999)])
def test_bin_registration_century(yy: str, year: int) -> None:
    number = with_check_digit(yy + "0540" + "01234") or with_check_digit(yy + "0540" + "01235")
    assert number is not None
    assert decode_bin(number).registration_year == year


@pytest.mark.parametrize("month", ["00", "13", "99"])
def test_decode_bin_rejects_an_impossible_month(month: str) -> None:
    number = with_check_digit("97" + month + "40" + "00131") or with_check_digit("97" + month + "40" + "00132")
    assert number is not None
    assert validate_bin(number) == number  # validate_bin does not look at the date (unchanged API)
    with pytest.raises(InvalidBin, match="registration month") as exc:
        decode_bin(number)
    assert exc.value.problem == "registration_date"
    assert number not in str(exc.value)


def test_decode_bin_passes_validate_bins_errors_through() -> None:
    with pytest.raises(InvalidBin) as exc:
        decode_bin("97124000131")
    assert exc.value.problem == "format"
    with pytest.raises(InvalidBin) as exc:
        decode_bin("971240001316")
    assert exc.value.problem == "check_digit"
