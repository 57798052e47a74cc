"""Seeded corruption of traveller identities, the way the people who type them get them wrong.

Record linkage is only tested if the same person arrives under different spellings.
:func:`corrupt_identities` takes a table with the traveller columns of
:mod:`koshi.registry.schema` (``surname``, ``given_names``, ``birth_date`` as date32,
``sex``, ``doc_number``; other columns pass through) and, where known, the Cyrillic
spelling of each name, and returns the table with identities corrupted at the rates of a
:class:`Corruption`, plus one bit per row and kind saying what was done (the truth of a
linkage evaluation, and diagnostics of its errors). Everything is column-wise: names are
transliterated once per distinct name, edits are made on code-point matrices with numpy.

Kinds (each applied with its rate among the rows where it can apply; the order below is
the order they are applied in, so a typo can hit a transliterated name):

- ``translit_variant``: the name written from its Cyrillic by another system than the
  document's: the 1997-2010 Russian passport rules (Юлия → YULIYA, Юрий → YURIY), BGN/PCGN
  (NATAL'YA, ARTYOM), GOST 7.79 system B (Щ → SHH, Х → X, Ц → CZ/C, Й → J, Ы → Y'), a
  German-style spelling (IWANOW, JURIJ, SCHEWTSCHENKO), or the Cyrillic itself (a host
  typing Иванов). The German style keeps the 1997 letters where the German ones (Х → CH,
  Ж → SH, З → S, Ц → Z) would not fold to the same :func:`~koshi.documents.translit.match_key`
  (``docs/documents.md`` §3.2 lists those gaps). A variant is used only when it folds to
  the key of the name as the document prints it (:func:`variant`); the names of
  :mod:`koshi.synth.names` for which some system cannot are listed by :func:`unfoldable`.
  Names without a Cyrillic form get typos only.
- ``drop_second_given``, ``missing_given_names``: a second given name left out (forms with
  one first-name field), the given names left empty.
- ``typo``: one edit in the surname or the given names: a keyboard neighbour (QWERTY for
  Latin, ЙЦУКЕН for Cyrillic, the base letter for Kazakh, Uzbek and Tajik letters), a
  letter deleted or inserted (a neighbour or the same letter again), or two adjacent
  letters swapped: the four single edits behind about 80% of misspellings (Damerau 1964).
- ``swap_names``: surname and given names in each other's field.
- ``missing_birth_date``; ``day_month_swap`` (only where the day is 12 or less and differs
  from the month, since other swaps make no date); ``birth_day_typo`` (one digit of the
  day, still a date of that month). Never on a row with an ``iin``: systems fill the
  birth date from the population register by IIN, and feed validation checks the two agree.
- ``missing_sex``.
- ``doc_number_typo``: one character of the document number replaced by a keyboard
  neighbour (digits by the next digit on the top row), so the number keeps its shape and
  passes feed validation. The typed number is a *new* travel document for the registry;
  it never equals a number in ``reserved_doc_numbers``, in the table, or another row's
  new number for another document, so a typo never merges two people.

Default rates, per source (:data:`APPLICANT`, :data:`HOST`, :data:`OFFICER`,
:data:`BORDER_TYPED`, :data:`POLICE`; the feeds use them through :class:`FeedCorruption`).
They are illustrative, set from how each source is typed, not measured:

- *QazETA applicants* type their own data into a Latin-only web form, copying from the
  passport: typos 2% and document number typos 1% (hand-keyed fields, no checking
  against the MRZ); 1.5% swap surname and given names (family-name-first cultures, a
  two-field form); 1% of the dates that allow it swapped day and month (month-first
  locales, date pickers); 15% of those with two given names give one; 2% of names with
  a Cyrillic form written in a habitual older spelling (YULIYA for the 2014 ICAO IULIIA).
  Birth date and sex are required fields, so never missing.
- *Hosts* (E-Qonaq, hotels, landlords) type from a passport copy, often in Cyrillic or
  in their own transliteration: 15% variants (40% of them Cyrillic), typos 3%, document
  number typos 1.5%, birth date missing 3% and sex 2% (optional in practice), 20% of
  second given names dropped.
- *Migration officers* (permits) check the document at a counter: 5% variants, typos
  0.8%, document number typos 0.3%, the rest at 0.1-0.5%.
- *Border officers* at land crossings type Russian internal passports, which have no MRZ,
  from the Cyrillic under time pressure: 25% variants, 2% typos; the document number is
  never corrupted there (:class:`FeedCorruption` refuses it), since a border event is
  matched to the document it scanned.
- *Migration police* records (the left side of :mod:`koshi.synth.linkage`) are mostly
  read from the MRZ: 1% variants, typos 0.3%, other kinds 0.1-0.2%.

Examples:
    >>> variant("IULIIA", "Юлия", "passport_1997"), variant("IURII", "Юрий", "german")
    ('YULIYA', 'JURIJ')
    >>> variant("SHCHUKIN", "Щукин", "gost_b"), variant("NATALIA", "Наталья", "bgn_pcgn")
    ('SHHUKIN', "NATAL'YA")
    >>> variant("MAMMADOV", "Мамедов", "passport_1997") is None  # MAMEDOV is another key
    True
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from koshi.documents.translit import NotTransliterable, match_key, to_latin

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

SYSTEMS = ("passport_1997", "bgn_pcgn", "gost_b", "german", "cyrillic")
"""Ways of writing a Cyrillic name other than the document's own (see the module docstring)."""

