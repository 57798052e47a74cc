"""ICAO Doc 9303 (8th ed., 2021) machine-readable zones: parse, check and build.

Five layouts, told apart by line count and length and, for two-line zones, by the
document code (Part 7: a visa's code starts with ``V``):

=======  =========  ===========================================================
format   lines      spec
=======  =========  ===========================================================
TD1      3 x 30     Part 5 (identity cards)
TD2      2 x 36     Part 6
TD3      2 x 44     Part 4 (passports)
MRV-A    2 x 44     Part 7 §4 (visas; no composite digit, 16 optional chars)
MRV-B    2 x 36     Part 7 §5 (visas; no composite digit, 8 optional chars)
=======  =========  ===========================================================

Parsing never raises on bad *content*: a wrong check digit, an impossible date or
a bad country code is reported in :attr:`Mrz.checks` and :attr:`Mrz.problems`, and
:attr:`Mrz.valid` is False. :class:`InvalidMrz` is raised only when the text cannot
be an MRZ at all (line count, line lengths, characters outside ``A-Z 0-9 <``).

Check digits (Part 3 §4.9): weights 7-3-1 repeated, ``<`` = 0, ``A`` = 10 ... ``Z`` = 35,
sum mod 10. Because only the value mod 10 counts, characters whose values differ by
10 (``1``, ``B``, ``L``, ``V``; or ``<``, ``0``, ``A``, ``K``, ``U``) can replace each
other without any check digit noticing; such a change is still *visible* in the
parsed field. Positions no check digit covers are listed by
:func:`unprotected_positions` (names, codes, sex, and the visas' optional data).

Dates are YYMMDD (Part 3 §4.8); the century is not written, so it is chosen
against a reference date ``as_of`` that the caller passes (no wall clock here):

- birth date: the latest such date not after ``as_of``;
- expiry date: the year within [``as_of.year`` - 50, ``as_of.year`` + 49].

Names and document numbers are personal data: ``repr``/``str`` of a result mask
them like :func:`koshi.documents.iin.mask`, and no exception message contains
any part of the zone.

Examples:
    >>> import datetime
    >>> mrz = parse_mrz(
    ...     ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"],
    ...     as_of=datetime.date(2010, 1, 1),
    ... )
    >>> mrz
    Mrz(TD3 P UTO number=*******C3 surname=******ON valid=True)
    >>> mrz.surname, mrz.given_names, mrz.birth_date, mrz.expiry_date
    ('ERIKSSON', 'ANNA MARIA', datetime.date(1974, 8, 12), datetime.date(2012, 4, 15))
    >>> [(c.name, c.expected, c.ok) for c in mrz.checks]  # doctest: +NORMALIZE_WHITESPACE
    [('document_number', '6', True), ('birth_date', '2', True), ('expiry_date', '9', True),
     ('optional_data', '1', True), ('composite', '0', True)]
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, NamedTuple

from koshi.documents import translit
from koshi.documents.iin import mask

FILLER = "<"
_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
_WEIGHTS = (7, 3, 1)
_COUNTRY = re.compile(r"[A-Z]{1,3}<*")
_DOC_NUMBER_WIDTH = 9

Sex = Literal["M", "F", "X"]


class MrzFormat(StrEnum):
    """The five 9303 layouts."""

    TD1 = "TD1"
    TD2 = "TD2"
    TD3 = "TD3"
    MRV_A = "MRV-A"
    MRV_B = "MRV-B"


class InvalidMrz(ValueError):
    """The text cannot be an MRZ. The message names the line and position (1-based), never the content."""

    def __init__(self, reason: str, *, line: int | None = None, position: int | None = None) -> None:
        where = ""
        if line is not None:
            where = f"line {line}" + (f", position {position}" if position is not None else "") + ": "
        super().__init__(where + reason)
        self.line = line
        self.position = position
        self.reason = reason


class Problem(NamedTuple):
    """Why a field is wrong (``problems``) or worth a look (``notices``); never contains the field's value."""

    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class MrzCheck:
    """One check digit: which field it protects, where it is (1-based), what it should be and what is there."""

    name: str
    line: int
    position: int
    expected: str
    found: str
    ok: bool


