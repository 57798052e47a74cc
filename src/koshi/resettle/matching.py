"""Families to vacancies: the optimal matching under the person quotas, and the greedy queue it is compared with.

Each family (one application; ``size`` persons) takes at most one vacancy (one job for its head, with
the housing the vacancy offers, if any) and each vacancy at most one family. A pair is feasible when
the vacancy's region receives the family's category this year, is one of the family's preferred
regions (any receiving region when it named none) and is not its origin; the head's occupation fits
(same ISCO-08 sub-major group, or an elementary vacancy); the offered housing takes the whole
family; and the region's quota for the category has room for the family. The points of a pair are
in :mod:`koshi.resettle.pairs`; :func:`score_parts` explains one pair.

The quota counts **persons** per (region, category) while a family cannot be split, so the problem is
a bipartite matching with knapsack side constraints, not a pure flow. :func:`solve` prices the quotas
(Lagrangian relaxation): for prices ``λ`` (points per person of a region and category) the best
matching of ``score - λ·size`` is an exact min-cost flow (OR-Tools ``SimpleMinCostFlow``; a bypass
arc lets any family stay unplaced), and its value plus ``λ·quota`` is an upper bound on every
feasible plan (the matching polytope is integral, so the best such bound equals the linear
relaxation's). Prices are adjusted until each over-full quota is just full; each priced matching is
repaired into a feasible plan (the families with the fewest points per person leave an over-full
quota, then free places are filled best pair first) and the best plan is returned with the best
bound and the gap between them. When no quota binds, the first flow (prices 0) is feasible and
provably optimal (gap 0). Small problems (few pairs) are then finished exactly with CP-SAT when a gap
remains. :func:`greedy` is the queue the office would run by hand: earliest application first, each
family takes its best-scoring vacancy still free in a region with room.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from koshi.reference.regions import BY_KATO
from koshi.resettle import pairs as pairs_
from koshi.resettle.pairs import I64, Columns, Pairs

log = logging.getLogger(__name__)

PRICE_SCALE = 8
"""Quota prices are multiples of 1/8 point per person, so every priced cost is an exact integer."""
EXACT_PAIRS = 60_000
"""Up to this many pairs a remaining gap is closed with CP-SAT (exact); above it the bound stands."""


@dataclass(frozen=True, slots=True)
class Family:
    """One application: the head and members (``size`` counts the head); input order is queue order."""

    key: str
    category: str
    size: int
    isco: str
    origin_kato: str | None
    preferences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vacancy:
    """One job in a receiving settlement; ``housing_capacity`` persons (None: the family rents)."""

    key: str
    region_kato: str
    settlement_kato: str
    isco: str
    wage: int
    housing_capacity: int | None


@dataclass(frozen=True)
class Problem:
    """Families, open vacancies, persons still free per (region KATO, category), receiving regions."""

    families: Sequence[Family]
    vacancies: Sequence[Vacancy]
    quota: Mapping[tuple[str, str], int]
    receiving: Mapping[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Placement:
    """A family placed in a vacancy, with the score and its named parts."""

    family: str
    vacancy: str
    score: int
    parts: Mapping[str, int]


@dataclass(frozen=True)
class Result:
    """A plan: placements, objective (sum of scores), and for ``optimal`` the bound and relative gap.

    ``bound`` is a proven upper bound on the objective of any feasible plan; ``gap`` is
    ``(bound - objective) / bound`` (0: proven optimal). ``unmatched`` gives each family left out the
    English reason. ``note`` says how optimality was proven (or why it was not).
    """

    method: str
    placements: tuple[Placement, ...]
    objective: int
    bound: int | None
    gap: float | None
    seconds: float
    pairs: int
    persons: int
    unmatched: Mapping[str, str]
    note: str = ""
    iterations: int = 0
    placed_by_group: Mapping[tuple[str, str], int] = field(default_factory=dict)


def score_parts(
    family: Family, vacancy: Vacancy, receiving: Mapping[str, frozenset[str]] | None = None
) -> dict[str, int] | None:
    """The points of placing ``family`` in ``vacancy`` by part, or None when the pair is infeasible.

    Quotas are not looked at here (they depend on the other placements); ``receiving``, when given,
    also requires the vacancy's region to receive the family's category.

    >>> f = Family("f1", "resettler", 4, "7212", "610000000", ("590000000", "550000000"))
    >>> score_parts(f, Vacancy("v1", "550000000", "551010000", "7213", 350000, 5))
    {'persons': 400, 'occupation': 40, 'preference': 20, 'housing': 15}
    >>> score_parts(f, Vacancy("v2", "610000000", "611010000", "7212", 350000, None)) is None  # origin
    True
    """
    if receiving is not None and vacancy.region_kato not in receiving.get(family.category, frozenset()):
        return None
    if vacancy.region_kato == family.origin_kato:
        return None
    if family.preferences:
        if vacancy.region_kato not in family.preferences:
            return None
        rank: int | None = family.preferences.index(vacancy.region_kato)
    else:
        rank = None
    occupation = pairs_.occupation_points(family.isco, vacancy.isco)
    housing = pairs_.housing_points(family.size, vacancy.housing_capacity)
    if occupation is None or housing is None:
        return None
    return {
        "persons": pairs_.PERSON_POINTS * family.size,
        "occupation": occupation,
        "preference": pairs_.preference_points(rank),
        "housing": housing,
    }


# --- the priced matching -------------------------------------------------------------------------


def _max_matching(pairs: Pairs, value: I64, n_families: int, n_vacancies: int) -> np.ndarray:
    """The pairs of a maximum-value matching (only pairs of positive value can help), as a mask."""
    chosen = np.zeros(len(pairs), dtype=bool)
    idx = np.flatnonzero(value > 0)
    if len(idx) == 0:
        return chosen
    source, sink = n_families + n_vacancies, n_families + n_vacancies + 1
    fams = np.arange(n_families, dtype=np.int32)
    vacs = np.arange(n_vacancies, dtype=np.int32)
    tails = np.concatenate([np.full(n_families, source, np.int32), pairs.family[idx], vacs + n_families, [source]])
    heads = np.concatenate([fams, pairs.vacancy[idx] + n_families, np.full(n_vacancies, sink, np.int32), [sink]])
    capacities = np.ones(len(tails), dtype=np.int64)
    capacities[-1] = n_families
    costs = np.concatenate([np.zeros(n_families, np.int64), -value[idx], np.zeros(n_vacancies + 1, np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), capacities, costs)
    flow.set_node_supply(source, n_families)
    flow.set_node_supply(sink, -n_families)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status.name}")
    arcs = np.arange(n_families, n_families + len(idx), dtype=np.int32)
    chosen[idx] = np.asarray(flow.flows(arcs)) > 0
    return chosen


def _persons(pairs: Pairs, chosen: np.ndarray, size: I64, n_groups: int) -> I64:
    sel = np.flatnonzero(chosen)
    out: I64 = np.bincount(pairs.group[sel], weights=size[sel], minlength=n_groups).astype(np.int64)
    return out


def _repair(pairs: Pairs, chosen: np.ndarray, size: I64, score: I64, cols: Columns, n_vac: int) -> np.ndarray:
    """A feasible plan near ``chosen``: over-full quotas shed their fewest-points-per-person families,
    then free families take free vacancies with room, best pair first."""
    chosen = chosen.copy()
    quota = cols.quota
    n_groups = len(quota)
    used = _persons(pairs, chosen, size, n_groups)
    for g in np.flatnonzero(used > quota):
        members = np.flatnonzero(chosen & (pairs.group == g))
        ratio = score[members] / size[members]
        order = members[np.lexsort((-members, ratio))]
        excess = int(used[g] - quota[g])
        for p in order.tolist():
            if excess <= 0:
                break
            chosen[p] = False
            excess -= int(size[p])
        used[g] = quota[g] + min(excess, 0)
    left = quota - used
    fam_taken = np.zeros(len(cols.size), dtype=bool)
    vac_taken = np.zeros(n_vac, dtype=bool)
    fam_taken[pairs.family[chosen]] = True
    vac_taken[pairs.vacancy[chosen]] = True
    cand = np.flatnonzero(~fam_taken[pairs.family] & ~vac_taken[pairs.vacancy] & (size <= left[pairs.group]))
    if len(cand):
        cand = cand[np.lexsort((cand, -score[cand]))]
        fam_l, vac_l, grp_l, size_l = (
            pairs.family[cand].tolist(),
            pairs.vacancy[cand].tolist(),
            pairs.group[cand].tolist(),
            size[cand].tolist(),
        )
        left_l = left.tolist()
        ftaken: set[int] = set()
        vtaken: set[int] = set()
        for i, p in enumerate(cand.tolist()):
            f, v, g, s = fam_l[i], vac_l[i], grp_l[i], size_l[i]
            if f in ftaken or v in vtaken or s > left_l[g]:
                continue
            chosen[p] = True
            ftaken.add(f)
            vtaken.add(v)
            left_l[g] -= s
    return chosen


def _initial_price(pairs: Pairs, chosen: np.ndarray, size: I64, score: I64, g: int, quota: int) -> float:
    """A first price for an over-full quota: the points per person of the family that would be the
    last to fit if the families placed there had nowhere else to go."""
    members = np.flatnonzero(chosen & (pairs.group == g))
    ratio = score[members] / size[members]
    order = np.argsort(-ratio, kind="stable")
    filled = np.cumsum(size[members][order])
    cut = int(np.searchsorted(filled, quota, "right"))
    return float(ratio[order][min(cut, len(order) - 1)])


@dataclass
class _Search:
    """Per quota: the highest price seen over-full and the lowest seen not over-full (with excesses)."""

    lo: list[tuple[int, int] | None]
    hi: list[tuple[int, int] | None]


def _next_prices(lam: I64, excess: I64, search: _Search, first: list[float | None]) -> I64:
    """Move each price towards the point where its quota is just full (secant inside the bracket)."""
    new = lam.copy()
    for g in range(len(lam)):
        price, e = int(lam[g]), int(excess[g])
        if e > 0:
            lo = search.lo[g]
            if lo is None or price >= lo[0]:
                search.lo[g] = (price, e)
        elif price > 0 or e == 0:
            hi = search.hi[g]
            if hi is None or price <= hi[0]:
                search.hi[g] = (price, e)
        lo, hi = search.lo[g], search.hi[g]
        if e <= 0 and price == 0:
            continue
        if e == 0:
            continue
        if lo is not None and hi is not None and hi[0] - lo[0] > 1:
            (a, ea), (b, eb) = lo, hi
            t = ea / (ea - eb) if ea != eb else 0.5
            t = min(max(t, 0.1), 0.9)
            new[g] = min(max(round(a + t * (b - a)), a + 1), b - 1)
        elif lo is not None and hi is not None:
            new[g] = hi[0] if e > 0 else lo[0]  # bracket closed: stay on the feasible side
        elif e > 0:
            guess = first[g]
            if price == 0 and guess is not None:
                new[g] = max(1, round(guess * PRICE_SCALE * 0.6))
            else:
                new[g] = max(price + PRICE_SCALE * 8, round(price * 1.6))
        else:
            new[g] = price // 2
    return new


def _exact(
    pairs: Pairs, cols: Columns, score: I64, size: I64, hint: np.ndarray, seconds: float
) -> tuple[np.ndarray, int, bool] | None:
    """CP-SAT on the whole model (small problems): the plan, its proven bound, whether optimal."""
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{p}") for p in range(len(pairs))]
    by_family: dict[int, list[int]] = {}
    by_vacancy: dict[int, list[int]] = {}
    by_group: dict[int, list[int]] = {}
    for p, (f, v, g) in enumerate(zip(pairs.family.tolist(), pairs.vacancy.tolist(), pairs.group.tolist(), strict=True)):
        by_family.setdefault(f, []).append(p)
        by_vacancy.setdefault(v, []).append(p)
        by_group.setdefault(g, []).append(p)
    for members in (*by_family.values(), *by_vacancy.values()):
        if len(members) > 1:
            model.add_at_most_one(x[p] for p in members)
    sizes = size.tolist()
    for g, members in by_group.items():
        model.add(sum(sizes[p] * x[p] for p in members) <= int(cols.quota[g]))
    scores = score.tolist()
    model.maximize(sum(scores[p] * x[p] for p in range(len(pairs))))
    for p, chosen in enumerate(hint.tolist()):
        model.add_hint(x[p], chosen)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, seconds)
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    plan = np.array([bool(solver.value(v)) for v in x], dtype=bool)
    return plan, math.floor(solver.best_objective_bound + 1e-6), status == cp_model.OPTIMAL


def solve(problem: Problem, *, time_limit: float = 60.0, target_gap: float = 0.0) -> Result:
    """The best plan found within ``time_limit`` seconds, with a proven bound and the gap.

    Stops as soon as the gap is at most ``target_gap`` (0: only when optimality is proven) or the
    time is up; the plan is always feasible.
    """
    start = time.perf_counter()
    deadline = start + time_limit
    cols, pairs = pairs_.build(problem.families, problem.vacancies, problem.quota, problem.receiving)
    n_fam, n_vac = len(problem.families), len(problem.vacancies)
    score = pairs.score
    size = cols.size[pairs.family]
    quota = cols.quota
    n_groups = len(quota)
    lam = np.zeros(n_groups, dtype=np.int64)
    best: np.ndarray | None = None
    best_value = -1
    bound_scaled: int | None = None  # PRICE_SCALE × the best Lagrangian bound
    search = _Search([None] * n_groups, [None] * n_groups)
    first: list[float | None] = [None] * n_groups
    iterations = 0
    note = ""
    seen: set[bytes] = set()
    while True:
        iterations += 1
        value = PRICE_SCALE * score - lam[pairs.group] * size
        chosen = _max_matching(pairs, value, n_fam, n_vac)
        used = _persons(pairs, chosen, size, n_groups)
        lagrangian = int(value[chosen].sum()) + int((lam * quota).sum())
        bound_scaled = lagrangian if bound_scaled is None else min(bound_scaled, lagrangian)
        plan = chosen if bool(np.all(used <= quota)) else _repair(pairs, chosen, size, score, cols, n_vac)
        plan_value = int(score[plan].sum())
        if plan_value > best_value:
            best, best_value = plan, plan_value
        bound = bound_scaled // PRICE_SCALE
        log.debug(
            "flow %d at %.1f s: bound %d, plan %d, over-full quotas %d, prices %s",
            iterations,
            time.perf_counter() - start,
            lagrangian // PRICE_SCALE,
            plan_value,
            int((used > quota).sum()),
            (lam / PRICE_SCALE).round(2).tolist(),
        )
        if iterations == 1 and bool(np.all(used <= quota)):
            note = "no quota binds: the unpriced matching is feasible, hence optimal"
            break
        if bound - best_value <= target_gap * bound:
            note = f"quota prices converged after {iterations} flows"
            break
        excess = used - quota
        if iterations == 1:
            for g in np.flatnonzero(excess > 0).tolist():
                first[g] = _initial_price(pairs, chosen, size, score, g, int(quota[g]))
        elapsed = time.perf_counter() - start
        per_flow = elapsed / iterations
        new = _next_prices(lam, excess, search, first)
        key = new.tobytes()
        if key in seen or np.array_equal(new, lam) or time.perf_counter() + per_flow > deadline:
            note = f"stopped after {iterations} flows: the price search {'ran out of time' if key not in seen else 'closed'}"
            break
        seen.add(key)
        lam = new
    assert best is not None
    bound = bound_scaled // PRICE_SCALE if bound_scaled is not None else best_value
    remaining = deadline - time.perf_counter()
    if bound > best_value and len(pairs) <= EXACT_PAIRS and remaining > 0.5:
        exact = _exact(pairs, cols, score, size, best, remaining)
        if exact is not None:
            plan, exact_bound, optimal = exact
            if int(score[plan].sum()) >= best_value:
                best, best_value = plan, int(score[plan].sum())
            bound = min(bound, exact_bound)
            if optimal:
                bound = best_value
                note += "; CP-SAT proved the plan optimal"
    return _result("optimal", problem, cols, pairs, best, start, bound=bound, note=note, iterations=iterations)


def greedy(problem: Problem) -> Result:
    """The queue: in input order, each family takes its best-scoring free vacancy whose quota has room."""
    start = time.perf_counter()
    cols, pairs = pairs_.build(problem.families, problem.vacancies, problem.quota, problem.receiving)
    score = pairs.score
    order = np.lexsort((pairs.vacancy, -score, pairs.family))
    fam = pairs.family[order]
    bounds = np.searchsorted(fam, np.arange(len(problem.families) + 1)).tolist()
    vac_l = pairs.vacancy[order].tolist()
    grp_l = pairs.group[order].tolist()
    order_l = order.tolist()
    left = cols.quota.tolist()
    sizes = cols.size.tolist()
    taken = bytearray(len(problem.vacancies))
    chosen = np.zeros(len(pairs), dtype=bool)
    for f in range(len(problem.families)):
        s = sizes[f]
        for i in range(bounds[f], bounds[f + 1]):
            v, g = vac_l[i], grp_l[i]
            if not taken[v] and left[g] >= s:
                taken[v] = 1
                left[g] -= s
                chosen[order_l[i]] = True
                break
    return _result("greedy", problem, cols, pairs, chosen, start, bound=None)


# --- results and reasons -------------------------------------------------------------------------


def _region_name(kato: str) -> str:
    region = BY_KATO.get(kato)
    return region.name_en if region else kato


def _result(
    method: str,
    problem: Problem,
    cols: Columns,
    pairs: Pairs,
    chosen: np.ndarray,
    start: float,
    *,
    bound: int | None,
    note: str = "",
    iterations: int = 0,
) -> Result:
    sel = np.flatnonzero(chosen)
    fam, vac = pairs.family[sel].tolist(), pairs.vacancy[sel].tolist()
    parts = {
        "persons": pairs.persons[sel].tolist(),
        "occupation": pairs.occupation[sel].tolist(),
        "preference": pairs.preference[sel].tolist(),
        "housing": pairs.housing[sel].tolist(),
    }
    placements = []
    for i, (f, v) in enumerate(zip(fam, vac, strict=True)):
        named = {k: int(col[i]) for k, col in parts.items()}
        placements.append(Placement(problem.families[f].key, problem.vacancies[v].key, sum(named.values()), named))
    placements.sort(key=lambda p: (p.family, p.vacancy))
    objective = sum(p.score for p in placements)
    size = cols.size
    used = np.bincount(pairs.group[sel], weights=size[pairs.family[sel]], minlength=len(cols.quota)).astype(np.int64)
    unmatched = _reasons(method, problem, cols, pairs, chosen, cols.quota - used)
    gap = None if bound is None else (0.0 if bound <= 0 else max(0.0, (bound - objective) / bound))
    return Result(
        method=method,
        placements=tuple(placements),
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=time.perf_counter() - start,
        pairs=len(pairs),
        persons=int(size[fam].sum()) if fam else 0,
        unmatched=unmatched,
        note=note,
        iterations=iterations,
        placed_by_group={cols.groups[g]: int(used[g]) for g in range(len(cols.groups))},
    )


def _reasons(
    method: str, problem: Problem, cols: Columns, pairs: Pairs, chosen: np.ndarray, left: I64
) -> dict[str, str]:
    """Why each family left out was left out (English, one sentence, no personal data)."""
    n_fam = len(problem.families)
    placed = np.zeros(n_fam, dtype=bool)
    placed[pairs.family[chosen]] = True
    has_pair = np.zeros(n_fam, dtype=bool)
    has_pair[pairs.family] = True
    # Groups a family could use: the quota with room for it after the plan.
    room = left[pairs.group] >= cols.size[pairs.family]
    some_room = np.zeros(n_fam, dtype=bool)
    some_room[pairs.family[room]] = True
    index = {g: i for i, g in enumerate(cols.groups)}
    jobs: dict[tuple[str, int], int] = {}  # (region, isco2) -> largest housing (-1: none offered, rents)
    elementary: dict[str, int] = {}
    for v in problem.vacancies:
        cap = 10**6 if v.housing_capacity is None else v.housing_capacity
        key = (v.region_kato, int(v.isco[:2]))
        jobs[key] = max(jobs.get(key, -1), cap)
        if v.isco[:1] == "9":
            elementary[v.region_kato] = max(elementary.get(v.region_kato, -1), cap)
    out: dict[str, str] = {}
    for f in np.flatnonzero(~placed).tolist():
        family = problem.families[f]
        if has_pair[f]:
            if not some_room[f]:
                out[family.key] = (
                    f"quota exhausted: no receiving region the family accepts has {family.size} places left "
                    f"for {family.category}"
                )
            elif method == "greedy":
                out[family.key] = "every fitting vacancy was taken by a family earlier in the queue"
            else:
                out[family.key] = "every fitting vacancy went to a better-fitting family"
            continue
        out[family.key] = _why_no_pair(family, problem, cols, index, jobs, elementary)
    return out


def _why_no_pair(
    family: Family,
    problem: Problem,
    cols: Columns,
    index: Mapping[tuple[str, str], int],
    jobs: Mapping[tuple[str, int], int],
    elementary: Mapping[str, int],
) -> str:
    regions = [kato for kato, _ in pairs_.acceptable(family, problem.receiving)]
    if not regions:
        if family.preferences:
            return f"none of the regions the family prefers receives {family.category} this year"
        return f"no region receives {family.category} this year"
    room = [int(cols.quota[index[(k, family.category)]]) if (k, family.category) in index else 0 for k in regions]
    if max(room) <= 0:
        return f"no receiving region has quota left for {family.category}"
    regions = [k for k, r in zip(regions, room, strict=True) if r >= family.size]
    if not regions:
        return (
            f"no receiving region has quota left for a family of {family.size} "
            f"({family.category}: at most {max(room)} persons left)"
        )
    group = int(family.isco[:2])
    caps = [jobs[(k, group)] for k in regions if (k, group) in jobs]
    caps += [elementary[k] for k in regions if k in elementary]
    if not caps:
        return f"no vacancy in occupation group {family.isco[:2]} in an acceptable region"
    return f"family of {family.size} is larger than any housing offered (largest takes {max(caps)})"


def region_names(katos: Sequence[str]) -> str:
    """Region names for messages.

    >>> region_names(["590000000", "550000000"])
    'North Kazakhstan Region, Pavlodar Region'
    """
    return ", ".join(_region_name(k) for k in katos)