KINDS = (
    "translit_variant",
    "drop_second_given",
    "missing_given_names",
    "typo",
    "swap_names",
    "missing_birth_date",
    "day_month_swap",
    "birth_day_typo",
    "missing_sex",
    "doc_number_typo",
)
"""The corruptions, in the order they are applied; bit ``i`` of a row's flags is ``KINDS[i]``."""


@dataclass(frozen=True, slots=True)
class Corruption:
    """Per-row rates of each kind of corruption (see :data:`KINDS`) and the weights of :data:`SYSTEMS`.

    A rate is the probability that a row is corrupted that way *where the kind applies*
    (a second given name to drop, a day of 12 or less to swap...).
    """

    translit_variant: float = 0.0
    drop_second_given: float = 0.0
    missing_given_names: float = 0.0
    typo: float = 0.0
    swap_names: float = 0.0
    missing_birth_date: float = 0.0
    day_month_swap: float = 0.0
    birth_day_typo: float = 0.0
    missing_sex: float = 0.0
    doc_number_typo: float = 0.0
    systems: tuple[float, float, float, float, float] = (40.0, 25.0, 10.0, 5.0, 20.0)

    def __post_init__(self) -> None:
        for kind in KINDS:
            value = getattr(self, kind)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{kind} must be between 0 and 1, got {value}")
        if len(self.systems) != len(SYSTEMS) or min(self.systems) < 0 or sum(self.systems) <= 0:
            raise ValueError(f"systems must be {len(SYSTEMS)} non-negative weights, not all zero ({SYSTEMS})")

    def rate(self, kind: str) -> float:
        """The rate of one of :data:`KINDS`."""
        if kind not in KINDS:
            raise ValueError(f"unknown corruption {kind!r}; known: {', '.join(KINDS)}")
        return float(getattr(self, kind))

    @property
    def clean(self) -> bool:
        """No corruption at all."""
        return all(getattr(self, kind) == 0.0 for kind in KINDS)


APPLICANT = Corruption(
    translit_variant=0.02,
    drop_second_given=0.15,
    missing_given_names=0.003,
    typo=0.02,
    swap_names=0.015,
    day_month_swap=0.01,
    birth_day_typo=0.003,
    doc_number_typo=0.01,
    systems=(60.0, 30.0, 0.0, 10.0, 0.0),
)
"""QazETA: typed by the traveller in a Latin-only form (see the module docstring)."""

HOST = Corruption(
    translit_variant=0.15,
    drop_second_given=0.2,
    missing_given_names=0.005,
    typo=0.03,
    swap_names=0.01,
    missing_birth_date=0.03,
    day_month_swap=0.005,
    birth_day_typo=0.005,
    missing_sex=0.02,
    doc_number_typo=0.015,
    systems=(35.0, 15.0, 5.0, 5.0, 40.0),
)
"""Registrations: typed by hosts, often in Cyrillic."""

OFFICER = Corruption(
    translit_variant=0.05,
    drop_second_given=0.05,
    missing_given_names=0.001,
    typo=0.008,
    swap_names=0.002,
    missing_birth_date=0.002,
    day_month_swap=0.002,
    birth_day_typo=0.002,
    missing_sex=0.005,
    doc_number_typo=0.003,
    systems=(40.0, 10.0, 20.0, 0.0, 30.0),
)
"""Permits: typed by migration officers from the document."""

