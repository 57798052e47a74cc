"""Identity corruption: each kind does exactly what it says, at its rate, reproducibly, and only where it can."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshi.documents.translit import match_key
from koshi.synth.corrupt import (
    APPLICANT,
    BORDER_TYPED,
    HOST,
    KINDS,
    OFFICER,
    POLICE,
    SYSTEMS,
    Corrupted,
    Corruption,
    FeedCorruption,
    corrupt_identities,
    transliterate,
    typos,
    unfoldable,
    variant,
)
from koshi.synth.feeds import draw_travellers
from koshi.synth.names import TRADITIONS, vocabulary

IDENTITY = ("surname", "given_names", "birth_date", "sex", "doc_number")


def _drawn_names() -> list[tuple[str, str]]:
    """Every (Latin, Cyrillic) name the feeds can draw: the hand-written heads and the generated tails."""
    names = {n for key in TRADITIONS for n in vocabulary(key).names()}
    return sorted((latin, cyr) for latin, cyr in names if cyr is not None)


NAMES = _drawn_names()

NATIONAL_SPELLINGS = {
    # Azerbaijani Latin, not a transliteration of the Russian Cyrillic
    "MAMMADOV", "MAMMADOVA", "HASANOV", "HASANOVA", "HUSEYNOV", "HUSEYNOVA", "GULIYEV", "GULIYEVA",
    "VALIYEV", "VALIYEVA", "QASIMOV", "QASIMOVA", "CAFAROV", "CAFAROVA", "NACAFOV", "NACAFOVA",
    "ELCIN", "NICAT", "SEVINC", "GUNEL", "GULNAR", "NIGAR", "KONUL", "VUSAL",
    # Armenian national romanisation
    "HOVHANNISYAN", "HAKOBYAN", "HARUTYUNYAN", "HASMIK", "HAYK", "VAHE",
    # Turkmen Latin, Ukrainian Г = H, Mongolian Ө = U
    "CARYYEW", "CARYYEWA", "MYRAT", "BOHDAN", "OLEH", "SERHII", "TUMUR",
}  # fmt: skip
"""Names whose Cyrillic has another match key than the passport's Latin in every system: no variant at all.

All are hand-written (:data:`koshi.synth.names.TRADITIONS`); the generated tails fold in every system.
"""


def excluded(latin: str, system: str) -> bool:
    return latin in NATIONAL_SPELLINGS


# --- transliteration variants ----------------------------------------------------------------------


@settings(max_examples=600, deadline=None)
@given(name=st.sampled_from(NAMES), system=st.sampled_from(SYSTEMS))
def test_a_variant_folds_to_the_key_of_the_printed_name_or_is_a_listed_exclusion(
    name: tuple[str, str], system: str
) -> None:
    latin, cyrillic = name
    written = variant(latin, cyrillic, system)
    if excluded(latin, system):
        assert written is None
    else:
        assert written is not None
        assert match_key(written) == match_key(latin)


def test_the_exclusions_are_exactly_the_listed_names() -> None:
    assert {(latin, system) for latin, _, system in unfoldable(NAMES)} == {
        (latin, system) for latin, _ in NAMES for system in SYSTEMS if excluded(latin, system)
    }
    assert len(NAMES) > 20_000  # the whole vocabulary, heads and tails


@pytest.mark.parametrize(
    ("cyrillic", "system", "written"),
    [
        ("Юлия Жукова", "passport_1997", "YULIYA ZHUKOVA"),
        ("Юрий Харитонов", "passport_1997", "YURIY KHARITONOV"),
        ("Цой Щукин", "passport_1997", "TSOY SHCHUKIN"),
        ("Наталья Ефимова", "bgn_pcgn", "NATAL'YA YEFIMOVA"),
        ("Артём Соловьёв", "bgn_pcgn", "ARTYOM SOLOV'YOV"),
        ("Щукин Харитон", "gost_b", "SHHUKIN XARITON"),
        ("Цветков Цой Цыганов", "gost_b", "CVETKOV COJ CZY'GANOV"),
        ("Эльвира Цирк", "gost_b", "E`L`VIRA CZIRK"),
        ("Юрий Шевченко", "german", "JURIJ SCHEWTSCHENKO"),
        ("Елена Иванова", "german", "JELENA IWANOWA"),
        ("Нұрлан Әбенов", "passport_1997", "NURLAN ABENOV"),
        ("Иванов", "cyrillic", "Иванов"),
    ],
)
def test_systems_write_their_own_spellings(cyrillic: str, system: str, written: str) -> None:
    assert transliterate(cyrillic, system) == written


def test_an_unknown_system_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown system"):
        transliterate("Иван", "iso9")


# --- typos ------------------------------------------------------------------------------------------


def osa(a: str, b: str) -> int:
    """Optimal string alignment distance (edits: insert, delete, substitute, swap adjacent)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


