"""Feasible family-vacancy pairs and their scores, built whole columns at a time.

A benchmark-sized problem (100,000 families, 50,000 vacancies) has millions of feasible pairs, so
they are never built in a Python double loop: families are exploded into one row per acceptable
region, then joined to the vacancies of that region and occupation group by sorted keys
(``numpy.searchsorted``), and every filter and score is an array operation. The points live here so
that :func:`koshi.resettle.matching.score_parts` (one pair, for explanations and tests) and the
columns (every pair, for the solvers) cannot drift apart.

Points (see ``docs/resettlement.md``, "Matching"):

- ``persons``: 100 per person of the family (the quota's unit; the first aim is to place people);
- ``occupation``: 60 when the vacancy's ISCO-08 unit group (4 digits) is the family head's, 40 for the
  minor group (3 digits), 20 for the sub-major group (2 digits), 0 for an elementary vacancy (major
  group 9) in another group; any other pair is infeasible;
- ``preference``: 30, 20, 10 for the family's first, second, third preferred region, 0 after; 30
  when the family named no region (every receiving region is as good as its first choice);
- ``housing``: when the vacancy offers housing, 20 less 5 per bed left empty (never below 0); 0 when
  the family rents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from koshi.resettle.matching import Family, Vacancy

PERSON_POINTS = 100
OCCUPATION_POINTS = {4: 60, 3: 40, 2: 20}
ELEMENTARY_POINTS = 0
PREFERENCE_POINTS = (30, 20, 10)
ANY_REGION_POINTS = 30
HOUSING_POINTS = 20
EMPTY_BED_POINTS = 5

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]


def occupation_points(family_isco: str, vacancy_isco: str) -> int | None:
    """Points for the occupation fit, None when the family head cannot take the job.

    >>> occupation_points("7212", "7212"), occupation_points("7212", "7213"), occupation_points("7212", "7233")
    (60, 40, 20)
    >>> occupation_points("2341", "9211"), occupation_points("2341", "7212")
    (0, None)
    """
    for digits in (4, 3, 2):
        if family_isco[:digits] == vacancy_isco[:digits]:
            return OCCUPATION_POINTS[digits]
    return ELEMENTARY_POINTS if vacancy_isco[:1] == "9" else None


def preference_points(rank: int | None) -> int:
    """Points for the region's place in the family's list (None: the family named no region).

    >>> [preference_points(r) for r in (None, 0, 1, 2, 3)]
    [30, 30, 20, 10, 0]
    """
    if rank is None:
        return ANY_REGION_POINTS
    return PREFERENCE_POINTS[rank] if rank < len(PREFERENCE_POINTS) else 0


def housing_points(size: int, capacity: int | None) -> int | None:
    """Points for the housing fit, None when the offered housing is too small for the family.

    >>> housing_points(4, 4), housing_points(4, 6), housing_points(4, None), housing_points(5, 4)
    (20, 10, 0, None)
    """
    if capacity is None:
        return 0
    if capacity < size:
        return None
    return max(0, HOUSING_POINTS - EMPTY_BED_POINTS * (capacity - size))


@dataclass(frozen=True, slots=True)
class Columns:
    """The problem as arrays: families and vacancies by position, and the quota groups.

    ``group`` indexes ``groups`` ((region KATO, category) with a quota); ``quota`` is persons free
    in each group.
    """

    size: I64
    groups: tuple[tuple[str, str], ...]
    quota: I64
    vacancy_region: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pairs:
    """Every feasible pair, sorted by family then vacancy, with its score and the score's parts."""

    family: I32
    vacancy: I32
    group: I32
    persons: I64
    occupation: I64
    preference: I64
    housing: I64

    @property
    def score(self) -> I64:
        """The pair's points: the sum of its parts."""
        total: I64 = self.persons + self.occupation + self.preference + self.housing
        return total

    def __len__(self) -> int:
        return len(self.family)


def acceptable(family: Family, receiving: Mapping[str, frozenset[str]]) -> list[tuple[str, int | None]]:
    """The regions a family can be placed in, each with its rank in the family's list (None: any).

    A region must receive the family's category this year and must not be its origin; with
    preferences, only the preferred regions count, in the family's order.

    >>> from koshi.resettle.matching import Family
    >>> f = Family("f", "resettler", 3, "7212", "610000000", ("590000000", "610000000", "550000000"))
    >>> acceptable(f, {"resettler": frozenset({"550000000", "590000000", "610000000"})})
    [('590000000', 0), ('550000000', 2)]
    """
    regions = receiving.get(family.category, frozenset())
    if family.preferences:
        seen: set[str] = set()
        out: list[tuple[str, int | None]] = []
        for rank, kato in enumerate(family.preferences):
            if kato in regions and kato != family.origin_kato and kato not in seen:
                seen.add(kato)
                out.append((kato, rank))
        return out
    return [(kato, None) for kato in sorted(regions) if kato != family.origin_kato]


def _expand(starts: I64, ends: I64) -> tuple[I64, I64]:
    """For rows with ranges [start, end): the row of each element and the element's position."""
    counts = ends - starts
    rows = np.repeat(np.arange(len(starts), dtype=np.int64), counts)
    first = np.cumsum(counts) - counts
    positions = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(first, counts) + np.repeat(starts, counts)
    return rows, positions


def _isco(codes: Sequence[str], digits: int) -> I64:
    return np.fromiter((int(c[:digits]) for c in codes), dtype=np.int64, count=len(codes))