BORDER_TYPED = Corruption(
    translit_variant=0.25,
    missing_given_names=0.002,
    typo=0.02,
    swap_names=0.003,
    missing_birth_date=0.002,
    day_month_swap=0.003,
    birth_day_typo=0.003,
    missing_sex=0.005,
    systems=(50.0, 25.0, 10.0, 5.0, 10.0),
)
"""Border events on documents without an MRZ (Russian internal passports), typed by the officer."""

POLICE = Corruption(
    translit_variant=0.01,
    drop_second_given=0.02,
    missing_given_names=0.001,
    typo=0.003,
    swap_names=0.001,
    missing_birth_date=0.002,
    day_month_swap=0.001,
    birth_day_typo=0.001,
    missing_sex=0.002,
    doc_number_typo=0.001,
    systems=(40.0, 20.0, 10.0, 0.0, 30.0),
)
"""Migration police records: mostly read from the MRZ."""


@dataclass(frozen=True, slots=True)
class FeedCorruption:
    """How each feed of :func:`koshi.synth.feeds.generate_feeds` is corrupted.

    ``border_events`` applies only to crossings on a document without an MRZ (Russian
    identity cards): the others are read from the MRZ and stay clean.
    """

    authorizations: Corruption = APPLICANT
    border_events: Corruption = BORDER_TYPED
    registrations: Corruption = HOST
    permits: Corruption = OFFICER

    def __post_init__(self) -> None:
        if self.border_events.doc_number_typo:
            raise ValueError("border events are matched to the scanned document: doc_number_typo must be 0 there")


# --- transliteration variants ------------------------------------------------------------------

_VOWELS = frozenset("АЕЁИОУЫЭЮЯІЇЄӘӨҰҮЎӮ")
_GLIDE_AFTER = _VOWELS | frozenset("ЙЪЬ")
"""After these (and at the start of a word) Е is written with a glide by BGN (YE) and German (JE)."""

# fmt: off
_1997 = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Е": "E", "Ё": "E", "Ж": "ZH", "З": "Z", "И": "I",
    "Й": "Y", "К": "K", "Л": "L", "М": "M", "Н": "N", "О": "O", "П": "P", "Р": "R", "С": "S", "Т": "T",
    "У": "U", "Ф": "F", "Х": "KH", "Ц": "TS", "Ч": "CH", "Ш": "SH", "Щ": "SHCH", "Ъ": "", "Ы": "Y", "Ь": "",
    "Э": "E", "Ю": "YU", "Я": "YA",
    # the other letters of the traditions: Ukrainian, Belarusian, Kazakh, Uzbek, Tajik, Kyrgyz, Mongolian
    "І": "I", "Ї": "YI", "Є": "YE", "Ґ": "G", "Ў": "U", "Ә": "A", "Ғ": "G", "Қ": "K", "Ң": "N", "Ө": "O",
    "Ұ": "U", "Ү": "U", "Һ": "H", "Ҳ": "H", "Ҷ": "J", "Ӯ": "U",
}
_TABLES: dict[str, dict[str, str]] = {
    "passport_1997": _1997,
    "bgn_pcgn": {**_1997, "Ё": "YO", "Ь": "'"},
    "gost_b": {**_1997, "Ё": "YO", "Й": "J", "Х": "X", "Щ": "SHH", "Ъ": "``", "Ы": "Y'", "Ь": "`", "Э": "E`"},
    "german": {**_1997, "В": "W", "Ё": "JO", "Й": "J", "Ч": "TSCH", "Ш": "SCH", "Щ": "SCHTSCH", "Ю": "JU",
               "Я": "JA", "Ї": "JI", "Є": "JE"},
}
# fmt: on
_GLIDE_E = {"bgn_pcgn": "YE", "german": "JE"}
_CZ_BEFORE = frozenset("ЕЁИЫЙЭЮЯІЇЄ")
"""GOST 7.79 B writes Ц as CZ before the letters it writes with E, I, Y or J, else C."""


