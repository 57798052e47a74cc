"""Kazakh IIN (persons) and BIN (legal entities): structure and check digit.

Both are 12 digits whose last digit is a two-pass weighted mod-11 check digit
(domain notes ``kazakhstan.md`` §6). An IIN starts with the birth date YYMMDD;
its 7th digit gives century and sex. A BIN starts with the registration YYMM;
its 5th digit is the entity type and its 6th the attribute (head office, branch...).
:func:`decode_bin` reads those; :func:`identifier_kind` tells the two apart by
the 5th digit (an IIN's is the tens digit of the birth day, 0-3; a BIN's is 4-6).

The check digit is weaker than it looks. Weight 11 is 0 mod 11, so the 11th
digit does not count at all in the first pass (and the 9th does not count in
the second): changing the last serial digit of most numbers gives another
number with a valid check digit. A single changed digit can also move a
number from one pass to the other and pass by chance. Treat a valid check
digit as "no obvious typo", never as proof that a number was issued.

IINs are personal data: no error message here contains the number, and
:class:`Iin` masks it in ``repr``/``str``.

Examples:
    >>> iin = validate_iin("791028302728")
    >>> iin
    Iin(**********28)
    >>> iin.birth_date, iin.sex
    (datetime.date(1979, 10, 28), 'M')
    >>> is_valid_iin("791028302729")
    False
    >>> decode_bin("971240001315")
    Bin(**********15)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

Sex = Literal["M", "F"]
IinProblem = Literal["format", "century", "birth_date", "never_issued", "check_digit"]
BinProblem = Literal["format", "registration_date", "entity_type", "attribute", "never_issued", "check_digit"]
EntityType = Literal["resident", "non_resident", "joint_entrepreneur"]
BinAttribute = Literal["head_office", "branch", "representative_office", "peasant_farm"]

_WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# 7th IIN digit -> (first year of the century, sex); 0, 7, 8, 9 are not assigned to persons.
_CENTURY_SEX: dict[str, tuple[int, Sex]] = {
    "1": (1800, "M"),
    "2": (1800, "F"),
    "3": (1900, "M"),
    "4": (1900, "F"),
    "5": (2000, "M"),
    "6": (2000, "F"),
}
_BIN_ENTITY_TYPE: dict[str, EntityType] = {
    "4": "resident",  # resident legal entity
    "5": "non_resident",  # non-resident legal entity
    "6": "joint_entrepreneur",  # individual entrepreneur in joint business (ИП(С))
}
_BIN_ATTRIBUTE: dict[str, BinAttribute] = {
    "0": "head_office",
    "1": "branch",
    "2": "representative_office",
    "3": "peasant_farm",  # peasant or farm enterprise in joint business
}
_BIN_ENTITY_TYPES = frozenset(_BIN_ENTITY_TYPE)
_BIN_ATTRIBUTES = frozenset(_BIN_ATTRIBUTE)
ENTITY_TYPE_LABELS: dict[EntityType, str] = {
    "resident": "resident legal entity",
    "non_resident": "non-resident legal entity",
    "joint_entrepreneur": "individual entrepreneur in joint business",
}
ATTRIBUTE_LABELS: dict[BinAttribute, str] = {
    "head_office": "head office",
    "branch": "branch",
    "representative_office": "representative office",
    "peasant_farm": "peasant or farm enterprise in joint business",
}
BIN_CENTURY_PIVOT = 90
"""Registration years 90-99 are read as 1990s and 00-89 as 2000s: Kazakh legal entities date from 1991 on."""


class InvalidIin(ValueError):
    """Not a valid IIN. The message is safe to show and to log: it never contains the number."""

    def __init__(self, problem: IinProblem, reason: str) -> None:
        super().__init__(reason)
        self.problem: IinProblem = problem
        self.reason = reason


class InvalidBin(ValueError):
    """Not a valid BIN. The message never contains the number."""

    def __init__(self, problem: BinProblem, reason: str) -> None:
        super().__init__(reason)
        self.problem: BinProblem = problem
        self.reason = reason


def _is_digits(value: str, length: int) -> bool:
    # str.isdigit() alone would accept other scripts' digits and superscripts.
    return len(value) == length and value.isascii() and value.isdigit()


def check_digit(first11: str) -> int | None:
    """The check digit for the first 11 digits of an IIN or BIN, or None if none exists.

    None means both passes gave 10; such numbers are never issued.

    Raises:
        ValueError: ``first11`` is not exactly 11 ASCII digits.

    Examples:
        >>> check_digit("79102830272")
        8
        >>> check_digit("06121160001")
        2
    """
    if not _is_digits(first11, 11):
        raise ValueError("expected exactly 11 digits")
    digits = [int(c) for c in first11]
    for weights in (_WEIGHTS_FIRST, _WEIGHTS_SECOND):
        c = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if c != 10:
            return c
    return None


def mask(value: str) -> str:
    """The value for display: every character but the last two replaced by ``*``.

    Values of four characters or fewer are masked entirely, since two characters
    would give away half of them.

    Examples:
        >>> mask("791028302728")
        '**********28'
        >>> mask("1234")
        '****'
    """
    keep = 2 if len(value) > 4 else 0
    return "*" * (len(value) - keep) + value[len(value) - keep :]


@dataclass(frozen=True, slots=True, repr=False)
class Iin:
    """A validated IIN. Build it with :func:`validate_iin`.

    ``repr`` and ``str`` are masked so that logging the object, or an object
    holding it, does not leak the number; use ``.value`` where the full number
    is really needed (storage, matching).
    """

    value: str
    birth_date: datetime.date
    sex: Sex

    @property
    def century(self) -> int:
        """The century of birth as its first year (1800, 1900 or 2000), as the 7th digit says.

        Examples:
            >>> validate_iin("061211600012").century
            2000
        """
        return self.birth_date.year // 100 * 100

    def __repr__(self) -> str:
        return f"Iin({mask(self.value)})"

    def __str__(self) -> str:
        return mask(self.value)


def _check_checksum(value: str) -> Literal["never_issued", "check_digit"] | None:
    expected = check_digit(value[:11])
    if expected is None:
        return "never_issued"
    if expected != int(value[11]):
        return "check_digit"
    return None


def validate_iin(value: str) -> Iin:
    """Check an IIN's format, century digit, birth date and check digit.

    Structural problems are reported before the check digit, because they say
    more precisely what is wrong.

    Raises:
        InvalidIin: with a reason that never contains the number.

    Examples:
        >>> validate_iin("061211600012").sex
        'F'
        >>> validate_iin("061311600012")
        Traceback (most recent call last):
        ...
        koshi.documents.iin.InvalidIin: the birth date in digits 1-6 (YYMMDD) is not a real date
    """
    if not _is_digits(value, 12):
        raise InvalidIin("format", f"an IIN must be exactly 12 digits (got {len(value)} characters)")
    century_sex = _CENTURY_SEX.get(value[6])
    if century_sex is None:
        raise InvalidIin("century", "the 7th digit (century and sex) must be 1-6")
    century, sex = century_sex
    try:
        birth_date = datetime.date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise InvalidIin("birth_date", "the birth date in digits 1-6 (YYMMDD) is not a real date") from None
    problem = _check_checksum(value)
    if problem == "never_issued":
        raise InvalidIin(problem, "no check digit exists for these first 11 digits, so this IIN is never issued")
    if problem == "check_digit":
        raise InvalidIin(problem, "the check digit (12th digit) is wrong; the number was probably mistyped")
    return Iin(value=value, birth_date=birth_date, sex=sex)


def is_valid_iin(value: str) -> bool:
    """True if :func:`validate_iin` accepts the value.

    Examples:
        >>> is_valid_iin("791028302728"), is_valid_iin("not an iin")
        (True, False)
    """
    try:
        validate_iin(value)
    except InvalidIin:
        return False
    return True


@dataclass(frozen=True, slots=True, repr=False)
class Bin:
    """A validated, decoded BIN. Build it with :func:`decode_bin`; ``repr`` and ``str`` are masked."""

    value: str
    registration_year: int
    registration_month: int
    entity_type: EntityType
    attribute: BinAttribute

    def __repr__(self) -> str:
        return f"Bin({mask(self.value)})"

    def __str__(self) -> str:
        return mask(self.value)


def validate_bin(value: str) -> str:
    """Check a BIN's format, entity type (5th digit), attribute (6th digit) and check digit.

    The registration year and month (digits 1-4) are not checked.

    Raises:
        InvalidBin: with a reason that never contains the number.

    Examples:
        >>> validate_bin("971240001315")
        '971240001315'
    """
    if not _is_digits(value, 12):
        raise InvalidBin("format", f"a BIN must be exactly 12 digits (got {len(value)} characters)")
    if value[4] not in _BIN_ENTITY_TYPES:
        raise InvalidBin("entity_type", "the 5th digit (entity type) must be 4, 5 or 6")
    if value[5] not in _BIN_ATTRIBUTES:
        raise InvalidBin("attribute", "the 6th digit (attribute) must be 0-3")
    problem = _check_checksum(value)
    if problem == "never_issued":
        raise InvalidBin(problem, "no check digit exists for these first 11 digits, so this BIN is never issued")
    if problem == "check_digit":
        raise InvalidBin(problem, "the check digit (12th digit) is wrong; the number was probably mistyped")
    return value


def decode_bin(value: str) -> Bin:
    """Validate a BIN (as :func:`validate_bin`) and decode its registration date, entity type and attribute.

    Unlike :func:`validate_bin`, the registration month (digits 3-4) must be 01-12.
    The year is read with :data:`BIN_CENTURY_PIVOT`.

    Raises:
        InvalidBin: with a reason that never contains the number.

    Examples:
        >>> b = decode_bin("971240001315")
        >>> b.registration_year, b.registration_month, b.entity_type, b.attribute
        (1997, 12, 'resident', 'head_office')
    """
    validate_bin(value)
    month = int(value[2:4])
    if not 1 <= month <= 12:
        raise InvalidBin("registration_date", "the registration month in digits 3-4 (YYMM) must be 01-12")
    yy = int(value[0:2])
    return Bin(
        value=value,
        registration_year=(1900 if yy >= BIN_CENTURY_PIVOT else 2000) + yy,
        registration_month=month,
        entity_type=_BIN_ENTITY_TYPE[value[4]],
        attribute=_BIN_ATTRIBUTE[value[5]],
    )


def identifier_kind(value: str) -> Literal["iin", "bin"]:
    """Whether a 12-digit number is laid out as an IIN or a BIN, by its 5th digit.

    An IIN's 5th digit is the tens digit of the birth day (0-3); a BIN's is the
    entity type (4-6). Anything else is called an IIN, so that validating it gives
    the IIN's reasons. Says nothing about validity.

    Examples:
        >>> identifier_kind("791028302728"), identifier_kind("971240001315")
        ('iin', 'bin')
    """
    return "bin" if len(value) >= 5 and value[4] in _BIN_ENTITY_TYPES else "iin"
