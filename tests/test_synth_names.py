"""Synthetic names: hand-written heads kept first, long generated tails, Zipf-like frequencies, spellings that fold."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshi.documents.translit import match_key, to_latin
from koshi.synth.feeds import draw_travellers
from koshi.synth.names import (
    MONGOLIAN,
    TAJIK,
    TRADITIONS,
    UKRAINIAN,
    UZBEK,
    Frequencies,
    Name,
    Script,
    calibration,
    feminine_surname,
    possessive,
    turkic_surname,
    vocabulary,
    zipf_shares,
)

KEYS = tuple(TRADITIONS)


def head(key: str) -> set[Name]:
    """The hand-written names of a tradition, with the feminine surnames drawn from them."""
    t = TRADITIONS[key]
    return {*t.male, *t.female, *t.surnames, *(feminine_surname(*s) for s in t.surnames if t.inflect)}


def lists(key: str) -> dict[str, tuple[tuple[Name, ...], np.ndarray, Frequencies]]:
    v, cal = vocabulary(key), calibration(key)
    return {
        "male": (v.given["M"].names, v.given["M"].shares, cal.male),
        "female": (v.given["F"].names, v.given["F"].shares, cal.female),
        "surnames": (v.surnames["M"].names, v.surnames["M"].shares, cal.surnames),
    }


# --- spellings ------------------------------------------------------------------------------------


def test_every_latin_name_is_in_the_mrz_alphabet() -> None:
    for key in KEYS:
        for latin, _ in vocabulary(key).names():
            assert re.fullmatch(r"[A-Z]+( [A-Z]+)*", latin), (key, latin)


def test_latin_and_cyrillic_fold_to_one_key_but_for_hand_written_national_spellings() -> None:
    hand_written = set().union(*(head(k) for k in KEYS))
    apart = {
        (latin, cyr)
        for key in KEYS
        for latin, cyr in vocabulary(key).names()
        if cyr is not None and match_key(latin) != match_key(cyr)
    }
    assert apart <= hand_written  # every generated name folds (the corruption's variants rely on it)
    assert ("MAMMADOV", "Мамедов") in apart and len(apart) < 60


@pytest.mark.parametrize("key", ["russian", "kazakh", "kyrgyz"])
def test_icao_traditions_print_every_cyrillic_name_in_the_icao_latin_form(key: str) -> None:
    names = [(latin, cyr) for latin, cyr in vocabulary(key).names() if cyr is not None]
    assert len(names) > 300
    assert [latin for latin, _ in names] == [to_latin(cyr) for _, cyr in names]


@pytest.mark.parametrize(
    ("script", "cyrillic", "latin"),
    [
        (UKRAINIAN, "Юрій Олійник", "YURII OLIINYK"),
        (UKRAINIAN, "Наталія Мартинюк", "NATALIIA MARTYNIUK"),
        (UKRAINIAN, "Єлизавета Яків", "YELYZAVETA YAKIV"),
        (UZBEK, "Абдуллаев Холматов", "ABDULLAYEV XOLMATOV"),
        (UZBEK, "Улуғбек Қодиров Жасур", "ULUGBEK QODIROV JASUR"),
        (TAJIK, "Мирзоев Ҷамшед Холов", "MIRZOEV JAMSHED KHOLOV"),
        (TAJIK, "Раҳмонзода Раҳмонӣ", "RAHMONZODA RAHMONI"),
        (MONGOLIAN, "Нарантуяа Тэмүүлэн Энхжаргал", "NARANTUYA TEMUULEN ENKHJARGAL"),
    ],
)
def test_national_latin_scripts_write_as_those_passports_do(script: Script, cyrillic: str, latin: str) -> None:
    assert script.latin(cyrillic) == latin


@pytest.mark.parametrize(
    ("base", "surname"),
    [
        ("Иван", "Иванов"),
        ("Медведь", "Медведев"),
        ("Ткач", "Ткачев"),
        ("Сорока", "Сорокин"),
        ("Синица", "Синицын"),
        ("Илья", "Ильин"),
        ("Дмитрий", "Дмитриев"),
        ("Григорий", "Григорьев"),
        ("Андрей", "Андреев"),
        ("Ванюша", "Ванюшин"),
    ],
)
def test_russian_surnames_are_possessives_of_their_word(base: str, surname: str) -> None:
    assert possessive(base) == surname


def test_central_asian_surnames_come_from_a_fathers_name() -> None:
    assert [turkic_surname(n) for n in ("Нұрлан", "Абдулла", "Жұмабай", "Мирзо", "Сапар")] == [
        "Нұрланов",
        "Абдуллаев",
        "Жұмабаев",
        "Мирзоев",
        "Сапаров",
    ]
    tajik = {latin for latin, _ in vocabulary("tajik").surnames["M"].names}
    assert {"RAHMONOV", "RAHMONZODA", "SAFAROV", "SAFARZODA"} <= tajik
    assert ("NURLANULY", "Нұрланұлы") in vocabulary("kazakh").patronymics["M"].names
    assert ("NURLANKYZY", "Нұрланқызы") in vocabulary("kazakh").patronymics["F"].names
    assert vocabulary("kyrgyz").patronymics["M"].names[0] == ("AIBEK UULU", "Айбек уулу")
    assert not vocabulary("uzbek").patronymics


# --- head, tail, frequencies ----------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_the_hand_written_names_come_first_in_their_order(key: str) -> None:
    t, v = TRADITIONS[key], vocabulary(key)
    assert v.given["M"].names[: len(t.male)] == t.male
    assert v.given["F"].names[: len(t.female)] == t.female
    assert v.surnames["M"].names[: len(t.surnames)] == t.surnames
    feminine = tuple(feminine_surname(*s) for s in t.surnames) if t.inflect else t.surnames
    assert v.surnames["F"].names[: len(t.surnames)] == feminine
    assert (v.surnames["F"].shares == v.surnames["M"].shares).all()


@pytest.mark.parametrize("key", KEYS)
def test_every_tradition_has_a_tail_beyond_its_hand_written_names(key: str) -> None:
    t, v = TRADITIONS[key], vocabulary(key)
    for names, hand in ((v.given["M"], t.male), (v.given["F"], t.female), (v.surnames["M"], t.surnames)):
        assert len(names) >= max(25, 2 * len(hand)), key
        assert len({latin for latin, _ in names.names}) == len(names)  # each Latin form once


@pytest.mark.parametrize(
    ("key", "list_", "at_least"),
    [
        ("russian", "surnames", 5000),
        ("ukrainian", "surnames", 2000),
        ("russian", "male", 120),
        ("uzbek", "male", 200),
        ("kazakh", "male", 300),
        ("mongolian", "female", 300),
        ("chinese", "male", 2000),
        ("chinese", "female", 2000),
        ("japanese", "surnames", 500),
    ],
)
def test_the_big_lists_are_long(key: str, list_: str, at_least: int) -> None:
    assert len(lists(key)[list_][0]) >= at_least


@pytest.mark.parametrize("key", KEYS)
def test_shares_fall_with_rank_and_meet_the_calibration(key: str) -> None:
    for what, (names, shares, freq) in lists(key).items():
        assert len(shares) == len(names)
        assert shares.sum() == pytest.approx(1.0)
        assert (np.diff(shares) <= 1e-15).all(), (key, what)
        assert shares[0] == pytest.approx(freq.first, rel=0.15), (key, what)
        assert shares[: freq.top].sum() == pytest.approx(freq.share, abs=0.01), (key, what)


@pytest.mark.parametrize(
    ("key", "list_", "top", "share"),
    [
        ("russian", "male", 20, 0.5),  # a few hundred given names, the top 20 about half
        ("russian", "female", 20, 0.5),
        ("russian", "surnames", 100, 0.22),  # ~250,000 surnames, the top 100 20-25%
        ("uzbek", "male", 50, 0.55),  # given names more concentrated: top 50 50-60%
        ("tajik", "male", 50, 0.6),
        ("kyrgyz", "female", 50, 0.5),
        ("kazakh", "male", 50, 0.5),
        ("chinese", "surnames", 100, 0.85),  # few surnames: top 100 about 85%
        ("chinese", "male", 100, 0.25),  # given names from thousands of combinations
    ],
)
def test_the_documented_shares(key: str, list_: str, top: int, share: float) -> None:
    _, shares, _ = lists(key)[list_]
    assert shares[:top].sum() == pytest.approx(share, abs=0.01)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 20_000),
    top=st.integers(1, 200),
    first=st.floats(0.001, 0.5),
    share=st.floats(0.01, 1.0),
)
def test_zipf_shares_are_a_falling_distribution_close_to_a_feasible_target(
    n: int, top: int, first: float, share: float
) -> None:
    if not first <= share <= first * top:
        with pytest.raises(ValueError, match="inconsistent frequencies"):
            Frequencies(first, top, share)
        return
    p = zipf_shares(n, Frequencies(first, top, share))
    assert len(p) == n and p.sum() == pytest.approx(1.0) and (p > 0).all()
    assert (np.diff(p) <= 1e-15).all()
    k = min(top, n)
    roomy = n >= 4 * top and 1.5 * top / n <= share <= 0.9 and 1.5 * share / top <= first <= 0.8 * share
    roomy &= share <= 0.6 or first >= 3 * share / top  # a flat head cannot drop into a light tail
    if roomy:  # a target the list has room for is met
        assert p[:k].sum() == pytest.approx(share, abs=0.02)


def test_zipf_shares_refuse_an_empty_list() -> None:
    with pytest.raises(ValueError, match="n must be at least 1"):
        zipf_shares(0, Frequencies(0.1, 10, 0.5))


def test_the_vocabulary_is_built_the_same_every_time() -> None:
    build = vocabulary.__wrapped__  # type: ignore[attr-defined]
    for key in ("russian", "uzbek", "chinese"):
        a, b = build(key), build(key)
        for sex in "FM":
            assert a.given[sex].names == b.given[sex].names
            assert (a.surnames[sex].shares == b.surnames[sex].shares).all()


# --- drawing -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people() -> pa.Table:
    return draw_travellers(np.random.default_rng(7), 300_000)


def test_names_are_drawn_with_their_frequencies(people: pa.Table) -> None:
    men = people.filter(pc.and_(pc.equal(people["nationality"], "RUS"), pc.equal(people["sex"], "M")))
    given = np.asarray(men["given_names"].to_numpy(zero_copy_only=False))
    n = len(given)
    russian = 0.86  # of Russian citizens (koshi.synth.feeds.ORIGINS)
    for names, expected in (
        ({"ALEKSANDR"}, russian * 0.07),
        (
            {latin for latin, _ in TRADITIONS["russian"].male},
            russian * vocabulary("russian").given["M"].shares[:24].sum(),
        ),
    ):
        share = np.isin(given, list(names)).mean()
        sigma = (expected * (1 - expected) / n) ** 0.5
        assert abs(share - expected) < 5 * sigma + 0.005, (names, share, expected)
    surnames = pc.value_counts(men["surname"]).field("counts").to_numpy()
    assert len(surnames) > 3000  # a long tail, not tens of names
    assert np.sort(surnames)[::-1][:100].sum() / n == pytest.approx(russian * 0.22, abs=0.03)


def test_different_people_rarely_share_a_full_identity(people: pa.Table) -> None:
    keys = people.select(["surname", "given_names", "birth_date", "nationality"])
    keys = keys.set_column(1, "given_names", pc.fill_null(keys["given_names"], ""))
    n = np.asarray(keys.group_by(keys.column_names).aggregate([([], "count_all")])["count_all"].to_numpy())
    pairs = int((n * (n - 1) // 2).sum())
    assert pairs < 40  # ~15 here; uniform draws from the hand-written lists alone gave ~400


def test_the_same_seed_draws_the_same_names() -> None:
    a = draw_travellers(np.random.default_rng(3), 2000)
    b = draw_travellers(np.random.default_rng(3), 2000)
    c = draw_travellers(np.random.default_rng(4), 2000)
    for column in ("surname", "given_names", "surname_cyrillic", "given_names_cyrillic"):
        assert a[column].equals(b[column])
    assert not a["surname"].equals(c["surname"])
