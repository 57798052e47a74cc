"""ICAO 9303 MRZ: spec specimens, every check digit, long numbers, names, dates, and single-character changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from koshi.documents.mrz import (
    InvalidMrz,
    Mrz,
    MrzFormat,
    build_mrz,
    compute_check_digit,
    fields_of,
    layout_size,
    parse_mrz,
    unprotected_positions,
)

AS_OF = dt.date(2026, 3, 1)


def value(char: str) -> int:
    """Check-digit value of a character, computed independently of the module (Part 3 §4.9)."""
    char = char.upper()
    if char == "<":
        return 0
    return int(char) if char.isdigit() else string.ascii_uppercase.index(char) + 10


def check(text: str) -> str:
    return str(sum(value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(text)) % 10)


# -- the 9303 specimens (Utopia), verified against independently computed check digits ----------

TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
MRV_A = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<")
MRV_B = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<")
# Part 5 §4.2.4 long document number: '<' at position 15, "734" and its check digit open the optional data.
TD1_LONG = ("I<UTOD23145890<7349<<<<<<<<<<<", "3407127M9507122UTO<<<<<<<<<<<2", "STEVENSON<<PETER<JOHN<<<<<<<<<")

ANNA = {"surname": "ERIKSSON", "given_names": "ANNA MARIA", "issuing_state": "UTO", "sex": "F"}


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            TD3,
            {
                **ANNA,
                "format": "TD3",
                "document_code": "P",
                "document_number": "L898902C3",
                "nationality": "UTO",
                "birth_date": dt.date(1974, 8, 12),
                "expiry_date": dt.date(2012, 4, 15),
                "optional_data": "ZE184226B",
            },
        ),
        (
            TD1,
            {
                **ANNA,
                "format": "TD1",
                "document_code": "I",
                "document_number": "D23145890",
                "nationality": "UTO",
                "birth_date": dt.date(1974, 8, 12),
                "expiry_date": dt.date(2012, 4, 15),
                "optional_data": "",
            },
        ),
        (
            TD2,
            {
                **ANNA,
                "format": "TD2",
                "document_code": "I",
                "document_number": "D23145890",
                "nationality": "UTO",
                "birth_date": dt.date(1974, 8, 12),
                "expiry_date": dt.date(2012, 4, 15),
            },
        ),
        (
            MRV_A,
            {
                **ANNA,
                "format": "MRV-A",
                "document_code": "V",
                "document_number": "L8988901C",
                "nationality": "XXX",
                "birth_date": dt.date(1940, 9, 7),
                "expiry_date": dt.date(1996, 12, 10),
                "optional_data": "6ZE184226B",
            },
        ),
        (
            MRV_B,
            {
                **ANNA,
                "format": "MRV-B",
                "document_code": "V",
                "document_number": "L8988901C",
                "nationality": "XXX",
                "birth_date": dt.date(1940, 9, 7),
                "expiry_date": dt.date(1996, 12, 10),
                "optional_data": "",
            },
        ),
        (
            TD1_LONG,
            {
                "format": "TD1",
                "surname": "STEVENSON",
                "given_names": "PETER JOHN",
                "document_number": "D23145890734",
                "long_document_number": True,
                "birth_date": dt.date(1934, 7, 12),
                "sex": "M",
                "expiry_date": dt.date(1995, 7, 12),
                "optional_data": "",
            },
        ),
    ],
    ids=["TD3", "TD1", "TD2", "MRV-A", "MRV-B", "TD1-long"],
)
def test_specimens(lines: tuple[str, ...], expected: dict[str, object]) -> None:
    result = parse_mrz(lines, as_of=AS_OF)
    assert result.valid, result.problems
    assert result.problems == () and result.notices == ()
    fields = fields_of(result)
    assert {k: fields[k] for k in expected} == expected
    assert all(c.ok and c.found == c.expected for c in result.checks)


def test_specimen_check_digits_are_the_ones_computed_here() -> None:
    """Each specimen digit recomputed by hand from the 9303 field positions (not through the module)."""
    l2 = TD3[1]
    assert [check(l2[0:9]), check(l2[13:19]), check(l2[21:27]), check(l2[28:42])] == [l2[9], l2[19], l2[27], l2[42]]
    assert check(l2[0:10] + l2[13:20] + l2[21:43]) == l2[43]
    up, mid = TD1[0], TD1[1]
    assert [check(up[5:14]), check(mid[0:6]), check(mid[8:14])] == [up[14], mid[6], mid[14]]
    assert check(up[5:30] + mid[0:7] + mid[8:15] + mid[18:29]) == mid[29]
    low = TD2[1]
    assert check(low[0:10] + low[13:20] + low[21:35]) == low[35]
    for visa in (MRV_A, MRV_B):
        low = visa[1]
        assert [check(low[0:9]), check(low[13:19]), check(low[21:27])] == [low[9], low[19], low[27]]
    # Long number: principal 9 characters + the 3 continuing ones; position 15's '<' excluded (Part 5 §4.2.4).
    assert check("D23145890" + "734") == TD1_LONG[0][18]


@pytest.mark.parametrize(
    ("data", "digit"),
    [("520727", "3"), ("AB2134<<<", "5"), ("HA672242<6" + "5802254" + "9601086<<<<<<<<<<<<<<0", "8")],
    ids=["date", "number", "td3-composite"],
)
def test_part3_appendix_a_examples(data: str, digit: str) -> None:
    assert compute_check_digit(data) == check(data) == digit


@pytest.mark.parametrize(
    "lines",
    [
        # Part 3 Appendix A, examples 3-5, with a name line added (names are not in any check digit).
        ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "HA672242<6YTO5802254M9601086<<<<<<<<<<<<<<08"),
        ("I<YTOD231458907<<<<<<<<<<<<<<<", "3407127M9507122YTO<<<<<<<<<<<2", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"),
        ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "HA672242<6YTO5802254M9601086<<<<<<<8"),
    ],
    ids=["TD3", "TD1", "TD2"],
)
def test_part3_composite_examples_parse_valid(lines: tuple[str, ...]) -> None:
    result = parse_mrz(lines, as_of=AS_OF)
    assert result.valid
    assert result.document_number in ("HA672242", "D23145890")


def test_td3_empty_personal_number_check_digit_may_be_zero_or_filler() -> None:
    zero = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "HA672242<6YTO5802254M9601086<<<<<<<<<<<<<<08")
    filler = (zero[0], zero[1][:42] + "<" + zero[1][43])
    for lines in (zero, filler):
        result = parse_mrz(lines, as_of=AS_OF)
        assert result.valid
        assert next(c for c in result.checks if c.name == "optional_data").found == lines[1][42]
    # ...but not with a personal number present.
    bad = (TD3[0], TD3[1][:42] + "<" + TD3[1][43])
    assert not parse_mrz(bad, as_of=AS_OF).valid


# -- check digits are reported, not raised -------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "line", "position", "failing"),
    [
        ((TD3[0], TD3[1][:9] + "7" + TD3[1][10:]), 2, 10, {"document_number", "composite"}),
        ((TD3[0], TD3[1][:19] + "5" + TD3[1][20:]), 2, 20, {"birth_date", "composite"}),
        ((TD3[0], TD3[1][:27] + "0" + TD3[1][28:]), 2, 28, {"expiry_date", "composite"}),
        ((TD3[0], TD3[1][:42] + "2" + TD3[1][43]), 2, 43, {"optional_data", "composite"}),
        ((TD3[0], TD3[1][:43] + "9"), 2, 44, {"composite"}),
        ((TD1[0], TD1[1][:29] + "1", TD1[2]), 2, 30, {"composite"}),
        ((TD2[0], TD2[1][:35] + "0"), 2, 36, {"composite"}),
        ((MRV_B[0], MRV_B[1][:9] + "A" + MRV_B[1][10:]), 2, 10, {"document_number"}),
    ],
)
def test_a_wrong_check_digit_is_reported_with_expected_and_found(
    lines: tuple[str, ...], line: int, position: int, failing: set[str]
) -> None:
    result = parse_mrz(lines, as_of=AS_OF)
    assert not result.valid
    bad = {c.name: c for c in result.checks if not c.ok}
    assert set(bad) == failing
    at_position = next(c for c in result.checks if (c.line, c.position) == (line, position))
    assert not at_position.ok
    assert at_position.found == lines[line - 1][position - 1]
    assert at_position.expected != at_position.found
    assert {p.field for p in result.problems} == failing
    reason = next(p.reason for p in result.problems if p.field == at_position.name)
    assert f"position {position}" in reason and f"should be {at_position.expected}" in reason


def test_a_changed_field_fails_its_check_digit() -> None:
    changed = (TD3[0], "L898902C46" + TD3[1][10:])  # a digit of the number mistyped
    result = parse_mrz(changed, as_of=AS_OF)
    assert {c.name for c in result.checks if not c.ok} == {"document_number", "composite"}
    assert result.document_number == "L898902C4"


# -- what is not an MRZ --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "line", "position", "message"),
    [
        ((TD3[0],), None, None, "2 or 3 lines; got 1"),
        ((*TD1, TD1[0]), None, None, "2 or 3 lines; got 4"),
        ((TD3[0], TD3[1][:-1]), 2, None, "has 43 characters; line 1 has 44"),
        ((TD3[0][:40], TD3[1]), 1, None, "has 40 characters"),
        ((TD1[0], TD1[1], TD1[2] + "<"), 3, None, "has 31 characters; a 3-line MRZ (TD1) has 30"),
        ((TD3[0], TD3[1][:5] + " " + TD3[1][6:]), 2, 6, "only A-Z, 0-9 and '<'"),
        ((TD3[0][:10] + "Ö" + TD3[0][11:], TD3[1]), 1, 11, "only A-Z, 0-9 and '<'"),
        ((TD2[0], TD2[1][:20] + "-" + TD2[1][21:]), 2, 21, "only A-Z, 0-9 and '<'"),
    ],
)
def test_not_an_mrz_raises_with_line_and_position(
    lines: tuple[str, ...], line: int | None, position: int | None, message: str
) -> None:
    with pytest.raises(InvalidMrz, match=message.replace("(", r"\(").replace(")", r"\)")) as exc:
        parse_mrz(lines, as_of=AS_OF)
    assert (exc.value.line, exc.value.position) == (line, position)
    for text in lines:  # never the content
        assert text not in str(exc.value)
        assert "ERIKSSON" not in str(exc.value) and "L898902C3" not in str(exc.value)


def test_lines_are_trimmed_joined_and_lowercase_is_read_but_reported() -> None:
    text = "\n  " + TD3[0].lower() + "  \n\n\t" + TD3[1] + " \n"
    result = parse_mrz(text, as_of=AS_OF)
    assert fields_of(result) == fields_of(parse_mrz(TD3, as_of=AS_OF))
    assert result.valid
    assert [n.field for n in result.notices] == ["mrz"]
    assert "lower-case" in result.notices[0].reason


def test_format_is_told_by_length_and_document_code() -> None:
    assert parse_mrz(TD2, as_of=AS_OF).format == MrzFormat.TD2
    assert parse_mrz(MRV_B, as_of=AS_OF).format == MrzFormat.MRV_B
    # the same TD2 lines read as a visa when the code says V: no composite digit then
    as_visa = parse_mrz(("V" + TD2[0][1:], TD2[1]), as_of=AS_OF)
    assert as_visa.format == MrzFormat.MRV_B
    assert "composite" not in {c.name for c in as_visa.checks}
    assert as_visa.optional_data == "<<<<<<<6"  # the TD2 composite digit is just optional data to a visa


# -- long document numbers -----------------------------------------------------------------------


def test_long_number_check_digit_excludes_the_filler_at_position_15() -> None:
    number = "KZ12345678901"
    with_filler = check(number[:9] + "<" + number[9:])
    assert with_filler != check(number)  # this number tells the two readings apart
    lines = build_mrz(
        "TD1", document_code="ID", issuing_state="KAZ", surname="Ivanov", document_number=number,
        nationality="KAZ", birth_date=dt.date(1990, 1, 2), sex="M", expiry_date=dt.date(2030, 1, 2),
        optional_data="XY",
    )  # fmt: skip
    assert lines[0] == ("IDKAZKZ1234567<8901" + check(number) + "<XY").ljust(30, "<")
    result = parse_mrz(lines, as_of=AS_OF)
    assert result.valid and result.long_document_number
    assert (result.document_number, result.optional_data) == (number, "XY")
    number_check = next(c for c in result.checks if c.name == "document_number")
    assert (number_check.line, number_check.position) == (1, 20)
    wrong = lines[0][:19] + with_filler + lines[0][20:]
    assert with_filler != lines[0][19]
    assert "document_number" in {c.name for c in parse_mrz((wrong, *lines[1:]), as_of=AS_OF).checks if not c.ok}


def test_long_number_in_td2() -> None:
    lines = build_mrz(
        "TD2", document_code="I", issuing_state="UTO", surname="Eriksson", document_number="D2314589073",
        nationality="UTO", birth_date=dt.date(1974, 8, 12), sex="F", expiry_date=dt.date(2032, 4, 15),
    )  # fmt: skip
    assert lines[1][9] == "<" and lines[1][28:32] == "73" + check("D2314589073") + "<"
    result = parse_mrz(lines, as_of=AS_OF)
    assert result.valid and result.document_number == "D2314589073"


def test_long_number_marker_without_continuation_is_reported() -> None:
    up = TD1[0][:14] + "<" + TD1[0][15:]  # marker, but the optional data is empty
    result = parse_mrz((up, *TD1[1:]), as_of=AS_OF)
    assert not result.valid
    assert any(p.field == "document_number" and "no continuation" in p.reason for p in result.problems)


@pytest.mark.parametrize("fmt", ["TD3", "MRV-A", "MRV-B"])
def test_no_long_numbers_where_9303_has_none(fmt: str) -> None:
    with pytest.raises(ValueError, match="document_number: at most 9 characters") as exc:
        build_mrz(
            fmt, document_code="V" if fmt.startswith("MRV") else "P", issuing_state="KAZ", surname="A",
            document_number="N1234567890", nationality="KAZ", birth_date=None, sex="X", expiry_date=None,
        )  # fmt: skip
    assert "N1234567890" not in str(exc.value)


# -- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "surname", "given", "truncated"),
    [
        ("SMITH<JONES<<SUSIE<MARGARET<<<<<<<<<<<<", "SMITH JONES", "SUSIE MARGARET", False),
        ("ARKFREITH<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "ARKFREITH", "", False),
        ("SATRIYA<SUDARPA<<<<<<<<<<<<<<<<<<<<<<<<", "SATRIYA SUDARPA", "", False),
        ("NILAVADHANANANDA<<CHAYAPA<DEJTHAMRONG<K", "NILAVADHANANANDA", "CHAYAPA DEJTHAMRONG K", True),
        ("PAPANDROPOULOUS<<JONATHON<WARREN<TREVOR", "PAPANDROPOULOUS", "JONATHON WARREN TREVOR", True),
    ],
    ids=["hyphen", "primary-only", "primary-two-parts", "truncated", "just-fits"],
)
def test_part4_name_examples(field: str, surname: str, given: str, truncated: bool) -> None:
    result = parse_mrz(("PPUTO" + field, TD3[1]), as_of=AS_OF)
    assert (result.surname, result.given_names, result.name_truncated) == (surname, given, truncated)
    assert result.valid  # names are in no check digit; a possible truncation is a notice, not a problem
    assert [n.field for n in result.notices] == (["name"] if truncated else [])


@pytest.mark.parametrize(
    ("field", "problem"),
    [("<" * 39, "name"), ("<<ANNA" + "<" * 33, "surname"), ("ERIKSSON2<<ANNA" + "<" * 24, "name")],
)
def test_bad_names_are_problems(field: str, problem: str) -> None:
    result = parse_mrz(("P<UTO" + field, TD3[1]), as_of=AS_OF)
    assert not result.valid
    assert problem in {p.field for p in result.problems}


def test_build_truncates_long_names_the_9303_way() -> None:
    lines = build_mrz(
        "TD1", document_code="I", issuing_state="UTO", surname="Bennelong Wooloomooloo Warrandyte Warnambool",
        given_names="Dingo Potoroo", document_number="D23145890", nationality="UTO",
        birth_date=dt.date(1974, 8, 12), sex="M", expiry_date=dt.date(2030, 1, 1),
    )  # fmt: skip
    # primary components shortened evenly until '<<' and a secondary letter fit (cf. Part 5 §4.2.3.2 c)
    assert lines[2] == "BENNEL<WOOLOO<WARRAN<WARNAM<<D"
    result = parse_mrz(lines, as_of=AS_OF)
    assert result.valid and result.name_truncated
    assert (result.surname, result.given_names) == ("BENNEL WOOLOO WARRAN WARNAM", "D")


# -- dates, sex, codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yymmdd", "as_of", "birth"),
    [
        ("250101", dt.date(2026, 3, 1), dt.date(2025, 1, 1)),
        ("260301", dt.date(2026, 3, 1), dt.date(2026, 3, 1)),  # today is not in the future
        ("260302", dt.date(2026, 3, 1), dt.date(1926, 3, 2)),  # tomorrow would be: a century earlier
        ("990101", dt.date(2026, 3, 1), dt.date(1999, 1, 1)),
        ("000229", dt.date(2026, 3, 1), dt.date(2000, 2, 29)),
    ],
)
def test_birth_century_is_the_latest_not_in_the_future(yymmdd: str, as_of: dt.date, birth: dt.date) -> None:
    assert _parse_with(birth=yymmdd, as_of=as_of).birth_date == birth


@pytest.mark.parametrize(
    ("yymmdd", "expiry"),
    [("260301", dt.date(2026, 3, 1)), ("750101", dt.date(2075, 1, 1)), ("760101", dt.date(1976, 1, 1))],
)
def test_expiry_century_is_within_50_years_of_as_of(yymmdd: str, expiry: dt.date) -> None:
    assert _parse_with(expiry=yymmdd, as_of=AS_OF).expiry_date == expiry


def _parse_with(
    *, birth: str = "740812", expiry: str = "120415", sex: str = "F", nat: str = "UTO", as_of: dt.date
) -> Mrz:
    low = "L898902C3" + "6" + nat + birth + check(birth) + sex + expiry + check(expiry) + "ZE184226B<<<<<" + "1"
    low += check(low[0:10] + low[13:20] + low[21:43])
    return parse_mrz((TD3[0], low), as_of=as_of)


@pytest.mark.parametrize(
    ("birth", "valid", "field", "words"),
    [
        ("741312", False, "birth_date", "not a real date"),
        ("010229", False, "birth_date", "not a real date"),
        ("7408<<", True, "birth_date", "known to the month only"),
        ("74<<<<", True, "birth_date", "known to the year only"),
        ("<<<<<<", True, "birth_date", "unknown"),
        ("740<<<", False, "birth_date", "YYMMDD"),
        ("7408A2", False, "birth_date", "YYMMDD"),
    ],
)
def test_impossible_and_unknown_birth_dates(birth: str, valid: bool, field: str, words: str) -> None:
    result = _parse_with(birth=birth, as_of=AS_OF)
    assert result.valid is valid
    assert result.birth_date is None
    reported = result.notices if valid else result.problems
    assert any(p.field == field and words in p.reason for p in reported)


@pytest.mark.parametrize(
    ("char", "sex", "valid", "notices"),
    [("M", "M", True, 0), ("F", "F", True, 0), ("<", "X", True, 0), ("X", "X", True, 1), ("Q", None, False, 0)],
)
def test_sex(char: str, sex: str | None, valid: bool, notices: int) -> None:
    result = _parse_with(sex=char, as_of=AS_OF)
    assert (result.sex, result.valid, len(result.notices)) == (sex, valid, notices)


@pytest.mark.parametrize(
    ("nat", "parsed", "valid"),
    [("D<<", "D", True), ("KAZ", "KAZ", True), ("D<E", "D<E", False), ("<<<", "<<<", False), ("K4Z", "K4Z", False)],
)
def test_nationality_codes(nat: str, parsed: str, valid: bool) -> None:
    result = _parse_with(nat=nat, as_of=AS_OF)
    assert (result.nationality, result.valid) == (parsed, valid)


def test_unusual_document_code_is_a_notice() -> None:
    result = parse_mrz(("X" + TD3[0][1:], TD3[1]), as_of=AS_OF)
    assert result.valid and result.document_code == "X"
    assert [n.field for n in result.notices] == ["document_code"]
    digit = parse_mrz(("9" + TD3[0][1:], TD3[1]), as_of=AS_OF)
    assert not digit.valid and "document_code" in {p.field for p in digit.problems}


# -- personal data stays out of repr, str and logs -----------------------------------------------


def test_repr_and_str_mask_names_and_number(caplog: pytest.LogCaptureFixture) -> None:
    result = parse_mrz(TD3, as_of=AS_OF)
    for text in (repr(result), str(result), f"{result}", repr([result])):
        assert "ERIKSSON" not in text and "L898902C3" not in text and "ANNA" not in text
    assert repr(result) == "Mrz(TD3 P UTO number=*******C3 surname=******ON valid=True)"
    with caplog.at_level(logging.INFO):
        logging.getLogger("koshi.test").info("read %s", result)
    assert "ERIKSSON" not in caplog.text
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.surname = "X"  # type: ignore[misc]


# -- building --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "lines", "code", "nat", "birth", "expiry", "optional"),
    [
        ("TD3", TD3, "P", "UTO", dt.date(1974, 8, 12), dt.date(2012, 4, 15), "ZE184226B"),
        ("TD1", TD1, "I", "UTO", dt.date(1974, 8, 12), dt.date(2012, 4, 15), ""),
        ("TD2", TD2, "I", "UTO", dt.date(1974, 8, 12), dt.date(2012, 4, 15), ""),
        ("MRV-A", MRV_A, "V", "XXX", dt.date(1940, 9, 7), dt.date(1996, 12, 10), "6ZE184226B"),
        ("MRV-B", MRV_B, "V", "XXX", dt.date(1940, 9, 7), dt.date(1996, 12, 10), ""),
    ],
)
def test_build_reproduces_the_specimens(
    fmt: str, lines: tuple[str, ...], code: str, nat: str, birth: dt.date, expiry: dt.date, optional: str
) -> None:
    number = "L8988901C" if fmt.startswith("MRV") else ("L898902C3" if fmt == "TD3" else "D23145890")
    built = build_mrz(
        fmt, document_code=code, issuing_state="UTO", surname="Eriksson", given_names="Anna Maria",
        document_number=number, nationality=nat, birth_date=birth, sex="F", expiry_date=expiry,
        optional_data=optional,
    )  # fmt: skip
    assert built == lines


def test_build_takes_cyrillic_names() -> None:
    lines = build_mrz(
        "TD3", document_code="P", issuing_state="KAZ", surname="Әбішұлы", given_names="Нұрсұлтан Ерланұлы",
        document_number="N1234567", nationality="KAZ", birth_date=dt.date(1990, 5, 6), sex="M",
        expiry_date=dt.date(2031, 5, 6),
    )  # fmt: skip
    assert lines[0].startswith("P<KAZABISHULY<<NURSULTAN<ERLANULY<")
    assert parse_mrz(lines, as_of=AS_OF).valid


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sex": "Y"}, "sex"),
        ({"document_code": "V"}, "document_code"),
        ({"nationality": "KAZA"}, "nationality"),
        ({"document_number": "N-1"}, "document_number"),
        ({"document_number": ""}, "document_number"),
        ({"optional_data": "X" * 15}, "optional_data"),
        ({"optional_data_2": "X"}, "optional_data_2"),
        ({"surname": "---"}, "surname"),
    ],
)
def test_build_rejects_fields_that_do_not_fit(changes: dict[str, str], field: str) -> None:
    fields: dict[str, object] = {
        "document_code": "P", "issuing_state": "KAZ", "surname": "Ivanov", "document_number": "N123",
        "nationality": "KAZ", "birth_date": dt.date(1990, 1, 1), "sex": "M", "expiry_date": dt.date(2030, 1, 1),
    }  # fmt: skip
    fields.update(changes)
    with pytest.raises(ValueError, match=f"^{field}:"):
        build_mrz("TD3", **fields)  # type: ignore[arg-type]


# -- properties -------------------------------------------------------------------------------------

NAME_WIDTH = {MrzFormat.TD1: 30, MrzFormat.TD2: 31, MrzFormat.TD3: 39, MrzFormat.MRV_A: 39, MrzFormat.MRV_B: 31}
OPTIONAL_WIDTH = {MrzFormat.TD1: 15, MrzFormat.TD2: 7, MrzFormat.TD3: 14, MrzFormat.MRV_A: 16, MrzFormat.MRV_B: 8}
STATES = ["UTO", "KAZ", "RUS", "D", "GBD", "XXA", "UZB", "CHN"]
ALNUM = string.ascii_uppercase + string.digits
words = st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=7)


@st.composite
def optional_texts(draw: st.DrawFn, width: int) -> str:
    """Optional data: letters, digits and inner fillers, never ending in a filler (the parse strips those)."""
    text = draw(st.text(alphabet=ALNUM + "<", max_size=width))
    return text.rstrip("<")


@st.composite
def mrz_cases(draw: st.DrawFn) -> tuple[tuple[str, ...], dict[str, object]]:
    """Valid MRZ lines of any format, and the fields they must parse back to."""
    fmt = draw(st.sampled_from(list(MrzFormat)))
    visa = fmt in (MrzFormat.MRV_A, MrzFormat.MRV_B)
    first = "V" if visa else ("P" if fmt == MrzFormat.TD3 else draw(st.sampled_from("IAC")))
    code = first + draw(st.sampled_from(["", *string.ascii_uppercase]))
    surname = draw(st.lists(words, min_size=1, max_size=2))
    given = draw(st.lists(words, max_size=3))
    name = "<".join(surname) + ("<<" + "<".join(given) if given else "")
    assume(len(name) <= NAME_WIDTH[fmt])
    long_max = {MrzFormat.TD1: 22, MrzFormat.TD2: 14}.get(fmt, 9)
    number = draw(st.text(alphabet=ALNUM, min_size=1, max_size=long_max))
    room = OPTIONAL_WIDTH[fmt] - (len(number) - 9 + 2 if len(number) > 9 else 0)
    optional = draw(optional_texts(room))
    optional_2 = draw(optional_texts(11)) if fmt == MrzFormat.TD1 else ""
    birth = draw(st.none() | st.dates(dt.date(1926, 3, 2), AS_OF))
    expiry = draw(st.none() | st.dates(dt.date(1976, 1, 1), dt.date(2075, 12, 31)))
    fields: dict[str, object] = {
        "document_code": code,
        "issuing_state": draw(st.sampled_from(STATES)),
        "surname": " ".join(surname),
        "given_names": " ".join(given),
        "document_number": number,
        "nationality": draw(st.sampled_from(STATES)),
        "birth_date": birth,
        "sex": draw(st.sampled_from("MFX")),
        "expiry_date": expiry,
        "optional_data": optional,
        "optional_data_2": optional_2,
    }
    lines = build_mrz(fmt, **fields)  # type: ignore[arg-type]
    expected = {
        **fields,
        "format": str(fmt),
        "name_truncated": len(name) == NAME_WIDTH[fmt],
        "long_document_number": len(number) > 9,
    }
    return lines, expected


@settings(max_examples=300)
@given(mrz_cases())
def test_generated_mrzs_parse_back_to_their_fields(case: tuple[tuple[str, ...], dict[str, object]]) -> None:
    lines, expected = case
    result = parse_mrz(lines, as_of=AS_OF)
    assert result.valid, result.problems
    assert fields_of(result) == expected
    assert all(c.ok for c in result.checks)
    n_lines, width = layout_size(result.format)
    assert len(lines) == n_lines and all(len(line) == width for line in lines)


def visible(result: Mrz) -> tuple[object, ...]:
    """Everything a reader of the parse sees: fields, each check's digit as found, notices."""
    return fields_of(result), tuple((c.name, c.found) for c in result.checks), result.notices


