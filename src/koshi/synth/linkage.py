"""Two seeded sources of linkage records with the true person behind each: tests and the 1M × 1M benchmark.

:func:`generate_link_sources` returns a *left* source, migration police records (one
travel document as the police system first recorded it, mostly read from the MRZ), and a
*right* source, QazETA applications typed by the travellers, both in the
:data:`koshi.linkage.records.RECORD` schema plus ``person_id`` (the truth).

- ``overlap`` of the right source's people are left people: the same person, applying on
  the same document as the police record holds, or (``new_document``, 30%) on another:
  a renewed passport (a new number), or the identity card instead of the passport, or the
  passport instead of the card, for the people whose country issues cards (Russia,
  Kyrgyzstan, Belarus, Armenia). The other right people are new.
- ``duplicates`` of each source's records are a second record of a person already in it,
  on another of their documents (within-source duplicates for deduplication).
- Identities are corrupted per source (:class:`LinkCorruption`; by default
  :data:`~koshi.synth.corrupt.POLICE` on the left, :data:`~koshi.synth.corrupt.APPLICANT`
  on the right), each record on its own: two records of one person can carry different
  typos. A mistyped document number is never another real document's.

People are drawn with :func:`koshi.synth.feeds.draw_travellers`, so names, nationalities
and ages mix as in the feeds. Names have realistic, long-tailed frequencies
(:mod:`koshi.synth.names`), so different people rarely share surname, given names, birth
date and nationality, but some do, as in real populations (500-600 pairs of records in
1,000,000 + 1,000,000): :func:`identity_collisions` counts them (they bound the precision
any linkage can reach on names and dates alone). Records are in random order; ids are
``P000000001``... on the left and ``Q000000001``... on the right. Everything is
column-wise: a million records a side take seconds, and the same arguments always give
the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from koshi.linkage.records import RECORD
from koshi.synth.corrupt import APPLICANT, KINDS, POLICE, Corruption, corrupt_identities
from koshi.synth.feeds import draw_travellers, record_ids

IntArray = npt.NDArray[np.int64]

LEFT_SOURCE, RIGHT_SOURCE = "migration_police", "qazeta"
"""The ``source`` of the left and right records."""
LEFT_PREFIX, RIGHT_PREFIX = "P", "Q"
"""Record ids: ``P000000001``... (left), ``Q000000001``... (right)."""

PASSPORT, RENEWED, CARD = range(3)
DOCUMENTS = ("passport", "renewed_passport", "identity_card")
"""The documents a record can be on (see :func:`koshi.synth.feeds.draw_travellers`)."""


@dataclass(frozen=True, slots=True)
class LinkCorruption:
    """How each source's identities are corrupted."""

    left: Corruption = POLICE
    right: Corruption = APPLICANT


CLEAN = LinkCorruption(Corruption(), Corruption())
"""No corruption: the sources differ only by document."""


def _share(rng: np.random.Generator, n: int, p: float) -> npt.NDArray[np.bool_]:
    return np.asarray(rng.random(n) < p, dtype=bool)


def _records(
    people: pa.Table,
    person: IntArray,
    doc: IntArray,
    *,
    source: str,
    prefix: str,
    with_iin: bool,
    corruption: Corruption,
    rng: np.random.Generator,
    reserved: pa.Array,
    diagnostics: bool,
) -> pa.Table:
    """One source's records: ``person`` rows of ``people`` on document ``doc``, corrupted, shuffled, numbered."""
    n = len(person)
    take = pa.array(person)
    numbers = [people["passport"], people["renewed_passport"], people["identity_card"]]
    stacked = pa.concat_arrays([c.combine_chunks() for c in numbers])
    doc_number = pc.take(stacked, pa.array(doc * people.num_rows + person))
    table = pa.table(
        {
            "doc_type": pc.take(pa.array(["P", "P", "ID"]), pa.array(doc)),
            "doc_country": people["doc_country"].take(take),
            "doc_number": doc_number,
            "nationality": people["nationality"].take(take),
            "surname": people["surname"].take(take),
            "given_names": people["given_names"].take(take),
            "birth_date": people["birth_date"].take(take),
            "sex": people["sex"].take(take),
            "iin": people["iin"].take(take) if with_iin else pa.nulls(n, pa.string()),
        }
    )
    res = corrupt_identities(
        table,
        corruption,
        rng,
        surname_cyrillic=people["surname_cyrillic"].take(take),
        given_names_cyrillic=people["given_names_cyrillic"].take(take),
        reserved_doc_numbers=reserved,
    )
    order = rng.permutation(n)
    out = res.table.take(pa.array(order))
    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        "record_id": record_ids(prefix, n),
        "source": pc.take(pa.array([source], pa.string()), pa.array(np.zeros(n, np.int64))),
    }
    for field in RECORD:
        if field.name not in columns:
            columns[field.name] = out[field.name].cast(field.type)
    columns["person_id"] = pa.array(person[order] + 1, pa.int64())
    if diagnostics:
        flags = res.flags[order]
        distinct, inverse = np.unique(flags, return_inverse=True)
        labels = [",".join(k for i, k in enumerate(KINDS) if f >> i & 1) or None for f in distinct.tolist()]
        columns["corruptions"] = pc.take(pa.array(labels, pa.string()), pa.array(inverse.astype(np.int64)))
        columns["document"] = pc.take(pa.array(list(DOCUMENTS)), pa.array(doc[order]))
    return pa.table(columns)