def build(
    families: Sequence[Family],
    vacancies: Sequence[Vacancy],
    quota: Mapping[tuple[str, str], int],
    receiving: Mapping[str, frozenset[str]],
) -> tuple[Columns, Pairs]:
    """The columns of a problem and all its feasible pairs (a pair needs quota ≥ the family's size).

    >>> from koshi.resettle.matching import Family, Vacancy
    >>> fam = [Family("a", "kandas", 4, "7212", None, ()), Family("b", "kandas", 2, "2341", None, ())]
    >>> vac = [Vacancy("v", "550000000", "551010000", "7212", 300000, 4), Vacancy("w", "550000000", "551010000", "9211", 200000, None)]
    >>> cols, pairs = build(fam, vac, {("550000000", "kandas"): 10}, {"kandas": frozenset({"550000000"})})
    >>> pairs.family.tolist(), pairs.vacancy.tolist(), pairs.score.tolist()
    [[0, 0, 1], [0, 1, 1], [510, 430, 230]]
    """  # noqa: E501
    groups = tuple(sorted(quota))
    group_index = {g: i for i, g in enumerate(groups)}
    quota_arr = np.array([quota[g] for g in groups], dtype=np.int64)
    categories = sorted({f.category for f in families} | {c for _, c in groups})
    regions = sorted({v.region_kato for v in vacancies})
    region_index = {k: i for i, k in enumerate(regions)}
    n_regions = max(1, len(regions))
    size = np.fromiter((f.size for f in families), dtype=np.int64, count=len(families))
    columns = Columns(size, groups, quota_arr, tuple(v.region_kato for v in vacancies))
    empty = np.zeros(0, dtype=np.int64)
    if not families or not vacancies:
        e32 = empty.astype(np.int32)
        return columns, Pairs(e32, e32, e32, empty, empty, empty, empty)

    # One row per (family, acceptable region).
    row_family: list[int] = []
    row_region: list[int] = []
    row_points: list[int] = []
    for i, family in enumerate(families):
        for kato, rank in acceptable(family, receiving):
            r = region_index.get(kato)
            if r is not None:
                row_family.append(i)
                row_region.append(r)
                row_points.append(preference_points(rank))
    r_family = np.array(row_family, dtype=np.int64)
    r_region = np.array(row_region, dtype=np.int64)
    r_points = np.array(row_points, dtype=np.int64)

    f_isco = [f.isco for f in families]
    v_isco = [v.isco for v in vacancies]
    f2, v2 = _isco(f_isco, 2), _isco(v_isco, 2)
    v_region = np.fromiter((region_index[v.region_kato] for v in vacancies), dtype=np.int64, count=len(vacancies))

    # Same sub-major group: key (region, isco2).
    v_key = v_region * 100 + v2
    order = np.argsort(v_key, kind="stable")
    sorted_key = v_key[order]
    r_key = r_region * 100 + f2[r_family]
    rows_a, pos_a = _expand(np.searchsorted(sorted_key, r_key, "left"), np.searchsorted(sorted_key, r_key, "right"))
    vac_a = order[pos_a]
    # Elementary vacancies (major group 9) of another sub-major group: key region.
    elementary = np.flatnonzero(v2 // 10 == 9)
    e_order = elementary[np.argsort(v_region[elementary], kind="stable")]
    e_sorted = v_region[e_order]
    rows_b, pos_b = _expand(np.searchsorted(e_sorted, r_region, "left"), np.searchsorted(e_sorted, r_region, "right"))
    vac_b = e_order[pos_b]
    keep_b = v2[vac_b] != f2[r_family[rows_b]]
    rows = np.concatenate([rows_a, rows_b[keep_b]])
    vac = np.concatenate([vac_a, vac_b[keep_b]])
    fam = r_family[rows]

    # Housing and quota.
    capacity = np.fromiter(
        (-1 if v.housing_capacity is None else v.housing_capacity for v in vacancies), dtype=np.int64
    )
    cap = capacity[vac]
    fsize = size[fam]
    cat_index = {c: i for i, c in enumerate(categories)}
    f_cat = np.fromiter((cat_index[f.category] for f in families), dtype=np.int64, count=len(families))
    lookup = np.full(n_regions * len(categories), -1, dtype=np.int64)
    for (kato, category), g in group_index.items():
        if kato in region_index:
            lookup[region_index[kato] * len(categories) + cat_index[category]] = g
    grp = lookup[v_region[vac] * len(categories) + f_cat[fam]]
    room = np.where(grp >= 0, quota_arr[np.maximum(grp, 0)] if len(quota_arr) else 0, 0)
    ok = ((cap < 0) | (cap >= fsize)) & (grp >= 0) & (room >= fsize)
    rows, vac, fam, cap, fsize, grp = rows[ok], vac[ok], fam[ok], cap[ok], fsize[ok], grp[ok]

    order = np.lexsort((vac, fam))
    rows, vac, fam, cap, fsize, grp = rows[order], vac[order], fam[order], cap[order], fsize[order], grp[order]

    same = np.zeros(len(fam), dtype=np.int64) + ELEMENTARY_POINTS
    fi2 = f2[fam]
    vi2 = v2[vac]
    f3, v3 = _isco(f_isco, 3), _isco(v_isco, 3)
    f4, v4 = _isco(f_isco, 4), _isco(v_isco, 4)
    same = np.where(fi2 == vi2, OCCUPATION_POINTS[2], same)
    same = np.where(f3[fam] == v3[vac], OCCUPATION_POINTS[3], same)
    same = np.where(f4[fam] == v4[vac], OCCUPATION_POINTS[4], same)
    housing = np.where(cap < 0, 0, np.maximum(0, HOUSING_POINTS - EMPTY_BED_POINTS * (cap - fsize)))
    pairs = Pairs(
        family=fam.astype(np.int32),
        vacancy=vac.astype(np.int32),
        group=grp.astype(np.int32),
        persons=fsize * PERSON_POINTS,
        occupation=same,
        preference=r_points[rows],
        housing=housing,
    )
    return columns, pairs