LATIN = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=14)
WORDS = st.lists(LATIN, min_size=1, max_size=3).map(" ".join)
CYRILLIC = st.text(alphabet="АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюяӘҚҢӨҰҮІ", min_size=1)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(WORDS, CYRILLIC), min_size=1, max_size=20), seed=st.integers(0, 2**32))
def test_a_typo_is_exactly_one_edit_in_the_same_alphabet(values: list[str], seed: int) -> None:
    new, done = typos(values, np.random.default_rng(seed))
    assert done.all()
    for before, after in zip(values, new.to_pylist(), strict=True):
        assert osa(before, after) == 1, (before, after)
        if before.isascii():
            assert re.fullmatch(r"[A-Z ]+", after), after
            assert after.count(" ") == before.count(" ")
        else:
            assert not re.search(r"[A-Za-z]", after), after


def test_typos_are_of_every_kind_in_the_stated_shares() -> None:
    new, _ = typos(["KARAPETYAN"] * 20_000, np.random.default_rng(5))
    lengths = np.asarray(pc.utf8_length(new).to_numpy())
    assert abs((lengths == 9).mean() - 0.2) < 0.02  # deletions
    assert abs((lengths == 11).mean() - 0.2) < 0.02  # insertions
    same = new.filter(pa.array(lengths == 10)).to_pylist()
    swapped = sum(sorted(s) == sorted("KARAPETYAN") for s in same)
    assert abs(swapped / 20_000 - 0.2) < 0.02  # transpositions (the rest are substitutions)


def test_a_value_with_nothing_to_edit_is_left_alone() -> None:
    new, done = typos(["--", "'", "X"], np.random.default_rng(0))
    assert new.to_pylist()[:2] == ["--", "'"] and done.tolist() == [False, False, True]


# --- the corruption of a table ------------------------------------------------------------------------


def travellers(n: int, seed: int = 1) -> pa.Table:
    people = draw_travellers(np.random.default_rng(seed), n)
    return people.append_column("doc_number", people["passport"]).append_column(
        "row", pa.array(np.arange(n, dtype=np.int64))
    )


@pytest.fixture(scope="module")
def people() -> pa.Table:
    return travellers(100_000)


def run(table: pa.Table, rates: Corruption, seed: int = 7) -> Corrupted:
    return corrupt_identities(
        table,
        rates,
        np.random.default_rng(seed),
        surname_cyrillic=table["surname_cyrillic"],
        given_names_cyrillic=table["given_names_cyrillic"],
        reserved_doc_numbers=pc.drop_null(table["renewed_passport"]),
    )


def mask(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(col, False).to_numpy(zero_copy_only=False), dtype=bool)


