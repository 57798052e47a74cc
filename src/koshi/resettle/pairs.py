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


@dataclass(frozen=True, slots=True)
class Pairs:
    """Every feasible pair (in no useful order), with the score's parts and the pair's quota group."""

    family: I32
    vacancy: I32
    group: I32
    persons: I32
    occupation: I32
    preference: I32
    housing: I32
    score: I64

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


def expand(starts: I64, ends: I64) -> tuple[I32, I32]:
    """For rows with ranges [start, end): the row of each element and the element's position."""
    counts = ends - starts
    rows = np.repeat(np.arange(len(starts), dtype=np.int32), counts)
    shift = (starts - (np.cumsum(counts) - counts)).astype(np.int32)
    positions = np.arange(int(counts.sum()), dtype=np.int32) + np.repeat(shift, counts)
    return rows, positions


def _isco(codes: Sequence[str]) -> I32:
    return np.fromiter((int(c[:4]) for c in codes), dtype=np.int32, count=len(codes))


def _empty(cols: Columns) -> tuple[Columns, Pairs]:
    e32 = np.zeros(0, dtype=np.int32)
    return cols, Pairs(e32, e32, e32, e32, e32, e32, e32, np.zeros(0, dtype=np.int64))


def columns(families: Sequence[Family], quota: Mapping[tuple[str, str], int]) -> Columns:
    """Family sizes and the quota groups (sorted (region KATO, category)) with their persons."""
    groups = tuple(sorted(quota))
    size = np.fromiter((f.size for f in families), dtype=np.int64, count=len(families))
    return Columns(size, groups, np.array([quota[g] for g in groups], dtype=np.int64))