@dataclass(frozen=True, slots=True, repr=False)
class Mrz:
    """A parsed machine-readable zone. Build it with :func:`parse_mrz`.

    Text fields have their ``<`` fillers removed: trailing ones dropped, and in
    names the separators turned into spaces. ``optional_data`` is the first
    optional field (TD1: upper line, after any long-document-number continuation;
    TD3: the personal number), ``optional_data_2`` the TD1 middle line's.
    """

    format: MrzFormat
    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    name_truncated: bool
    document_number: str
    long_document_number: bool
    nationality: str
    birth_date: datetime.date | None
    sex: Sex | None
    expiry_date: datetime.date | None
    optional_data: str
    optional_data_2: str
    checks: tuple[MrzCheck, ...]
    problems: tuple[Problem, ...]
    notices: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        """True when every check digit matches and no field has a problem (notices do not count)."""
        return not self.problems

    def __repr__(self) -> str:
        return (
            f"Mrz({self.format} {self.document_code} {self.issuing_state} "
            f"number={mask(self.document_number)} surname={mask(self.surname)} valid={self.valid})"
        )

    __str__ = __repr__


# -- layouts ------------------------------------------------------------------------------------

Span = tuple[int, int, int]  # (line index, start, end) 0-based, end exclusive


@dataclass(frozen=True, slots=True)
class _Layout:
    lines: int
    width: int
    name: Span
    doc_number: tuple[int, int]  # line, start (9 characters, check digit follows)
    nationality: tuple[int, int]
    birth: tuple[int, int]  # 6 characters, check digit follows
    sex: tuple[int, int]
    expiry: tuple[int, int]
    optional: Span
    optional_2: Span | None = None
    optional_check: tuple[int, int] | None = None
    composite: tuple[int, int] | None = None
    composite_spans: tuple[Span, ...] = ()
    long_number: bool = False  # Part 5 / Part 6 note j