def transliterate(cyrillic: str, system: str) -> str:
    """``cyrillic`` written by one of :data:`SYSTEMS` (the Cyrillic itself for ``"cyrillic"``).

    Raises:
        ValueError: an unknown system.
        NotTransliterable: a character no system here writes in Latin.

    Examples:
        >>> [transliterate("Алексеев", s) for s in SYSTEMS]
        ['ALEKSEEV', 'ALEKSEYEV', 'ALEKSEEV', 'ALEKSEJEW', 'Алексеев']
        >>> transliterate("Цыганов Цой", "gost_b")
        "CZY'GANOV COJ"
    """
    if system == "cyrillic":
        return cyrillic
    if system not in _TABLES:
        raise ValueError(f"unknown system {system!r}; known: {', '.join(SYSTEMS)}")
    table = _TABLES[system]
    text = cyrillic.upper()
    out: list[str] = []
    for i, char in enumerate(text):
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if char == "Е" and system in _GLIDE_E and (before in _GLIDE_AFTER or not before.isalpha()):
            out.append(_GLIDE_E[system])
        elif char == "Ц" and system == "gost_b":
            out.append("CZ" if after in _CZ_BEFORE else "C")
        elif char in table:
            out.append(table[char])
        elif char.isalpha():
            out.append(to_latin(char))
        else:
            out.append(char)
    return "".join(out)


@functools.lru_cache(maxsize=65_536)
def variant(latin: str, cyrillic: str, system: str) -> str | None:
    """``cyrillic`` written by ``system``, if it folds to the same match key as ``latin`` (else None).

    ``latin`` is the name as the document prints it; a variant with another key would be
    another name for the linkage, not a spelling of this one (see :func:`unfoldable`).
    """
    try:
        written = transliterate(cyrillic, system)
    except NotTransliterable:
        return None
    return written if match_key(written) == match_key(latin) else None


def unfoldable(names: Sequence[tuple[str, str | None]]) -> list[tuple[str, str, str]]:
    """The ``(latin, cyrillic, system)`` of ``names`` whose variant has another match key (never used).

    >>> unfoldable([("IULIIA", "Юлия"), ("HOVHANNISYAN", "Оганесян")])[:2]
    [('HOVHANNISYAN', 'Оганесян', 'passport_1997'), ('HOVHANNISYAN', 'Оганесян', 'bgn_pcgn')]
    """
    return [
        (latin, cyr, system)
        for latin, cyr in names
        if cyr is not None
        for system in SYSTEMS
        if variant(latin, cyr, system) is None
    ]


# --- keyboards ---------------------------------------------------------------------------------

_QWERTY = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
_JCUKEN = ("ЙЦУКЕНГШЩЗХЪ", "ФЫВАПРОЛДЖЭ", "ЯЧСМИТЬБЮ")
_DIGITS = "1234567890"
_BASE_LETTER = {
    "Ё": "ЕЙ", "Ә": "А", "Ғ": "Г", "Қ": "К", "Ң": "Н", "Ө": "О", "Ұ": "У", "Ү": "У", "Һ": "Х", "І": "ИЫ",
    "Ї": "І", "Є": "Е", "Ґ": "Г", "Ў": "У", "Ҳ": "Х", "Ҷ": "Ч", "Ӯ": "У",
}  # fmt: skip
"""Letters off the Russian keyboard: typed as the nearest Russian letter (a Kazakh Қ as К...)."""
_LIMIT = 0x500  # code points below this: Latin, Cyrillic
_MAX_NEIGHBOURS = 8


def _keyboard() -> tuple[npt.NDArray[np.uint32], IntArray]:
    """Per code point, its neighbours on the keyboard (padded) and how many."""
    near: dict[str, str] = {}
    for rows in (_QWERTY, _JCUKEN):
        for r, row in enumerate(rows):
            for j, char in enumerate(row):
                around = [row[j - 1] if j else "", row[j + 1] if j + 1 < len(row) else ""]
                if r > 0:
                    around += [rows[r - 1][k] for k in (j, j + 1) if k < len(rows[r - 1])]
                if r + 1 < len(rows):
                    around += [rows[r + 1][k] for k in (j - 1, j) if 0 <= k < len(rows[r + 1])]
                near[char] = "".join(around)
    near.update((c, _DIGITS[j - 1 : j] + _DIGITS[j + 1 : j + 2]) for j, c in enumerate(_DIGITS))
    near.update(_BASE_LETTER)
    near.update({c.lower(): n.lower() for c, n in near.items() if c.lower() != c})
    table = np.zeros((_LIMIT, _MAX_NEIGHBOURS), dtype=np.uint32)
    count = np.zeros(_LIMIT, dtype=np.int64)
    for char, spots in near.items():
        table[ord(char), : len(spots)] = [ord(a) for a in spots]
        count[ord(char)] = len(spots)
    return table, count