def build(
    families: Sequence[Family],
    vacancies: Sequence[Vacancy],
    quota: Mapping[tuple[str, str], int],
    receiving: Mapping[str, frozenset[str]],
) -> tuple[Columns, Pairs]:
    """The columns of a problem and all its feasible pairs (a pair needs quota ≥ the family's size).

    >>> from koshi.resettle.matching import Family, Vacancy
    >>> fam = [Family("a", "kandas", 4, "7212", None, ()), Family("b", "kandas", 2, "2341", None, ())]
    >>> vac = [Vacancy("v", "550000000", "551010000", "7212", 300000, 4),
    ...        Vacancy("w", "550000000", "551010000", "9211", 200000, None)]
    >>> cols, pairs = build(fam, vac, {("550000000", "kandas"): 10}, {"kandas": frozenset({"550000000"})})
    >>> pairs.family.tolist(), pairs.vacancy.tolist(), pairs.score.tolist()
    ([0, 0, 1], [0, 1, 1], [510, 430, 230])
    """
    cols = columns(families, quota)
    size = cols.size
    group_index = {g: i for i, g in enumerate(cols.groups)}
    regions = sorted({v.region_kato for v in vacancies})
    region_index = {k: i for i, k in enumerate(regions)}
    if not families or not vacancies:
        return _empty(cols)

    # One row per (family, acceptable region with quota room for the whole family).
    row_family: list[int] = []
    row_region: list[int] = []
    row_points: list[int] = []
    row_group: list[int] = []
    for i, family in enumerate(families):
        for kato, rank in acceptable(family, receiving):
            r = region_index.get(kato)
            g = group_index.get((kato, family.category))
            if r is not None and g is not None and quota[kato, family.category] >= family.size:
                row_family.append(i)
                row_region.append(r)
                row_points.append(preference_points(rank))
                row_group.append(g)
    if not row_family:
        return _empty(cols)
    r_family = np.array(row_family, dtype=np.int32)
    r_region = np.array(row_region, dtype=np.int64)
    r_size = size[r_family].astype(np.int32)
    r_unit = _isco([f.isco for f in families])[r_family]
    v_unit = _isco([v.isco for v in vacancies])
    v_region = np.fromiter((region_index[v.region_kato] for v in vacancies), dtype=np.int64, count=len(vacancies))
    cap = np.fromiter(
        (-1 if v.housing_capacity is None else v.housing_capacity for v in vacancies),
        dtype=np.int32,
        count=len(vacancies),
    )

    def fitting(rows: I32, vac: I32, elementary: bool) -> tuple[I32, I32, I32, I32, I32]:
        """Keep the pairs whose housing takes the family: rows, vacancies, occupation, beds, persons."""
        beds, persons = cap.take(vac), r_size.take(rows)
        keep = (beds < 0) | (beds >= persons)
        fu, vu = r_unit.take(rows), v_unit.take(vac)
        if elementary:  # the same sub-major group is the other join's
            keep &= fu // 100 != vu // 100
        idx = np.flatnonzero(keep)
        rows, vac, beds, persons, fu, vu = (a.take(idx) for a in (rows, vac, beds, persons, fu, vu))
        if elementary:
            occupation = np.full(len(idx), ELEMENTARY_POINTS, dtype=np.int32)
        else:
            occupation = np.where(fu // 10 == vu // 10, OCCUPATION_POINTS[3], OCCUPATION_POINTS[2]).astype(np.int32)
            occupation[fu == vu] = OCCUPATION_POINTS[4]
        return rows, vac, occupation, beds, persons

    # Same sub-major group: join on (region, isco2).
    v_key = v_region * 100 + v_unit // 100
    order = np.argsort(v_key, kind="stable").astype(np.int32)
    sorted_key = v_key[order]
    r_key = r_region * 100 + r_unit // 100
    rows_a, pos_a = expand(np.searchsorted(sorted_key, r_key, "left"), np.searchsorted(sorted_key, r_key, "right"))
    same = fitting(rows_a, order.take(pos_a), elementary=False)
    del rows_a, pos_a
    # Elementary vacancies (major group 9) of another sub-major group: join on region.
    elementary = np.flatnonzero(v_unit // 1000 == 9)
    e_order = elementary[np.argsort(v_region[elementary], kind="stable")].astype(np.int32)
    e_sorted = v_region[e_order]
    rows_b, pos_b = expand(np.searchsorted(e_sorted, r_region, "left"), np.searchsorted(e_sorted, r_region, "right"))
    other = fitting(rows_b, e_order.take(pos_b), elementary=True)
    del rows_b, pos_b
    rows, vac, occupation, beds, persons = (np.concatenate([a, b]) for a, b in zip(same, other, strict=True))

    housing = np.where(beds < 0, 0, np.maximum(0, HOUSING_POINTS - EMPTY_BED_POINTS * (beds - persons)))
    persons = persons * PERSON_POINTS
    preference = np.array(row_points, dtype=np.int32).take(rows)
    housing = housing.astype(np.int32)
    score = persons.astype(np.int64) + occupation + preference + housing
    pairs = Pairs(
        family=r_family.take(rows),
        vacancy=vac,
        group=np.array(row_group, dtype=np.int32).take(rows),
        persons=persons,
        occupation=occupation,
        preference=preference,
        housing=housing,
        score=score,
    )
    return cols, pairs


@dataclass(frozen=True, slots=True)
class Network:
    """The pairs folded into classes, for the flow solver.

    Every pair's points depend only on the family's (category, size, ISCO unit group, region rank)
    and the vacancy's (region, ISCO unit group, housing capacity). So families with the same
    category, size, occupation and acceptable regions form a *family class*; vacancies with the
    same region, occupation and housing form a *vacancy class*; and a *node* (category, size,
    occupation, region) joins them: family class → node (the preference points, and the quota
    group) → vacancy class (persons, occupation and housing points). A flow on this network is a
    matching of the same value, and the network is about ten times smaller than the list of pairs.
    Members of a class are kept in input (queue) order.
    """

    family_class: I32  # per family; -1 when no acceptable region has room for it
    vacancy_class: I32  # per vacancy
    class_count: I64
    class_members: I32  # family indices sorted by class, queue order inside a class
    class_start: I64
    a_class: I32  # family class -> node arcs
    a_node: I32
    a_preference: I64
    node_size: I64
    node_group: I32
    b_node: I32  # node -> vacancy class arcs
    b_vclass: I32
    b_points: I64
    vclass_count: I64
    vclass_members: I32
    vclass_start: I64
    pairs: int


def network(
    families: Sequence[Family],
    vacancies: Sequence[Vacancy],
    quota: Mapping[tuple[str, str], int],
    receiving: Mapping[str, frozenset[str]],
    groups: Sequence[tuple[str, str]],
) -> Network:
    """The class network of a problem; ``groups`` numbers the quotas (as :class:`Columns` does).

    >>> from koshi.resettle.matching import Family, Vacancy
    >>> fam = [Family("a", "kandas", 4, "7212", None, ()), Family("b", "kandas", 4, "7212", None, ())]
    >>> vac = [Vacancy("v", "550000000", "551010000", "7212", 300000, 4),
    ...        Vacancy("w", "550000000", "551010000", "7212", 200000, 4)]
    >>> net = network(fam, vac, {("550000000", "kandas"): 10}, {"kandas": frozenset({"550000000"})},
    ...               [("550000000", "kandas")])
    >>> net.class_count.tolist(), net.vclass_count.tolist(), net.b_points.tolist(), net.pairs
    ([2], [2], [480], 4)
    """
    group_index = {g: i for i, g in enumerate(groups)}
    regions = sorted({v.region_kato for v in vacancies})
    region_index = {k: i for i, k in enumerate(regions)}
    classes: dict[tuple[object, ...], int] = {}
    nodes: dict[tuple[str, int, int, int], int] = {}
    family_class = np.full(len(families), -1, dtype=np.int32)
    a_class: list[int] = []
    a_node: list[int] = []
    a_pref: list[int] = []
    for i, family in enumerate(families):
        rows = []
        for kato, rank in acceptable(family, receiving):
            g = group_index.get((kato, family.category))
            if kato in region_index and g is not None and quota[kato, family.category] >= family.size:
                rows.append((region_index[kato], preference_points(rank)))
        if not rows:
            continue
        unit = int(family.isco[:4])
        key = (family.category, family.size, unit, tuple(rows))
        c = classes.get(key)
        if c is None:
            c = classes[key] = len(classes)
            for r, points in rows:
                node_key = (family.category, family.size, unit, r)
                n = nodes.get(node_key)
                if n is None:
                    n = nodes[node_key] = len(nodes)
                a_class.append(c)
                a_node.append(n)
                a_pref.append(points)
        family_class[i] = c
    node_size = np.array([k[1] for k in nodes], dtype=np.int64)
    node_unit = np.array([k[2] for k in nodes], dtype=np.int64)
    node_region = np.array([k[3] for k in nodes], dtype=np.int64)
    node_group = np.array([group_index[(regions[k[3]], k[0])] for k in nodes], dtype=np.int32)

    vkeys: dict[tuple[int, int, int], int] = {}
    vclass = np.empty(len(vacancies), dtype=np.int32)
    for j, v in enumerate(vacancies):
        vkey = (region_index[v.region_kato], int(v.isco[:4]), -1 if v.housing_capacity is None else v.housing_capacity)
        vclass[j] = vkeys.setdefault(vkey, len(vkeys))
    vc_region = np.array([k[0] for k in vkeys], dtype=np.int64)
    vc_unit = np.array([k[1] for k in vkeys], dtype=np.int64)
    vc_cap = np.array([k[2] for k in vkeys], dtype=np.int64)

    # Node -> vacancy class: same region, occupation fit, housing fit.
    order = np.argsort(vc_region, kind="stable")
    sorted_region = vc_region[order]
    rows_, pos = expand(
        np.searchsorted(sorted_region, node_region, "left"), np.searchsorted(sorted_region, node_region, "right")
    )
    b_node, b_vclass = rows_.astype(np.int64), order[pos]
    nu, vu, size, cap = node_unit[b_node], vc_unit[b_vclass], node_size[b_node], vc_cap[b_vclass]
    fits = ((nu // 100 == vu // 100) | (vu // 1000 == 9)) & ((cap < 0) | (cap >= size))
    b_node, b_vclass, nu, vu, size, cap = (a[fits] for a in (b_node, b_vclass, nu, vu, size, cap))
    occupation = np.where(
        nu == vu,
        OCCUPATION_POINTS[4],
        np.where(nu // 10 == vu // 10, OCCUPATION_POINTS[3], np.where(nu // 100 == vu // 100, OCCUPATION_POINTS[2], 0)),
    )
    housing = np.where(cap < 0, 0, np.maximum(0, HOUSING_POINTS - EMPTY_BED_POINTS * (cap - size)))
    points = size * PERSON_POINTS + occupation + housing

    class_of = family_class
    placed = np.flatnonzero(class_of >= 0)
    members = placed[np.argsort(class_of[placed], kind="stable")].astype(np.int32)
    class_count = np.bincount(class_of[placed], minlength=len(classes)).astype(np.int64)
    vclass_count = np.bincount(vclass, minlength=len(vkeys)).astype(np.int64)
    v_members = np.argsort(vclass, kind="stable").astype(np.int32)
    a_class_arr = np.array(a_class, dtype=np.int32)
    a_node_arr = np.array(a_node, dtype=np.int32)
    node_jobs = np.bincount(b_node, weights=vclass_count[b_vclass], minlength=len(nodes))
    pairs = int((class_count[a_class_arr] * node_jobs[a_node_arr]).sum()) if len(a_class) else 0
    return Network(
        family_class=family_class,
        vacancy_class=vclass,
        class_count=class_count,
        class_members=members,
        class_start=np.concatenate([[0], np.cumsum(class_count)]).astype(np.int64),
        a_class=a_class_arr,
        a_node=a_node_arr,
        a_preference=np.array(a_pref, dtype=np.int64),
        node_size=node_size,
        node_group=node_group,
        b_node=b_node.astype(np.int32),
        b_vclass=b_vclass.astype(np.int32),
        b_points=points.astype(np.int64),
        vclass_count=vclass_count,
        vclass_members=v_members,
        vclass_start=np.concatenate([[0], np.cumsum(vclass_count)]).astype(np.int64),
        pairs=pairs,
    )