_LAYOUTS: dict[MrzFormat, _Layout] = {
    MrzFormat.TD1: _Layout(
        lines=3,
        width=30,
        name=(2, 0, 30),
        doc_number=(0, 5),
        nationality=(1, 15),
        birth=(1, 0),
        sex=(1, 7),
        expiry=(1, 8),
        optional=(0, 15, 30),
        optional_2=(1, 18, 29),
        composite=(1, 29),
        composite_spans=((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
        long_number=True,
    ),
    MrzFormat.TD2: _Layout(
        lines=2,
        width=36,
        name=(0, 5, 36),
        doc_number=(1, 0),
        nationality=(1, 10),
        birth=(1, 13),
        sex=(1, 20),
        expiry=(1, 21),
        optional=(1, 28, 35),
        composite=(1, 35),
        composite_spans=((1, 0, 10), (1, 13, 20), (1, 21, 35)),
        long_number=True,
    ),
    MrzFormat.TD3: _Layout(
        lines=2,
        width=44,
        name=(0, 5, 44),
        doc_number=(1, 0),
        nationality=(1, 10),
        birth=(1, 13),
        sex=(1, 20),
        expiry=(1, 21),
        optional=(1, 28, 42),
        optional_check=(1, 42),
        composite=(1, 43),
        composite_spans=((1, 0, 10), (1, 13, 20), (1, 21, 43)),
    ),
    MrzFormat.MRV_A: _Layout(
        lines=2,
        width=44,
        name=(0, 5, 44),
        doc_number=(1, 0),
        nationality=(1, 10),
        birth=(1, 13),
        sex=(1, 20),
        expiry=(1, 21),
        optional=(1, 28, 44),
    ),
    MrzFormat.MRV_B: _Layout(
        lines=2,
        width=36,
        name=(0, 5, 36),
        doc_number=(1, 0),
        nationality=(1, 10),
        birth=(1, 13),
        sex=(1, 20),
        expiry=(1, 21),
        optional=(1, 28, 36),
    ),
}


def layout_size(fmt: MrzFormat) -> tuple[int, int]:
    """(lines, characters per line) of a format.

    Examples:
        >>> layout_size(MrzFormat.TD1), layout_size(MrzFormat.MRV_B)
        ((3, 30), (2, 36))
    """
    layout = _LAYOUTS[fmt]
    return layout.lines, layout.width


def unprotected_positions(fmt: MrzFormat) -> frozenset[tuple[int, int]]:
    """The (line, position) pairs, 1-based, that no check digit covers.

    A change there can only be noticed by reading the field (the parse shows the
    changed value), never by arithmetic. Check-digit positions themselves count
    as protected (they check themselves).

    Examples:
        >>> sorted(p for line, p in unprotected_positions(MrzFormat.TD3) if line == 2)
        [11, 12, 13, 21]
        >>> sorted(p for line, p in unprotected_positions(MrzFormat.TD1) if line == 2)
        [8, 16, 17, 18]
    """
    layout = _LAYOUTS[fmt]
    covered: set[tuple[int, int]] = set()
    for line, start in (layout.doc_number, layout.birth, layout.expiry):
        width = _DOC_NUMBER_WIDTH if (line, start) == layout.doc_number else 6
        covered.update((line, i) for i in range(start, start + width + 1))
    if layout.optional_check is not None:
        line, start, end = layout.optional
        covered.update((line, i) for i in range(start, end))
        covered.add(layout.optional_check)
    if layout.composite is not None:
        for line, start, end in layout.composite_spans:
            covered.update((line, i) for i in range(start, end))
        covered.add(layout.composite)
    every = {(line, i) for line in range(layout.lines) for i in range(layout.width)}
    return frozenset((line + 1, i + 1) for line, i in every - covered)


# -- check digits -------------------------------------------------------------------------------


def _value(char: str) -> int:
    if char == FILLER:
        return 0
    if char.isdigit():
        return int(char)
    return ord(char) - ord("A") + 10


def compute_check_digit(text: str) -> str:
    """The 9303 check digit of ``text`` (``A-Z``, ``0-9``, ``<``), as a character.

    Raises:
        ValueError: a character outside ``A-Z 0-9 <``.

    Examples:
        >>> compute_check_digit("520727"), compute_check_digit("AB2134<<<")
        ('3', '5')
    """
    if not set(text) <= _ALLOWED:
        raise ValueError("check digits are computed over A-Z, 0-9 and '<' only")
    return str(sum(_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)


# -- parsing ------------------------------------------------------------------------------------


def _normalise(text: str | Sequence[str]) -> tuple[list[str], list[Problem]]:
    raw = text.splitlines() if isinstance(text, str) else list(text)
    lines = [line.strip() for line in raw]
    lines = [line for line in lines if line]
    notices: list[Problem] = []
    if len(lines) not in (2, 3):
        raise InvalidMrz(f"an MRZ has 2 or 3 lines; got {len(lines)}")
    if len(lines) == 3:
        for number, line in enumerate(lines, 1):
            if len(line) != 30:
                raise InvalidMrz(f"has {len(line)} characters; a 3-line MRZ (TD1) has 30 per line", line=number)
    else:
        if len(lines[0]) not in (36, 44):
            raise InvalidMrz(
                f"has {len(lines[0])} characters; a 2-line MRZ has 36 (TD2, MRV-B) or 44 (TD3, MRV-A) per line",
                line=1,
            )
        if len(lines[1]) != len(lines[0]):
            raise InvalidMrz(f"has {len(lines[1])} characters; line 1 has {len(lines[0])}", line=2)
    lowered = False
    for number, line in enumerate(lines, 1):
        for position, char in enumerate(line, 1):
            if char in _ALLOWED:
                continue
            if "a" <= char <= "z":
                lowered = True
                continue
            raise InvalidMrz("character not allowed in an MRZ (only A-Z, 0-9 and '<')", line=number, position=position)
    if lowered:
        notices.append(Problem("mrz", "lower-case letters were read as upper-case (9303 uses upper case only)"))
    return [line.upper() for line in lines], notices


def _format_of(lines: list[str]) -> MrzFormat:
    if len(lines) == 3:
        return MrzFormat.TD1
    visa = lines[0][0] == "V"
    if len(lines[0]) == 36:
        return MrzFormat.MRV_B if visa else MrzFormat.TD2
    return MrzFormat.MRV_A if visa else MrzFormat.TD3


class _Reader:
    """Collects checks, problems and notices while the fields are read."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.checks: list[MrzCheck] = []
        self.problems: list[Problem] = []
        self.notices: list[Problem] = []

    def text(self, line: int, start: int, end: int) -> str:
        return self.lines[line][start:end]

    def check(self, name: str, data: str, at: tuple[int, int], *, filler_ok: bool = False) -> None:
        line, position = at
        found = self.lines[line][position]
        expected = compute_check_digit(data)
        ok = found == expected or (filler_ok and found == FILLER)
        self.checks.append(MrzCheck(name, line + 1, position + 1, expected, found, ok))
        if not ok:
            self.problems.append(
                Problem(name, f"check digit at line {line + 1}, position {position + 1} should be {expected}")
            )


def _code(reader: _Reader, field: str, value: str) -> str:
    if not _COUNTRY.fullmatch(value):
        reader.problems.append(
            Problem(field, "must be a three-letter code: letters, then '<' fillers if shorter (e.g. 'D<<')")
        )
        return value.rstrip(FILLER) or value
    return value.rstrip(FILLER)


def _document_code(reader: _Reader, fmt: MrzFormat, value: str) -> str:
    if not (value[0].isalpha() and (value[1].isalpha() or value[1] == FILLER)):
        reader.problems.append(Problem("document_code", "must be a letter followed by a letter or '<'"))
        return value.rstrip(FILLER) or value
    expected = {MrzFormat.TD3: "P", MrzFormat.TD1: "ACI", MrzFormat.TD2: "ACI"}.get(fmt)
    if expected is not None and value[0] not in expected:
        letters = " or ".join(expected)
        reader.notices.append(Problem("document_code", f"9303 starts a {fmt} document code with {letters}"))
    return value.rstrip(FILLER)


def _name(reader: _Reader, value: str) -> tuple[str, str, bool]:
    truncated = value[-1] != FILLER
    body = value.rstrip(FILLER)
    primary, _, secondary = body.partition("<<")
    surname = " ".join(part for part in primary.split(FILLER) if part)
    given = " ".join(part for part in secondary.split(FILLER) if part)
    if not body:
        reader.problems.append(Problem("name", "the name field is empty"))
    elif not surname:
        reader.problems.append(Problem("surname", "the primary identifier (before '<<') is empty"))
    if any(c.isdigit() for c in body):
        reader.problems.append(Problem("name", "digits are not allowed in names (Part 3 §4.6)"))
    if truncated:
        reader.notices.append(
            Problem("name", "the name fills its field, so it may have been truncated (a letter in the last position)")
        )
    return surname, given, truncated


def _date_parts(reader: _Reader, field: str, value: str) -> tuple[int, int, int] | None:
    """(YY, MM, DD) when all digits; None (with a notice or problem) otherwise."""
    if value.isdigit():
        return int(value[0:2]), int(value[2:4]), int(value[4:6])
    if field == "birth_date" and re.fullmatch(r"(\d\d){0,2}<+", value):  # YYMM<<, YY<<<<, <<<<<<
        known = {0: "unknown", 2: "known to the year only", 4: "known to the month only"}[len(value.rstrip("<"))]
        reader.notices.append(Problem(field, f"the date is {known} (fillers, Part 3 §4.8)"))
    elif field == "expiry_date" and value == FILLER * 6:
        reader.notices.append(Problem(field, "no expiry date (all fillers)"))
    else:
        reader.problems.append(Problem(field, "must be YYMMDD digits (a birth date may end in '<' fillers if unknown)"))
    return None


def _birth_date(reader: _Reader, value: str, as_of: datetime.date) -> datetime.date | None:
    parts = _date_parts(reader, "birth_date", value)
    if parts is None:
        return None
    yy, month, day = parts
    year = as_of.year - (as_of.year - yy) % 100  # latest year ending in YY, not after as_of's year
    for candidate in (year, year - 100):
        try:
            date = datetime.date(candidate, month, day)
        except ValueError:
            reader.problems.append(Problem("birth_date", "not a real date"))
            return None
        if date <= as_of:
            return date
    return None  # pragma: no cover - year - 100 is always in the past


def _expiry_date(reader: _Reader, value: str, as_of: datetime.date) -> datetime.date | None:
    parts = _date_parts(reader, "expiry_date", value)
    if parts is None:
        return None
    yy, month, day = parts
    low = as_of.year - 50
    year = low + (yy - low) % 100  # the year ending in YY within [as_of - 50, as_of + 49]
    try:
        return datetime.date(year, month, day)
    except ValueError:
        reader.problems.append(Problem("expiry_date", "not a real date"))
        return None


def _sex(reader: _Reader, value: str) -> Sex | None:
    if value in ("M", "F"):
        return "M" if value == "M" else "F"
    if value == FILLER:
        return "X"
    if value == "X":
        reader.notices.append(Problem("sex", "'X' read as unspecified; 9303 writes '<' in the MRZ (X is for the VIZ)"))
        return "X"
    reader.problems.append(Problem("sex", "must be M, F or '<' (unspecified)"))
    return None


def _document_number(reader: _Reader, layout: _Layout) -> tuple[str, bool, int]:
    """The number, whether it is long, and where the optional data starts (after any continuation)."""
    line, start = layout.doc_number
    at = (line, start + _DOC_NUMBER_WIDTH)
    principal = reader.text(line, start, start + _DOC_NUMBER_WIDTH)
    opt_line, opt_start, opt_end = layout.optional
    if not (layout.long_number and reader.lines[line][at[1]] == FILLER):
        reader.check("document_number", principal, at)
        number = principal.rstrip(FILLER)
        if not number:
            reader.problems.append(Problem("document_number", "is empty"))
        return number, False, opt_start
    # Long number (Part 5 §4.2.4, Part 6 note j): '<' in the check position, the rest of the
    # number and its check digit open the optional data, then a filler.
    optional = reader.text(opt_line, opt_start, opt_end)
    run = optional.split(FILLER, 1)[0]
    if len(run) < 2:
        reader.problems.append(
            Problem("document_number", "'<' in the check digit position marks a long number, but no continuation")
        )
        reader.check("document_number", principal, at)
        return principal.rstrip(FILLER), True, opt_start
    if FILLER in principal:
        reader.problems.append(Problem("document_number", "a long document number fills all 9 principal positions"))
    remainder = run[:-1]
    reader.check("document_number", principal + remainder, (opt_line, opt_start + len(run) - 1))
    if len(run) == len(optional):
        reader.problems.append(Problem("document_number", "the long number's check digit must be followed by '<'"))
    return principal + remainder, True, opt_start + len(run) + 1


def parse_mrz(text: str | Sequence[str], *, as_of: datetime.date) -> Mrz:
    """Parse and check an MRZ given as its lines (or one string with line breaks).

    Lines are trimmed of surrounding whitespace and blank lines are skipped;
    lower-case letters are upper-cased (with a notice). ``as_of`` picks the
    century of the dates (see the module docstring).

    Raises:
        InvalidMrz: wrong line count or length, or a character outside ``A-Z 0-9 <``.

    Examples:
        >>> td1 = parse_mrz(
        ...     "I<UTOD231458907<<<<<<<<<<<<<<<\\n7408122F1204159UTO<<<<<<<<<<<6\\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ...     as_of=datetime.date(2010, 1, 1),
        ... )
        >>> td1.format, td1.valid, td1.sex
        (<MrzFormat.TD1: 'TD1'>, True, 'F')
        >>> bad = parse_mrz(
        ...     ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408123F1204159<<<<<<<6"],
        ...     as_of=datetime.date(2010, 1, 1),
        ... )
        >>> bad.valid, [(c.name, c.expected, c.found) for c in bad.checks if not c.ok]
        (False, [('birth_date', '2', '3'), ('composite', '9', '6')])
        >>> parse_mrz(["P<UTO<<", "L898"], as_of=datetime.date(2010, 1, 1))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        koshi.documents.mrz.InvalidMrz: line 1: has 7 characters; a 2-line MRZ has 36 (TD2, MRV-B) or 44 ...
    """
    lines, notices = _normalise(text)
    fmt = _format_of(lines)
    layout = _LAYOUTS[fmt]
    reader = _Reader(lines)
    reader.notices.extend(notices)

    document_code = _document_code(reader, fmt, reader.text(0, 0, 2))
    issuing_state = _code(reader, "issuing_state", reader.text(0, 2, 5))
    surname, given_names, truncated = _name(reader, reader.text(*layout.name))
    number, long_number, optional_start = _document_number(reader, layout)
    line, start = layout.nationality
    nationality = _code(reader, "nationality", reader.text(line, start, start + 3))

    line, start = layout.birth
    birth_text = reader.text(line, start, start + 6)
    reader.check("birth_date", birth_text, (line, start + 6))
    birth_date = _birth_date(reader, birth_text, as_of)
    sex = _sex(reader, lines[layout.sex[0]][layout.sex[1]])
    line, start = layout.expiry
    expiry_text = reader.text(line, start, start + 6)
    reader.check("expiry_date", expiry_text, (line, start + 6))
    expiry_date = _expiry_date(reader, expiry_text, as_of)

    opt_line, opt_start, opt_end = layout.optional
    optional = reader.text(opt_line, optional_start, opt_end) if optional_start < opt_end else ""
    if layout.optional_check is not None:
        field = reader.text(opt_line, opt_start, opt_end)
        # Part 4 §4.2.2.2: with an empty personal number the check digit may be 0 or '<'.
        reader.check("optional_data", field, layout.optional_check, filler_ok=field == FILLER * len(field))
    optional_2 = reader.text(*layout.optional_2) if layout.optional_2 is not None else ""
    if layout.composite is not None:
        data = "".join(reader.text(*span) for span in layout.composite_spans)
        reader.check("composite", data, layout.composite)

    return Mrz(
        format=fmt,
        document_code=document_code,
        issuing_state=issuing_state,
        surname=surname,
        given_names=given_names,
        name_truncated=truncated,
        document_number=number,
        long_document_number=long_number,
        nationality=nationality,
        birth_date=birth_date,
        sex=sex,
        expiry_date=expiry_date,
        optional_data=optional.rstrip(FILLER),
        optional_data_2=optional_2.rstrip(FILLER),
        checks=tuple(reader.checks),
        problems=tuple(reader.problems),
        notices=tuple(reader.notices),
    )


# -- building -----------------------------------------------------------------------------------


def _mrz_text(field: str, value: str, *, allow_filler: bool = True) -> str:
    text = value.upper().replace(" ", FILLER) if allow_filler else value.upper()
    if not set(text) <= _ALLOWED or (not allow_filler and FILLER in text):
        raise ValueError(f"{field}: only A-Z and 0-9 are allowed" + (" (and spaces or '<')" if allow_filler else ""))
    return text


def _name_field(surname: str, given_names: str, width: int) -> str:
    """Primary<<secondary, filled or truncated to ``width`` (Part 4 §4.2.3 style: shorten the primary first)."""
    try:
        primary = [p for p in translit.to_mrz(surname).split(FILLER) if p]
    except translit.NotTransliterable as exc:
        raise ValueError(f"surname: {exc}") from None
    try:
        secondary = [p for p in translit.to_mrz(given_names).split(FILLER) if p]
    except translit.NotTransliterable as exc:
        raise ValueError(f"given_names: {exc}") from None
    if not primary:
        raise ValueError("surname: the primary identifier is empty")
    while True:
        head = FILLER.join(primary)
        text = head + (FILLER * 2 + FILLER.join(secondary) if secondary else "")
        if len(text) <= width:
            return text.ljust(width, FILLER)
        cut = text[:width]
        # '<<' and a first secondary letter must fit, and the field must end in a letter (truncation shown)
        if (not secondary or len(head) + 3 <= width) and cut[-1] != FILLER:
            return cut
        longest = max(range(len(primary)), key=lambda i: len(primary[i]))
        if len(primary[longest]) == 1:
            return cut.rstrip(FILLER).ljust(width, FILLER)  # pragma: no cover - needs 15+ one-letter components
        primary[longest] = primary[longest][:-1]


def _date_text(value: datetime.date | None) -> str:
    return FILLER * 6 if value is None else value.strftime("%y%m%d")


def _country_text(field: str, value: str) -> str:
    text = value.upper().ljust(3, FILLER)
    if not _COUNTRY.fullmatch(text) or len(text) != 3:
        raise ValueError(f"{field}: must be a code of 1-3 letters (e.g. KAZ, D)")
    return text


def _put(lines: list[list[str]], line: int, start: int, text: str) -> None:
    lines[line][start : start + len(text)] = list(text)


def build_mrz(
    fmt: MrzFormat | str,
    *,
    document_code: str,
    issuing_state: str,
    surname: str,
    given_names: str = "",
    document_number: str,
    nationality: str,
    birth_date: datetime.date | None,
    sex: str,
    expiry_date: datetime.date | None,
    optional_data: str = "",
    optional_data_2: str = "",
) -> tuple[str, ...]:
    """The MRZ lines for these fields, with every check digit computed.

    Names may be Cyrillic or Latin: they go through :func:`koshi.documents.translit.to_mrz`
    and are truncated to the field as 9303 does (shortening the primary identifier
    first, the field then ending in a letter). A document number longer than 9
    characters is written the long way (TD1, TD2 only). ``birth_date=None`` writes
    an unknown date (fillers); ``sex`` is M, F or X (written ``<``).

    Raises:
        ValueError: a field that does not fit its format (the message names the field, never its value).

    Examples:
        >>> build_mrz("TD3", document_code="P", issuing_state="UTO", surname="Eriksson", given_names="Anna Maria",
        ...           document_number="L898902C3", nationality="UTO", birth_date=datetime.date(1974, 8, 12),
        ...           sex="F", expiry_date=datetime.date(2012, 4, 15), optional_data="ZE184226B")
        ('P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10')
    """
    fmt = MrzFormat(fmt)
    layout = _LAYOUTS[fmt]
    lines = [[FILLER] * layout.width for _ in range(layout.lines)]
    code = _mrz_text("document_code", document_code, allow_filler=False)
    visa = fmt in (MrzFormat.MRV_A, MrzFormat.MRV_B)
    if not 1 <= len(code) <= 2 or not code.isalpha() or (code[0] == "V") != visa:
        raise ValueError("document_code: 1-2 letters, starting with V for visas (MRV-A/B) and only for them")
    _put(lines, 0, 0, code)
    _put(lines, 0, 2, _country_text("issuing_state", issuing_state))
    name_line, name_start, name_end = layout.name
    _put(lines, name_line, name_start, _name_field(surname, given_names, name_end - name_start))

    number = _mrz_text("document_number", document_number, allow_filler=False)
    opt_line, opt_start, opt_end = layout.optional
    optional = _mrz_text("optional_data", optional_data)
    line, start = layout.doc_number
    if not number:
        raise ValueError("document_number: is empty")
    if len(number) <= _DOC_NUMBER_WIDTH:
        _put(lines, line, start, number.ljust(_DOC_NUMBER_WIDTH, FILLER))
        _put(lines, line, start + _DOC_NUMBER_WIDTH, compute_check_digit(number.ljust(_DOC_NUMBER_WIDTH, FILLER)))
    elif layout.long_number:
        continuation = number[_DOC_NUMBER_WIDTH:] + compute_check_digit(number) + FILLER
        _put(lines, line, start, number[:_DOC_NUMBER_WIDTH])
        optional = continuation + optional
    else:
        raise ValueError(f"document_number: at most 9 characters in {fmt} (no long-number provision)")
    if len(optional) > opt_end - opt_start:
        raise ValueError(f"optional_data: too long for {fmt} (with any long document number continuation)")
    _put(lines, opt_line, opt_start, optional)

    _put(lines, layout.nationality[0], layout.nationality[1], _country_text("nationality", nationality))
    for (line, start), value in ((layout.birth, birth_date), (layout.expiry, expiry_date)):
        text = _date_text(value)
        _put(lines, line, start, text + compute_check_digit(text))
    sex_char = {"M": "M", "F": "F", "X": FILLER, FILLER: FILLER}.get(sex.upper())
    if sex_char is None:
        raise ValueError("sex: must be M, F or X")
    _put(lines, layout.sex[0], layout.sex[1], sex_char)
    if layout.optional_2 is not None:
        line, start, end = layout.optional_2
        extra = _mrz_text("optional_data_2", optional_data_2)
        if len(extra) > end - start:
            raise ValueError(f"optional_data_2: at most {end - start} characters")
        _put(lines, line, start, extra)
    elif optional_data_2:
        raise ValueError(f"optional_data_2: {fmt} has a single optional data field")
    texts = ["".join(line) for line in lines]
    if layout.optional_check is not None:
        line, at = layout.optional_check
        texts[line] = texts[line][:at] + compute_check_digit(texts[line][opt_start:opt_end]) + texts[line][at + 1 :]
    if layout.composite is not None:
        line, at = layout.composite
        data = "".join(texts[span_line][s:e] for span_line, s, e in layout.composite_spans)
        texts[line] = texts[line][:at] + compute_check_digit(data) + texts[line][at + 1 :]
    return tuple(texts)


def fields_of(mrz: Mrz) -> dict[str, object]:
    """The parsed fields as plain values (for comparisons and JSON), without checks, problems or notices."""
    return {
        "format": str(mrz.format),
        "document_code": mrz.document_code,
        "issuing_state": mrz.issuing_state,
        "surname": mrz.surname,
        "given_names": mrz.given_names,
        "name_truncated": mrz.name_truncated,
        "document_number": mrz.document_number,
        "long_document_number": mrz.long_document_number,
        "nationality": mrz.nationality,
        "birth_date": mrz.birth_date,
        "sex": mrz.sex,
        "expiry_date": mrz.expiry_date,
        "optional_data": mrz.optional_data,
        "optional_data_2": mrz.optional_data_2,
    }