_NEAR, _NEAR_COUNT = _keyboard()

SUBSTITUTE, DELETE, INSERT, TRANSPOSE = range(4)
EDIT_WEIGHTS = (0.4, 0.2, 0.2, 0.2)
"""Shares of substitutions, deletions, insertions and transpositions among typos."""


def _nth_true(mask: BoolArray, u: npt.NDArray[np.float64]) -> IntArray:
    """Per row, a column where ``mask`` is true, uniformly (rows without one: 0)."""
    count = mask.sum(axis=1)
    rank = np.floor(u * count).astype(np.int64)
    return np.asarray(np.argmax(np.cumsum(mask, axis=1) > rank[:, None], axis=1), dtype=np.int64)


def _near(cp: npt.NDArray[np.uint32], u: npt.NDArray[np.float64]) -> npt.NDArray[np.uint32]:
    """A keyboard neighbour of each code point (which must have one)."""
    idx = np.minimum(cp, _LIMIT - 1).astype(np.int64)
    pick = np.floor(u * _NEAR_COUNT[idx]).astype(np.int64)
    return np.asarray(_NEAR[idx, pick], dtype=np.uint32)


def typos(
    values: Sequence[str] | pa.Array, rng: np.random.Generator, weights: Sequence[float] = EDIT_WEIGHTS
) -> tuple[pa.Array, BoolArray]:
    """One edit in each of ``values`` (no nulls); ``weights`` of substitution, deletion, insertion, transposition.

    Only letters (and digits) with keyboard neighbours are edited; a value without
    any is returned unchanged, ``False`` in the returned mask. A deletion needs two
    such characters and a transposition two different adjacent ones; otherwise the edit
    is a substitution.

    >>> new, done = typos(["IVANOV", "Иванов", "--"], np.random.default_rng(1))
    >>> new.to_pylist(), done.tolist()
    (['IVANO', 'Иавнов', '--'], [True, True, False])
    """
    raw = values.to_numpy(zero_copy_only=False) if isinstance(values, pa.Array) else list(values)
    texts = np.asarray(raw, dtype=np.str_)
    k = len(texts)
    if k == 0:
        return pa.array([], pa.string()), np.zeros(0, dtype=bool)
    width = max(texts.dtype.itemsize // 4, 1)
    cp = np.zeros((k, width + 2), dtype=np.uint32)
    cp[:, :width] = texts.astype(f"<U{width}").view(np.uint32).reshape(k, width)
    editable = (cp < _LIMIT) & (_NEAR_COUNT[np.minimum(cp, _LIMIT - 1).astype(np.int64)] > 0)
    pair = editable[:, :-1] & editable[:, 1:] & (cp[:, :-1] != cp[:, 1:])
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64) / sum(weights))
    kind = np.minimum(np.searchsorted(cdf, rng.random(k), side="right"), 3)
    kind = np.where((kind == TRANSPOSE) & ~pair.any(axis=1), SUBSTITUTE, kind)
    kind = np.where((kind == DELETE) & (editable.sum(axis=1) < 2), SUBSTITUTE, kind)
    eligible = np.where((kind == TRANSPOSE)[:, None], np.c_[pair, np.zeros(k, bool)], editable)
    done = eligible.any(axis=1)
    pos = _nth_true(eligible, rng.random(k))[:, None]
    char = cp[np.arange(k), pos[:, 0]]
    double = (kind == INSERT) & (rng.random(k) < 0.25)
    new_char = np.where(double, char, _near(char, rng.random(k)))
    j = np.arange(width + 1)[None, :]
    k_ = kind[:, None]
    src = np.select(
        [k_ == DELETE, k_ == INSERT, (k_ == TRANSPOSE) & (j == pos), (k_ == TRANSPOSE) & (j == pos + 1)],
        [j + (j >= pos), j - (j > pos), pos + 1, pos],
        j,
    )
    out = np.take_along_axis(cp, np.asarray(src, dtype=np.int64), axis=1)
    put = (kind == SUBSTITUTE) | (kind == INSERT)
    out[put, pos[put, 0]] = new_char[put]
    out[~done] = cp[~done, : width + 1]
    result = np.ascontiguousarray(out).view(f"<U{width + 1}").reshape(k)
    return pa.array(result, pa.string()), np.asarray(done, dtype=bool)