def generate_link_sources(
    left: int,
    right: int,
    *,
    seed: int,
    overlap: float = 0.7,
    duplicates: float = 0.02,
    new_document: float = 0.3,
    corruption: LinkCorruption | None = None,
    year: int = 2026,
    diagnostics: bool = False,
) -> tuple[pa.Table, pa.Table]:
    """``left`` migration police records and ``right`` QazETA records, in the linkage schema plus ``person_id``.

    ``overlap``: share of the right source's people who are also left people;
    ``duplicates``: share of each source's records that are a second record of one of
    its people; ``new_document``: share of shared people whose right record is on another
    document than their left one; ``corruption``: per-source rates (None: the defaults
    of :class:`LinkCorruption`; :data:`CLEAN` for none). ``diagnostics`` adds
    ``corruptions`` (the kinds applied, comma-separated) and ``document`` (which of the
    person's documents) to every record.

    Raises:
        ValueError: a size below 1, a share outside [0, 1] (``duplicates`` at most 0.5),
            a negative seed, or more shared people than the left source has.

    >>> a, b = generate_link_sources(50, 40, seed=1)
    >>> a.num_rows, b.num_rows, a["record_id"][0].as_py(), b["source"][0].as_py()
    (50, 40, 'P000000001', 'qazeta')
    """
    for name, size in (("left", left), ("right", right)):
        if size < 1:
            raise ValueError(f"{name} must be at least 1, got {size}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    for name, value, top in (
        ("overlap", overlap, 1.0),
        ("duplicates", duplicates, 0.5),
        ("new_document", new_document, 1.0),
    ):
        if not 0.0 <= value <= top:
            raise ValueError(f"{name} must be between 0 and {top}, got {value}")
    rates = corruption or LinkCorruption()
    seq = np.random.SeedSequence([seed, left, right])
    rng_people, rng_plan, rng_left, rng_right = (np.random.default_rng(s) for s in seq.spawn(4))

    dup_left, dup_right = round(left * duplicates), round(right * duplicates)
    left_people, right_people = left - dup_left, right - dup_right
    shared = round(right_people * overlap)
    if shared > left_people:
        raise ValueError(
            f"{shared} right people would be left people too, but the left source has {left_people}: "
            "lower overlap or right, or raise left"
        )
    n = left_people + right_people - shared
    people = draw_travellers(rng_people, n, year)
    has_card = np.asarray(pc.is_valid(people["identity_card"]).to_numpy(zero_copy_only=False), dtype=bool)

    # left: every left person once (a quarter of card holders on the card), then duplicates on another document
    primary = np.where(has_card[:left_people] & _share(rng_plan, left_people, 0.25), CARD, PASSPORT)
    again = rng_plan.choice(left_people, size=dup_left, replace=False) if dup_left else np.zeros(0, np.int64)
    left_person = np.r_[np.arange(left_people), again].astype(np.int64)
    left_doc = np.r_[primary, _other(primary[again], has_card[again], rng_plan)].astype(np.int64)

    # right: shared people (on the left document, or another), new people on their passport, then duplicates
    shared_people = np.sort(rng_plan.choice(left_people, size=shared, replace=False)).astype(np.int64)
    moved = _share(rng_plan, shared, new_document)
    shared_doc = np.where(
        moved, _other(primary[shared_people], has_card[shared_people], rng_plan), primary[shared_people]
    )
    right_base = np.r_[shared_people, np.arange(left_people, n)].astype(np.int64)
    right_primary = np.r_[shared_doc, np.full(n - left_people, PASSPORT)].astype(np.int64)
    pick = rng_plan.choice(right_people, size=dup_right, replace=False) if dup_right else np.zeros(0, np.int64)
    right_person = np.r_[right_base, right_base[pick]].astype(np.int64)
    right_doc = np.r_[right_primary, _other(right_primary[pick], has_card[right_base[pick]], rng_plan)].astype(np.int64)

    reserved = pa.concat_arrays(
        [people[c].combine_chunks().drop_null() for c in ("passport", "renewed_passport", "identity_card")]
    )
    a = _records(
        people, left_person, left_doc, source=LEFT_SOURCE, prefix=LEFT_PREFIX, with_iin=True,
        corruption=rates.left, rng=rng_left, reserved=reserved, diagnostics=diagnostics,
    )  # fmt: skip
    reserved = pa.concat_arrays([reserved, a["doc_number"].combine_chunks().drop_null()])
    b = _records(
        people, right_person, right_doc, source=RIGHT_SOURCE, prefix=RIGHT_PREFIX, with_iin=False,
        corruption=rates.right, rng=rng_right, reserved=reserved, diagnostics=diagnostics,
    )  # fmt: skip
    return a, b