def eligible(table: pa.Table, kind: str) -> np.ndarray:
    """Rows where ``kind`` can apply when it is the only corruption."""
    birth = table["birth_date"].combine_chunks()
    no_iin = mask(pc.is_null(table["iin"]))
    day, month = np.asarray(pc.day(birth).to_numpy()), np.asarray(pc.month(birth).to_numpy())
    has_given = mask(pc.is_valid(table["given_names"]))
    return {
        "translit_variant": mask(
            pc.or_(pc.is_valid(table["surname_cyrillic"]), pc.is_valid(table["given_names_cyrillic"]))
        ),
        "drop_second_given": mask(pc.match_substring(table["given_names"], " ")),
        "missing_given_names": has_given,
        "typo": np.ones(table.num_rows, bool),
        "swap_names": mask(pc.not_equal(table["surname"], table["given_names"])),
        "missing_birth_date": no_iin,
        "day_month_swap": no_iin & (day <= 12) & (day != month),
        "birth_day_typo": no_iin,
        "missing_sex": np.ones(table.num_rows, bool),
        "doc_number_typo": np.ones(table.num_rows, bool),
    }[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_hits_its_rate_of_the_rows_it_can_apply_to_and_no_other(people: pa.Table, kind: str) -> None:
    rate = 0.2
    res = run(people, Corruption(**{kind: rate}))
    hit = res.applied(kind)
    can = eligible(people, kind)
    assert not (hit & ~can).any()
    assert res.flags[~hit].max(initial=0) == 0  # no other kind
    share = hit[can].mean()
    sigma = (rate * (1 - rate) / can.sum()) ** 0.5
    if kind == "translit_variant":  # not every name has a variant that differs from the passport's
        assert 0.5 * rate < share <= rate + 5 * sigma
    else:
        assert abs(share - rate) < 5 * sigma, (share, rate)
    for name in people.column_names:
        if name not in IDENTITY:
            assert res.table[name].equals(people[name]), name
    changed = np.zeros(people.num_rows, bool)
    for name in IDENTITY:
        before, after = people[name], res.table[name]
        changed |= mask(pc.not_equal(before, after)) | (mask(pc.is_valid(before)) != mask(pc.is_valid(after)))
    assert (changed == hit).all()  # every flagged row differs, every other row is untouched


def test_day_and_month_swap_and_a_typed_day_stays_in_its_month(people: pa.Table) -> None:
    res = run(people, Corruption(day_month_swap=0.5, birth_day_typo=0.5))
    before = people["birth_date"].to_pylist()
    after = res.table["birth_date"].to_pylist()
    swap, typo = res.applied("day_month_swap"), res.applied("birth_day_typo")
    assert swap.any() and typo.any() and not (swap & typo).any()
    for i in np.flatnonzero(swap):
        assert after[i] == dt.date(before[i].year, before[i].day, before[i].month)
    for i in np.flatnonzero(typo):
        b, a = f"{before[i].day:02d}", f"{after[i].day:02d}"
        assert (a[0] == b[0]) != (a[1] == b[1])  # exactly one of the two digits
        assert (a := after[i]).year == before[i].year and a.month == before[i].month


@settings(max_examples=200, deadline=None)
@given(day=st.dates(dt.date(1930, 1, 1), dt.date(2025, 12, 31)), seed=st.integers(0, 2**32))
def test_a_day_month_swap_swaps_exactly_when_it_makes_another_date(day: dt.date, seed: int) -> None:
    table = pa.table(
        {
            "surname": ["IVANOV"],
            "given_names": ["IVAN"],
            "birth_date": pa.array([day], pa.date32()),
            "sex": ["M"],
            "doc_number": ["751234567"],
        }
    )
    res = corrupt_identities(table, Corruption(day_month_swap=1.0), np.random.default_rng(seed))
    out = res.table["birth_date"][0].as_py()
    if day.day <= 12 and day.day != day.month:
        assert out == dt.date(day.year, day.day, day.month) and res.applied("day_month_swap")[0]
    else:
        assert out == day and not res.applied("day_month_swap")[0]


def test_a_mistyped_document_number_keeps_its_shape_and_is_nobody_elses(people: pa.Table) -> None:
    res = run(people, Corruption(doc_number_typo=0.3))
    hit = res.applied("doc_number_typo")
    before = people["doc_number"].filter(pa.array(hit)).to_pylist()
    after = res.table["doc_number"].filter(pa.array(hit)).to_pylist()
    for b, a in zip(before, after, strict=True):
        assert len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1
        assert re.fullmatch(r"[A-Z0-9]{1,20}", a)
        (x, y), *_ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        assert x.isdigit() == y.isdigit()  # a digit for a digit, a letter for a letter
    in_use = pa.concat_arrays(
        [people["passport"].combine_chunks(), pc.drop_null(people["renewed_passport"]).combine_chunks()]
    )
    assert not mask(pc.is_in(pa.array(after), value_set=in_use)).any()
    t = pa.table({"new": after, "old": before}).group_by("new").aggregate([("old", "count_distinct")])
    assert pc.max(t["old_count_distinct"]).as_py() == 1


def test_rows_with_an_iin_keep_their_birth_date(people: pa.Table) -> None:
    res = run(people, Corruption(missing_birth_date=0.5, day_month_swap=0.5, birth_day_typo=0.5))
    has_iin = mask(pc.is_valid(people["iin"]))
    assert has_iin.sum() > 1000
    assert people["birth_date"].filter(pa.array(has_iin)).equals(res.table["birth_date"].filter(pa.array(has_iin)))


def test_a_row_is_written_in_one_system_throughout(people: pa.Table) -> None:
    res = run(people, Corruption(translit_variant=1.0, systems=(0, 0, 0, 0, 1)))
    both = mask(pc.and_(pc.is_valid(people["surname_cyrillic"]), pc.is_valid(people["given_names_cyrillic"])))
    rows = res.table.filter(pa.array(res.applied("translit_variant") & both))
    assert rows.num_rows > 10_000
    cyrillic = [re.search(r"[А-я]", s or "") is not None for s in rows["surname"].to_pylist()]
    given = [re.search(r"[А-я]", s or "") is not None for s in rows["given_names"].to_pylist()]
    assert cyrillic == given


def test_names_without_a_cyrillic_form_only_get_typos(people: pa.Table) -> None:
    res = run(people, Corruption(translit_variant=1.0, typo=0.1))
    none = mask(pc.and_(pc.is_null(people["surname_cyrillic"]), pc.is_null(people["given_names_cyrillic"])))
    assert none.sum() > 1000 and not res.applied("translit_variant")[none].any()
    assert res.applied("typo")[none].any()


def test_the_same_seed_gives_the_same_corruption_and_kinds_draw_apart(people: pa.Table) -> None:
    small = people.slice(0, 20_000)
    a, b, c = run(small, APPLICANT, 3), run(small, APPLICANT, 3), run(small, APPLICANT, 4)
    assert a.table.equals(b.table) and (a.flags == b.flags).all()
    assert not a.table.equals(c.table)
    more_typos = run(small, Corruption(**{**{k: APPLICANT.rate(k) for k in KINDS}, "typo": 0.5}), 3)
    assert (more_typos.applied("swap_names") == a.applied("swap_names")).all()
    assert (more_typos.applied("doc_number_typo") == a.applied("doc_number_typo")).all()


def test_no_corruption_leaves_the_table_as_it_was(people: pa.Table) -> None:
    res = run(people.slice(0, 5000), Corruption())
    assert res.table.equals(people.slice(0, 5000)) and not res.any.any()
    assert Corruption().clean and not HOST.clean


def test_the_profiles_are_ordered_by_how_carefully_each_source_types() -> None:
    for kind in ("typo", "doc_number_typo", "translit_variant"):
        assert POLICE.rate(kind) <= OFFICER.rate(kind) <= HOST.rate(kind), kind
    assert APPLICANT.systems[SYSTEMS.index("cyrillic")] == 0  # QazETA is a Latin-only form
    assert APPLICANT.missing_birth_date == 0 and APPLICANT.missing_sex == 0  # required fields
    assert BORDER_TYPED.doc_number_typo == 0


def test_bad_rates_and_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="typo must be between 0 and 1"):
        Corruption(typo=1.5)
    with pytest.raises(ValueError, match="systems"):
        Corruption(systems=(0, 0, 0, 0, 0))
    with pytest.raises(ValueError, match="doc_number_typo must be 0"):
        FeedCorruption(border_events=Corruption(doc_number_typo=0.1))
    with pytest.raises(ValueError, match="unknown corruption"):
        HOST.rate("sex_change")
    with pytest.raises(ValueError, match="missing column"):
        corrupt_identities(pa.table({"surname": ["A"]}), HOST, np.random.default_rng(0))
    bad = pa.table({c: ["x"] for c in IDENTITY})
    with pytest.raises(ValueError, match="date32"):
        corrupt_identities(bad, HOST, np.random.default_rng(0))