# --- the corruption ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Corrupted:
    """A corrupted table and, per row, a bit per kind of :data:`KINDS` that was applied."""

    table: pa.Table
    flags: npt.NDArray[np.uint16]

    def applied(self, kind: str) -> BoolArray:
        """Rows corrupted by ``kind``."""
        return np.asarray((self.flags >> KINDS.index(kind)) & 1, dtype=bool)

    @property
    def any(self) -> BoolArray:
        """Rows corrupted at all."""
        return np.asarray(self.flags != 0, dtype=bool)

    def flag_columns(self, rows: IntArray | BoolArray | None = None) -> dict[str, pa.Array]:
        """One boolean column per kind (for ``rows``, default all)."""
        flags = self.flags if rows is None else self.flags[rows]
        return {kind: pa.array(((flags >> i) & 1).astype(bool)) for i, kind in enumerate(KINDS)}


def _flat(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _valid(arr: pa.Array) -> BoolArray:
    return np.asarray(pc.is_valid(arr).to_numpy(zero_copy_only=False), dtype=bool)


def _replace(arr: pa.Array, rows: IntArray, values: pa.Array) -> pa.Array:
    """``arr`` with ``rows`` (sorted, distinct) set to ``values``."""
    if not len(rows):
        return arr
    mask = np.zeros(len(arr), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(arr, pa.array(mask), values.cast(arr.type))


def _variants(latin: pa.Array, cyrillic: pa.Array, system: IntArray, rows: IntArray) -> tuple[pa.Array, BoolArray]:
    """The variants of ``latin`` at ``rows`` by ``system`` (null where none), computed once per distinct name."""
    both = pc.binary_join_element_wise(latin.take(pa.array(rows)), cyrillic.take(pa.array(rows)), "\x1f")
    enc = pc.dictionary_encode(both)
    vocab: list[str | None] = []
    for pair in enc.dictionary.to_pylist():
        lat, cyr = pair.split("\x1f")
        vocab.extend(variant(lat, cyr, s) for s in SYSTEMS)
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    idx = codes * len(SYSTEMS) + system[rows]
    written = pc.take(pa.array(vocab, pa.string()), pa.array(np.maximum(idx, 0), mask=codes < 0))
    return written, _valid(written)


def _digit_typo_days(rng: np.random.Generator, day: IntArray, month_days: IntArray) -> IntArray:
    """Per row, a day of the month differing from ``day`` in one of its two digits (as DD)."""
    cand = np.arange(1, 32)[None, :]
    d = day[:, None]
    ok = (cand != d) & (cand <= month_days[:, None]) & ((cand // 10 == d // 10) | (cand % 10 == d % 10))
    return np.asarray(cand[0, _nth_true(ok, rng.random(len(day)))], dtype=np.int64)


def _doc_typos(
    rng: np.random.Generator, numbers: pa.Array, rows: IntArray, forbidden: pa.Array
) -> tuple[pa.Array, BoolArray]:
    """One substituted character in ``numbers[rows]`` that makes no number already in use (a few tries)."""
    original = numbers.take(pa.array(rows))
    new = original
    done = np.zeros(len(rows), dtype=bool)
    todo = np.arange(len(rows))
    for _ in range(6):
        if not len(todo):
            break
        attempt, ok = typos(original.take(pa.array(todo)), rng, (1.0, 0.0, 0.0, 0.0))
        # look the few attempts up in the many numbers in use (hashing the small side)
        in_use = forbidden.filter(pc.is_in(forbidden, value_set=attempt))
        clash = np.asarray(pc.is_in(attempt, value_set=in_use).to_numpy(zero_copy_only=False), bool)
        trial = _replace(new, todo, attempt)
        good = ok & ~clash & ~_shared(trial, original)[todo]
        new = _replace(new, todo[good], attempt.filter(pa.array(good)))
        done[todo[good]] = True
        todo = todo[~good]
    new = pc.if_else(pa.array(done), new, original)
    return new, done


def _shared(new: pa.Array, original: pa.Array) -> BoolArray:
    """Rows whose new number is also another row's new number for a different original document."""
    t = pa.table({"new": new, "original": original})
    groups = t.group_by("new").aggregate([("original", "count_distinct")])
    bad = groups.filter(pc.greater(groups.column("original_count_distinct"), 1)).column("new")
    return np.asarray(pc.is_in(new, value_set=bad.combine_chunks()).to_numpy(zero_copy_only=False), bool)


def corrupt_identities(
    table: pa.Table,
    rates: Corruption,
    rng: np.random.Generator,
    *,
    surname_cyrillic: pa.Array | pa.ChunkedArray | None = None,
    given_names_cyrillic: pa.Array | pa.ChunkedArray | None = None,
    reserved_doc_numbers: pa.Array | pa.ChunkedArray | None = None,
) -> Corrupted:
    """``table`` with its identity columns corrupted at ``rates``; other columns unchanged.

    ``surname_cyrillic`` and ``given_names_cyrillic`` (one per row, null where there is
    none) are the Cyrillic spellings behind the names; without them there are no
    transliteration variants. ``reserved_doc_numbers`` are numbers a typo must not
    produce (every real document). Each kind draws from its own stream spawned from
    ``rng``, so changing one rate does not move the rows another kind picks.

    Raises:
        ValueError: a missing column, or ``birth_date`` not a date32 column.
    """
    needed = ("surname", "given_names", "birth_date", "sex", "doc_number")
    missing = [c for c in needed if c not in table.column_names]
    if missing:
        raise ValueError(f"missing column(s) to corrupt: {', '.join(missing)}")
    if table.schema.field("birth_date").type != pa.date32():
        raise ValueError("birth_date must be a date32 column")
    n = table.num_rows
    streams = dict(zip(KINDS, rng.spawn(len(KINDS)), strict=True))
    drawn = {kind: streams[kind].random(n) < rates.rate(kind) for kind in KINDS}
    flags = np.zeros(n, dtype=np.uint16)

    def flag(kind: str, rows: IntArray | BoolArray) -> None:
        flags[rows] |= np.uint16(1 << KINDS.index(kind))

    surname = _flat(table.column("surname")).cast(pa.string())
    given = _flat(table.column("given_names")).cast(pa.string())

    # transliteration variants: one system per row, for every name part with a Cyrillic form
    if rates.translit_variant and (surname_cyrillic is not None or given_names_cyrillic is not None):
        rng_v = streams["translit_variant"]
        cdf = np.cumsum(np.asarray(rates.systems) / sum(rates.systems))
        system = np.minimum(np.searchsorted(cdf, rng_v.random(n), side="right"), len(SYSTEMS) - 1)
        # a row is written in one system throughout: if one of its names has no variant, neither changes
        pending = []
        row_ok = drawn["translit_variant"].copy()
        for latin, cyr in ((surname, surname_cyrillic), (given, given_names_cyrillic)):
            if cyr is None:
                continue
            cyr_flat = _flat(cyr).cast(pa.string())
            rows = np.flatnonzero(drawn["translit_variant"] & _valid(cyr_flat) & _valid(latin))
            written, ok = _variants(latin, cyr_flat, system, rows)
            row_ok[rows[~ok]] = False
            pending.append((rows, written))
        changed_any = np.zeros(n, dtype=bool)
        parts = {0: surname, 1: given}
        names = [i for i, c in enumerate((surname_cyrillic, given_names_cyrillic)) if c is not None]
        for i, (rows, written) in zip(names, pending, strict=True):
            latin = parts[i]
            keep = row_ok[rows]
            rows, written = rows[keep], written.filter(pa.array(keep))
            differs = np.asarray(pc.not_equal(written, latin.take(pa.array(rows))).to_numpy(zero_copy_only=False), bool)
            changed_any[rows[differs]] = True
            parts[i] = _replace(latin, rows[differs], written.filter(pa.array(differs)))
        surname, given = parts[0], parts[1]
        flag("translit_variant", changed_any)

    # given names: a second one dropped, or all left out
    has_given = _valid(given)
    two = has_given & np.asarray(
        pc.fill_null(pc.match_substring(given, " "), False).to_numpy(zero_copy_only=False), bool
    )
    dropped = drawn["drop_second_given"] & two
    rows = np.flatnonzero(dropped)
    given = _replace(given, rows, pc.list_element(pc.utf8_split_whitespace(given.take(pa.array(rows))), 0))
    flag("drop_second_given", rows)
    left_out = drawn["missing_given_names"] & has_given & ~dropped
    given = pc.if_else(pa.array(left_out), pa.scalar(None, pa.string()), given)
    flag("missing_given_names", left_out)

    # one typo in the surname or the given names
    has_given = _valid(given)
    rows = np.flatnonzero(drawn["typo"] & _valid(surname))
    if len(rows):
        rng_t = streams["typo"]
        in_given = has_given[rows] & (rng_t.random(len(rows)) < 0.4)
        for is_given, col in ((False, surname), (True, given)):
            part = rows[in_given == is_given]
            new, done = typos(col.take(pa.array(part)), rng_t)
            col = _replace(col, part[done], new.filter(pa.array(done)))
            flag("typo", part[done])
            if is_given:
                given = col
            else:
                surname = col

    # surname and given names swapped
    differ = np.asarray(pc.fill_null(pc.not_equal(surname, given), False).to_numpy(zero_copy_only=False), bool)
    swap = drawn["swap_names"] & differ  # (BAATAR BAATAR stays as it is)
    surname, given = pc.if_else(pa.array(swap), given, surname), pc.if_else(pa.array(swap), surname, given)
    flag("swap_names", swap)

    # birth date: missing, day and month swapped, a digit of the day mistyped
    birth = _flat(table.column("birth_date"))
    present = _valid(birth)
    if "iin" in table.column_names:  # filled from the population register by IIN, and checked against it
        iin_known = _valid(_flat(table.column("iin")))
        present_typed = present & ~iin_known
    else:
        present_typed = present
    days = np.asarray(pc.fill_null(birth.cast(pa.int32()), 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    dates = days.astype("datetime64[D]")
    year = dates.astype("datetime64[Y]")
    month = (dates.astype("datetime64[M]") - year.astype("datetime64[M]")).astype(np.int64) + 1
    day = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    missing_birth = drawn["missing_birth_date"] & present_typed
    flag("missing_birth_date", missing_birth)
    keep = present & ~missing_birth
    typed = present_typed & ~missing_birth
    swap_rows = drawn["day_month_swap"] & typed & (day <= 12) & (day != month)
    flag("day_month_swap", swap_rows)
    new_days = days.copy()
    swapped = (year.astype("datetime64[M]") + (day - 1)).astype("datetime64[D]") + (month - 1)
    new_days[swap_rows] = swapped[swap_rows].astype(np.int64)
    typo_rows = np.flatnonzero(drawn["birth_day_typo"] & typed & ~swap_rows)
    if len(typo_rows):
        first = dates[typo_rows].astype("datetime64[M]")
        month_days = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
        new_day = _digit_typo_days(streams["birth_day_typo"], day[typo_rows], month_days)
        new_days[typo_rows] = (first.astype("datetime64[D]") + (new_day - 1)).astype(np.int64)
        flag("birth_day_typo", typo_rows)
    birth = pa.array(new_days.astype("datetime64[D]"), pa.date32(), mask=~keep)

    # sex left out
    sex = _flat(table.column("sex"))
    missing_sex = drawn["missing_sex"] & _valid(sex)
    sex = pc.if_else(pa.array(missing_sex), pa.scalar(None, sex.type), sex)
    flag("missing_sex", missing_sex)

    # one character of the document number
    doc = _flat(table.column("doc_number")).cast(pa.string())
    rows = np.flatnonzero(drawn["doc_number_typo"] & _valid(doc))
    if len(rows):
        forbidden = [pc.unique(doc)]
        if reserved_doc_numbers is not None:
            forbidden.append(_flat(reserved_doc_numbers).cast(pa.string()))
        new, done = _doc_typos(streams["doc_number_typo"], doc, rows, pa.concat_arrays(forbidden))
        doc = _replace(doc, rows[done], new.filter(pa.array(done)))
        flag("doc_number_typo", rows[done])

    columns = {"surname": surname, "given_names": given, "birth_date": birth, "sex": sex, "doc_number": doc}
    out = table
    for name, values in columns.items():
        i = out.column_names.index(name)
        out = out.set_column(i, out.schema.field(name), values.cast(out.schema.field(name).type))
    return Corrupted(out, flags)


__all__ = [
    "APPLICANT",
    "BORDER_TYPED",
    "EDIT_WEIGHTS",
    "HOST",
    "KINDS",
    "OFFICER",
    "POLICE",
    "SYSTEMS",
    "Corrupted",
    "Corruption",
    "FeedCorruption",
    "corrupt_identities",
    "transliterate",
    "typos",
    "unfoldable",
    "variant",
]