def _other(doc: IntArray, has_card: npt.NDArray[np.bool_], rng: np.random.Generator) -> IntArray:
    """Another document of the same person than ``doc``.

    Card holders use the card instead of a passport half the time; the card is replaced
    by the passport; otherwise the other passport (renewed for the first, first for the renewed).
    """
    to_card = (doc != CARD) & has_card & _share(rng, len(doc), 0.5)
    passport = np.where(doc == PASSPORT, RENEWED, PASSPORT)
    return np.asarray(np.where(to_card, CARD, passport), dtype=np.int64)


def identity_collisions(left: pa.Table, right: pa.Table) -> dict[str, int]:
    """Pairs of records of *different* people with equal surname, given names, birth date and nationality.

    ``pairs``: among all the records of both sources; ``cross_pairs``: one record from
    each source; ``records``: records that share their identity with another person's.
    Records without a birth date are left out.

    >>> a = pa.table({"surname": ["LI", "LI"], "given_names": ["NA", "NA"], "birth_date": [1, 1],
    ...               "nationality": ["CHN", "CHN"], "person_id": [1, 2]})
    >>> identity_collisions(a, a)
    {'pairs': 4, 'cross_pairs': 2, 'records': 4}
    """
    keys = ["surname", "given_names", "birth_date", "nationality"]
    parts = []
    for side, table in enumerate((left, right)):
        t = table.select([*keys, "person_id"]).filter(pc.is_valid(table["birth_date"]))
        t = t.set_column(1, "given_names", pc.fill_null(t["given_names"].cast(pa.string()), ""))
        parts.append(t.append_column("l", pa.array(np.full(t.num_rows, 1 - side, np.int64))))
    both = pa.concat_tables(parts)
    both = both.append_column("r", pc.subtract(1, both["l"]))
    per_person = both.group_by([*keys, "person_id"]).aggregate([("l", "sum"), ("r", "sum")])
    per_key = per_person.group_by(keys).aggregate([("l_sum", "sum"), ("r_sum", "sum"), ([], "count_all")])

    def col(t: pa.Table, name: str) -> IntArray:
        return np.asarray(t[name].to_numpy(), dtype=np.int64)

    lp, rp = col(per_person, "l_sum"), col(per_person, "r_sum")
    lk, rk = col(per_key, "l_sum_sum"), col(per_key, "r_sum_sum")
    people = col(per_key, "count_all")

    def pairs(n: IntArray) -> int:
        return int((n * (n - 1) // 2).sum())

    return {
        "pairs": pairs(lk + rk) - pairs(lp + rp),
        "cross_pairs": int((lk * rk).sum() - (lp * rp).sum()),
        "records": int((lk + rk)[people > 1].sum()),
    }


__all__ = [
    "CLEAN",
    "DOCUMENTS",
    "LEFT_SOURCE",
    "RIGHT_SOURCE",
    "LinkCorruption",
    "generate_link_sources",
    "identity_collisions",
]