REPLACEMENTS = st.sampled_from([*ALNUM, "<"]) | st.sampled_from([*string.ascii_lowercase, " ", "-", "«", "Ж", "0"])


@settings(max_examples=500)
@given(mrz_cases(), st.data())
def test_any_single_character_change_is_caught_or_visible(
    case: tuple[tuple[str, ...], dict[str, object]], data: st.DataObject
) -> None:
    """A changed character is caught (InvalidMrz, a failing check, a problem) or shows in the parse.

    And where no check digit looks (:func:`unprotected_positions`: codes, names, sex,
    visas' optional data) the change must still show; inside protected fields a
    change can only pass the arithmetic when old and new values differ by a multiple
    of 10 (``1``/``B``/``L``/``V``, ``<``/``0``/``A``/``K``/``U``).
    """
    lines, _ = case
    original = parse_mrz(lines, as_of=AS_OF)
    line = data.draw(st.integers(0, len(lines) - 1))
    position = data.draw(st.integers(0, len(lines[line]) - 1))
    old = lines[line][position]
    new = data.draw(REPLACEMENTS.filter(lambda c: c != old))
    changed = list(lines)
    changed[line] = lines[line][:position] + new + lines[line][position + 1 :]
    allowed = new.upper() in ALNUM + "<" and new not in " "
    try:
        result = parse_mrz(changed, as_of=AS_OF)
    except InvalidMrz as exc:
        assert not allowed
        # a space at either end is trimmed, which makes the line too short instead
        assert exc.line == line + 1 and exc.position in (position + 1, None)
        return
    assert allowed
    if not result.valid:
        return  # caught
    assert visible(result) != visible(original)  # reported: the changed field shows
    if (line + 1, position + 1) not in unprotected_positions(original.format):
        assert value(old) % 10 == value(new) % 10


@given(mrz_cases())
def test_lowercase_mrz_reads_the_same(case: tuple[tuple[str, ...], dict[str, object]]) -> None:
    lines, expected = case
    result = parse_mrz([line.lower() for line in lines], as_of=AS_OF)
    assert fields_of(result) == expected and result.valid
    assert "mrz" in {n.field for n in result.notices}


def test_unprotected_positions_are_the_documented_ones() -> None:
    def on_line(fmt: MrzFormat, line: int) -> list[int]:
        return sorted(p for n, p in unprotected_positions(fmt) if n == line)

    assert on_line(MrzFormat.TD3, 1) == list(range(1, 45))
    assert on_line(MrzFormat.TD3, 2) == [11, 12, 13, 21]
    assert on_line(MrzFormat.TD2, 2) == [11, 12, 13, 21]
    assert on_line(MrzFormat.TD1, 1) == [1, 2, 3, 4, 5]
    assert on_line(MrzFormat.TD1, 2) == [8, 16, 17, 18]
    assert on_line(MrzFormat.TD1, 3) == list(range(1, 31))
    assert on_line(MrzFormat.MRV_A, 2) == [11, 12, 13, 21, *range(29, 45)]
    assert on_line(MrzFormat.MRV_B, 2) == [11, 12, 13, 21, *range(29, 37)]
