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
matching of ``score - λ·size`` is an exact min-cost flow (OR-Tools ``SimpleMinCostFlow``, on the
class network of :func:`koshi.resettle.pairs.network`, about 200,000 arcs for 5 million pairs; a
bypass arc lets any family stay unplaced), and its value plus ``λ·quota`` is an upper bound on every
feasible plan (the matching polytope is integral, so the best such bound equals the linear
relaxation's). A level bundle method moves the prices towards the lowest bound; each priced matching
is repaired into a feasible plan (the families with the fewest points per person leave an over-full
quota, then free places are filled, best priced pair first), the greedy plan is a candidate too, and
the best plan is returned with the lowest bound and the gap between them. When no quota binds, the
first flow (prices 0) is feasible and provably optimal (gap 0). Small problems (few pairs) are then
finished exactly with CP-SAT when a gap remains. :func:`greedy` is the queue an office would run by
hand: earliest application first, each family takes its best-scoring vacancy still free in a region
with room.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from koshi.reference.regions import BY_KATO
from koshi.resettle import pairs as pairs_
from koshi.resettle.pairs import I64, Columns, Network, Pairs

log = logging.getLogger(__name__)

PRICE_SCALE = 8
"""Quota prices are multiples of 1/8 point per person, so every priced cost is an exact integer."""
TOP_PRICE = (
    pairs_.PERSON_POINTS + max(pairs_.OCCUPATION_POINTS.values()) + pairs_.ANY_REGION_POINTS + pairs_.HOUSING_POINTS
)
"""No quota is worth more than this per person: at this price nobody would be placed under it."""
LEVEL = 0.3
"""Where the level bundle aims, between the lower estimate (0) and the best bound (1)."""
MIN_LEVEL = 0.001
"""When the aim gives prices already tried it moves towards the lower estimate, down to this."""
EXACT_PAIRS = 60_000
"""Up to this many pairs a remaining gap is closed with CP-SAT (exact); above it the bound stands."""
EXACT_SECONDS = 20.0
"""At most this long for CP-SAT (within the time limit)."""


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


def quality(result: Result) -> dict[str, float | int]:
    """What a plan achieves besides its score: families and persons placed, the share of placed families in
    their first-preference region (or anywhere, when they named none) and in their exact occupation.

    >>> quality(Result("greedy", (), 0, None, None, 0.0, 0, 0, {}))["families"]
    0
    """
    placed = len(result.placements)
    first = sum(1 for p in result.placements if p.parts.get("preference") == pairs_.PREFERENCE_POINTS[0])
    exact = sum(1 for p in result.placements if p.parts.get("occupation") == pairs_.OCCUPATION_POINTS[4])
    return {
        "families": placed,
        "persons": result.persons,
        "first_choice_share": round(first / placed, 4) if placed else 0.0,
        "exact_occupation_share": round(exact / placed, 4) if placed else 0.0,
    }


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

Plan = tuple[list[int], list[int]]
"""Placed families and their vacancies (indices into the problem's sequences), in step."""


@dataclass(frozen=True, slots=True)
class _Flow:
    """A priced matching on the class network: the flow on each arc and its value."""

    a: I64
    b: I64
    value: int  # PRICE_SCALE × (points of the matching - prices × persons placed)


def _priced_flow(net: Network, lam: I64) -> _Flow:
    """The maximum of Σ(points - λ·size) over matchings: a min-cost flow on the class network.

    Arcs: source → family class (its count) → node (preference points, less the quota price of
    the node's persons) → node exit → vacancy class (persons, occupation and housing points) →
    sink (its count), and a bypass source → sink for the families left out.
    """
    n_class, n_node, n_vclass = len(net.class_count), len(net.node_size), len(net.vclass_count)
    total = int(net.class_count.sum())
    node_in = np.bincount(net.a_node, weights=net.class_count[net.a_class], minlength=n_node).astype(np.int64)
    caps = node_in
    exit_ = n_class + n_node  # node exits follow the nodes
    vclass0 = exit_ + n_node
    source = vclass0 + n_vclass
    sink = source + 1
    nodes = np.arange(n_node, dtype=np.int64)
    tails = np.concatenate(
        [
            np.full(n_class, source, np.int64),
            net.a_class,
            nodes + n_class,
            net.b_node.astype(np.int64) + exit_,
            np.arange(n_vclass) + vclass0,
            [source],
        ]
    ).astype(np.int32)
    heads = np.concatenate(
        [
            np.arange(n_class),
            net.a_node.astype(np.int64) + n_class,
            nodes + exit_,
            net.b_vclass.astype(np.int64) + vclass0,
            np.full(n_vclass, sink, np.int64),
            [sink],
        ]
    ).astype(np.int32)
    capacities = np.concatenate(
        [
            net.class_count,
            net.class_count[net.a_class],
            caps,
            np.minimum(caps[net.b_node], net.vclass_count[net.b_vclass]),
            net.vclass_count,
            [total],
        ]
    ).astype(np.int64)
    a_cost = -PRICE_SCALE * net.a_preference + lam[net.node_group[net.a_node]] * net.node_size[net.a_node]
    costs = np.concatenate(
        [
            np.zeros(n_class, np.int64),
            a_cost,
            np.zeros(n_node, np.int64),
            -PRICE_SCALE * net.b_points,
            np.zeros(n_vclass + 1, np.int64),
        ]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status.name}")
    n_a, n_b = len(net.a_class), len(net.b_node)
    first_b = n_class + n_a + n_node
    a = np.asarray(flow.flows(np.arange(n_class, n_class + n_a, dtype=np.int32)), dtype=np.int64)
    b = np.asarray(flow.flows(np.arange(first_b, first_b + n_b, dtype=np.int32)), dtype=np.int64)
    return _Flow(a, b, -int(flow.optimal_cost()))


def _group_persons(net: Network, a_flow: I64, n_groups: int) -> I64:
    persons = a_flow * net.node_size[net.a_node]
    used: I64 = np.bincount(net.node_group[net.a_node], weights=persons, minlength=n_groups).astype(np.int64)
    return used


@dataclass(frozen=True, slots=True)
class _Scored:
    """A plan with each placement's points, quota group and persons (numpy, in step)."""

    families: I64
    vacancies: I64
    score: I64
    group: I64
    size: I64
    node: I64  # the network node of each placement (-1: unknown)

    @property
    def value(self) -> int:
        return int(self.score.sum())


def _unfold(net: Network, a_flow: I64, b_flow: I64) -> _Scored:
    """Individual families and vacancies for a class flow: inside a class, the earliest first."""
    next_family = net.class_start[:-1].copy()
    next_vacancy = net.vclass_start[:-1].copy()
    families: list[int] = []
    vacancies: list[int] = []
    score: list[int] = []
    nodes: list[int] = []
    a_idx = np.flatnonzero(a_flow)
    b_idx = np.flatnonzero(b_flow)
    a_idx = a_idx[np.lexsort((net.a_class[a_idx], net.a_node[a_idx]))]
    b_idx = b_idx[np.lexsort((net.b_vclass[b_idx], net.b_node[b_idx]))]
    outgoing: dict[int, list[list[int]]] = {}
    for b in b_idx.tolist():
        outgoing.setdefault(int(net.b_node[b]), []).append([int(net.b_vclass[b]), int(b_flow[b]), int(net.b_points[b])])
    members, vmembers = net.class_members, net.vclass_members
    for a in a_idx.tolist():
        c, n, units, pref = int(net.a_class[a]), int(net.a_node[a]), int(a_flow[a]), int(net.a_preference[a])
        out = outgoing[n]
        while units:
            vc, left, points = out[0]
            take = min(units, left)
            f0, v0 = int(next_family[c]), int(next_vacancy[vc])
            families.extend(members[f0 : f0 + take].tolist())
            vacancies.extend(vmembers[v0 : v0 + take].tolist())
            score.extend([pref + points] * take)
            nodes.extend([n] * take)
            next_family[c] += take
            next_vacancy[vc] += take
            units -= take
            if take == left:
                out.pop(0)
            else:
                out[0][1] = left - take
    node = np.array(nodes, dtype=np.int64)
    return _Scored(
        np.array(families, dtype=np.int64),
        np.array(vacancies, dtype=np.int64),
        np.array(score, dtype=np.int64),
        net.node_group[node].astype(np.int64),
        net.node_size[node],
        node,
    )


def _repair(net: Network, cols: Columns, plan: _Scored, lam: I64) -> _Scored:
    """A feasible plan near ``plan``: each over-full quota sheds the families bringing the fewest points
    per person (latest in the queue first among equals), then the free places are filled best pair
    first."""
    quota = cols.quota
    used = np.bincount(plan.group, weights=plan.size, minlength=len(quota)).astype(np.int64)
    keep = np.ones(len(plan.families), dtype=bool)
    for g in np.flatnonzero(used > quota).tolist():
        members = np.flatnonzero(plan.group == g)
        ratio = plan.score[members] / plan.size[members]
        excess = int(used[g] - quota[g])
        for p in members[np.lexsort((-plan.families[members], ratio))].tolist():
            if excess <= 0:
                break
            keep[p] = False
            excess -= int(plan.size[p])
        used[g] = quota[g] + min(excess, 0)
    kept = _Scored(*(a[keep] for a in (plan.families, plan.vacancies, plan.score, plan.group, plan.size, plan.node)))
    return _fill(net, kept, quota - used, lam)


def _fill(net: Network, plan: _Scored, left: I64, lam: I64) -> _Scored:
    """Add free families in free vacancies where the quota still has room, best pair first (at the
    quota prices ``lam``: the points less the price of the persons, so scarce room goes to the pairs
    that bring the most per person)."""
    placed = np.zeros(len(net.family_class), dtype=bool)
    placed[plan.families] = True
    taken = np.zeros(len(net.vclass_members), dtype=bool)
    taken[plan.vacancies] = True
    free_members = net.class_members[~placed[net.class_members]]
    free_class = net.family_class[free_members]
    class_free = np.bincount(free_class, minlength=len(net.class_count))
    free_vmembers = np.flatnonzero(~taken)
    free_vclass = net.vacancy_class[free_vmembers]
    vclass_free = np.bincount(free_vclass, minlength=len(net.vclass_count))
    b_ok = (vclass_free[net.b_vclass] > 0) & (left[net.node_group[net.b_node]] >= net.node_size[net.b_node])
    b_idx = np.flatnonzero(b_ok)
    a_idx = np.flatnonzero((class_free[net.a_class] > 0) & np.isin(net.a_node, net.b_node[b_idx]))
    if len(a_idx) == 0:
        return plan
    b_idx = b_idx[np.argsort(net.b_node[b_idx], kind="stable")]
    b_sorted = net.b_node[b_idx]
    lo = np.searchsorted(b_sorted, net.a_node[a_idx], "left").astype(np.int64)
    hi = np.searchsorted(b_sorted, net.a_node[a_idx], "right").astype(np.int64)
    rows, pos = pairs_.expand(lo, hi)
    arc_a, arc_b = a_idx[rows], b_idx[pos]
    score = net.a_preference[arc_a] + net.b_points[arc_b]
    node = net.a_node[arc_a]
    priced = PRICE_SCALE * score - lam[net.node_group[node]] * net.node_size[node]
    order = np.lexsort((net.b_vclass[arc_b], net.a_class[arc_a], -score, -priced))
    free_f: dict[int, list[int]] = {}
    for f, c in zip(free_members.tolist(), free_class.tolist(), strict=True):
        free_f.setdefault(c, []).append(f)
    free_v: dict[int, list[int]] = {}
    for v, vc in zip(free_vmembers.tolist(), free_vclass.tolist(), strict=True):
        free_v.setdefault(vc, []).append(v)
    budget = left.tolist()
    add: tuple[list[int], list[int], list[int], list[int], list[int], list[int]] = ([], [], [], [], [], [])
    for a, b, points in zip(arc_a[order].tolist(), arc_b[order].tolist(), score[order].tolist(), strict=True):
        c, n, vc = int(net.a_class[a]), int(net.a_node[a]), int(net.b_vclass[b])
        g, size = int(net.node_group[n]), int(net.node_size[n])
        fams, vacs = free_f.get(c), free_v.get(vc)
        if not fams or not vacs or budget[g] < size:
            continue
        take = min(len(fams), len(vacs), budget[g] // size)
        add[0].extend(fams[:take])
        add[1].extend(vacs[:take])
        del fams[:take], vacs[:take]
        budget[g] -= take * size
        add[2].extend([points] * take)
        add[3].extend([g] * take)
        add[4].extend([size] * take)
        add[5].extend([n] * take)
    old = (plan.families, plan.vacancies, plan.score, plan.group, plan.size, plan.node)
    return _Scored(*(np.concatenate([o, np.array(n, dtype=np.int64)]) for o, n in zip(old, add, strict=True)))


class _Prices:
    """The search for the quota prices that minimise the Lagrangian bound, a convex function of them.

    A level bundle method: every priced flow gives a cutting plane (its value, and its subgradient:
    quota minus persons placed); the planes' minimum over the box of useful prices is a lower
    estimate of the best bound; the next prices are the nearest (L1) to the best so far whose
    planes all lie below a level between that estimate and the best bound. Two small LPs (GLOP).
    """

    def __init__(self, quota: I64, top: int) -> None:
        self.quota = quota
        self.top = top
        self.cuts: list[tuple[I64, int, I64]] = []  # prices, value, subgradient
        self.best: tuple[I64, int] | None = None
        self.low = -math.inf
        self.level = LEVEL

    def seen(self, lam: I64) -> bool:
        """Whether these prices were already tried."""
        return any(np.array_equal(lam, cut[0]) for cut in self.cuts)

    def add(self, lam: I64, value: int, used: I64) -> None:
        self.cuts.append((lam, value, self.quota - used))
        if self.best is None or value < self.best[1]:
            self.best = (lam, value)

    def _solver(self) -> tuple[pywraplp.Solver, list[pywraplp.Variable]]:
        solver = pywraplp.Solver.CreateSolver("GLOP")
        lam = [solver.NumVar(0.0, float(self.top), f"l{g}") for g in range(len(self.quota))]
        return solver, lam

    def _planes(self, solver: pywraplp.Solver, lam: list[pywraplp.Variable], z: pywraplp.Variable | float) -> None:
        for point, value, grad in self.cuts:
            terms = [float(grad[g]) * (lam[g] - float(point[g])) for g in range(len(lam)) if grad[g]]
            solver.Add(value + solver.Sum(terms) <= z)

    def next(self) -> I64:
        assert self.best is not None
        centre, best = self.best
        solver, lam = self._solver()
        z = solver.NumVar(-solver.infinity(), solver.infinity(), "z")
        self._planes(solver, lam, z)
        solver.Minimize(z)
        if solver.Solve() == pywraplp.Solver.OPTIMAL:
            self.low = max(self.low, z.solution_value())
        level = self.low + self.level * (best - self.low)
        solver, lam = self._solver()
        dist = [solver.NumVar(0.0, solver.infinity(), f"d{g}") for g in range(len(lam))]
        for g, d in enumerate(dist):
            solver.Add(d >= lam[g] - float(centre[g]))
            solver.Add(d >= float(centre[g]) - lam[g])
        self._planes(solver, lam, level)
        solver.Minimize(solver.Sum(dist))
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            return centre.copy()
        return np.array([max(0, round(v.solution_value())) for v in lam], dtype=np.int64)


def _scored(problem: Problem, plan: Plan, group_of: Mapping[tuple[str, str], int], size: I64) -> _Scored:
    """Score a plan given as indices, pair by pair (:func:`score_parts`)."""
    fams, vacs = plan
    score, group = [], []
    for f, v in zip(fams, vacs, strict=True):
        family, vacancy = problem.families[f], problem.vacancies[v]
        parts = score_parts(family, vacancy, problem.receiving)
        assert parts is not None, "a planned pair must be feasible"
        score.append(sum(parts.values()))
        group.append(group_of[(vacancy.region_kato, family.category)])
    fa = np.array(fams, dtype=np.int64)
    va = np.array(vacs, dtype=np.int64)
    return _Scored(fa, va, np.array(score, np.int64), np.array(group, np.int64), size[fa], np.full(len(fa), -1))


def _first_prices(cols: Columns, plan: _Scored, used: I64) -> I64:
    """Starting prices for over-full quotas: the points per person of the family that would be the
    last to fit if the families placed there had nowhere else to go."""
    lam = np.zeros(len(cols.quota), dtype=np.int64)
    for g in np.flatnonzero(used > cols.quota).tolist():
        members = np.flatnonzero(plan.group == g)
        ratio = plan.score[members] / plan.size[members]
        order = np.argsort(-ratio, kind="stable")
        filled = np.cumsum(plan.size[members][order])
        cut = int(np.searchsorted(filled, cols.quota[g], "right"))
        lam[g] = round(float(ratio[order][min(cut, len(order) - 1)]) * PRICE_SCALE * 0.5)
    return lam


def _exact(
    problem: Problem, cols: Columns, pairs: Pairs, hint: set[tuple[int, int]], seconds: float
) -> tuple[Plan, int, bool] | None:
    """CP-SAT on the whole model (small problems): a plan, its proven bound, whether proven optimal."""
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{p}") for p in range(len(pairs))]
    by_family: dict[int, list[int]] = {}
    by_vacancy: dict[int, list[int]] = {}
    by_group: dict[int, list[int]] = {}
    fam, vac, grp = pairs.family.tolist(), pairs.vacancy.tolist(), pairs.group.tolist()
    for p in range(len(pairs)):
        by_family.setdefault(fam[p], []).append(p)
        by_vacancy.setdefault(vac[p], []).append(p)
        by_group.setdefault(grp[p], []).append(p)
    for members in (*by_family.values(), *by_vacancy.values()):
        if len(members) > 1:
            model.add_at_most_one(x[p] for p in members)
    sizes = cols.size[pairs.family].tolist()
    for g, members in by_group.items():
        model.add(sum(sizes[p] * x[p] for p in members) <= int(cols.quota[g]))
    scores = pairs.score.tolist()
    model.maximize(sum(scores[p] * x[p] for p in range(len(pairs))))
    for p in range(len(pairs)):
        model.add_hint(x[p], (fam[p], vac[p]) in hint)
    solver = cp_model.CpSolver()
    # Deterministic: interleaved workers and a deterministic time limit (about seconds), so the same
    # problem gives the same plan whatever the machine's load; the wall-clock limit only cuts in on a
    # machine so loaded that deterministic seconds run slower than real ones (the caller's time limit
    # is a promise: a matching run holds its transaction open).
    solver.parameters.max_deterministic_time = max(0.5, seconds)
    solver.parameters.max_time_in_seconds = max(0.5, seconds)
    solver.parameters.num_workers = 2
    solver.parameters.interleave_search = True
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen = [p for p in range(len(pairs)) if solver.value(x[p])]
    plan = ([fam[p] for p in chosen], [vac[p] for p in chosen])
    return plan, math.floor(solver.best_objective_bound + 1e-6), status == cp_model.OPTIMAL


def check(problem: Problem) -> None:
    """Refuse malformed input with the record and field named (keys are application and vacancy refs).

    >>> check(Problem([Family("RS-1", "kandas", 0, "7212", None, ())], [], {}, {}))
    Traceback (most recent call last):
    ...
    ValueError: family RS-1: size must be at least 1
    """
    for f in problem.families:
        if f.size < 1:
            raise ValueError(f"family {f.key}: size must be at least 1")
        if not (len(f.isco) == 4 and f.isco.isdigit()):
            raise ValueError(f"family {f.key}: isco must be a 4-digit ISCO-08 code")
    for v in problem.vacancies:
        if not (len(v.isco) == 4 and v.isco.isdigit()):
            raise ValueError(f"vacancy {v.key}: isco must be a 4-digit ISCO-08 code")
        if v.housing_capacity is not None and v.housing_capacity < 1:
            raise ValueError(f"vacancy {v.key}: housing_capacity must be at least 1 or empty")
    for key, persons in problem.quota.items():
        if persons < 0:
            raise ValueError(f"quota {key[0]}/{key[1]}: persons must not be negative")


def solve(problem: Problem, *, time_limit: float = 60.0, target_gap: float = 0.0) -> Result:
    """The best plan found within ``time_limit`` seconds, with a proven bound and the gap.

    Stops as soon as the gap is at most ``target_gap`` (0: only when optimality is proven) or the
    time is up; the plan is always feasible.
    """
    check(problem)
    start = time.perf_counter()
    deadline = start + time_limit
    cols = pairs_.columns(problem.families, problem.quota)
    group_of = {g: i for i, g in enumerate(cols.groups)}
    net = pairs_.network(problem.families, problem.vacancies, problem.quota, problem.receiving, cols.groups)
    quota = cols.quota
    n_groups = len(quota)
    lam = np.zeros(n_groups, dtype=np.int64)
    group_of = {g: i for i, g in enumerate(cols.groups)}
    best = _scored(problem, _queue(problem, cols, net), group_of, cols.size)  # never worse than the queue
    best_value = best.value
    bound_scaled: int | None = None
    prices: _Prices | None = None
    iterations = 0
    note = ""
    while True:
        iterations += 1
        fl = _priced_flow(net, lam)
        used = _group_persons(net, fl.a, n_groups)
        lagrangian = fl.value + int((lam * quota).sum())
        bound_scaled = lagrangian if bound_scaled is None else min(bound_scaled, lagrangian)
        plan = _unfold(net, fl.a, fl.b)
        feasible = bool(np.all(used <= quota))
        first = _first_prices(cols, plan, used) if iterations == 1 and not feasible else None
        plan = plan if feasible else _repair(net, cols, plan, lam)
        if plan.value > best_value:
            best, best_value = plan, plan.value
        bound = bound_scaled // PRICE_SCALE
        log.debug(
            "flow %d at %.1f s: bound %d (best %d), plan %d, over-full quotas %d, prices %s",
            iterations,
            time.perf_counter() - start,
            lagrangian // PRICE_SCALE,
            bound,
            plan.value,
            int((used > quota).sum()),
            (lam / PRICE_SCALE).round(2).tolist(),
        )
        if iterations == 1 and feasible:
            note = "no quota binds: the unpriced matching is feasible, hence optimal"
            break
        if bound - best_value <= target_gap * bound:
            note = f"quota prices converged after {iterations} flows"
            break
        if prices is None:
            prices = _Prices(quota, TOP_PRICE * PRICE_SCALE)
        prices.add(lam, lagrangian, used)
        per_flow = (time.perf_counter() - start) / iterations
        if time.perf_counter() + per_flow > deadline:
            note = f"time limit reached after {iterations} flows"
            break
        new = first if first is not None else prices.next()
        while prices.seen(new) and prices.level > MIN_LEVEL:
            prices.level /= 4  # aim nearer the lower estimate: a step to prices not yet tried
            new = prices.next()
        if prices.seen(new):
            note = f"the price search closed after {iterations} flows"
            break
        lam = new
    assert best is not None
    bound = (bound_scaled // PRICE_SCALE) if bound_scaled is not None else best_value
    bound = max(bound, best_value)
    remaining = deadline - time.perf_counter()
    if bound > best_value and net.pairs <= EXACT_PAIRS and remaining > 0.5:
        _, pairs = pairs_.build(problem.families, problem.vacancies, problem.quota, problem.receiving)
        hint = set(zip(best.families.tolist(), best.vacancies.tolist(), strict=True))
        exact = _exact(problem, cols, pairs, hint, min(remaining, EXACT_SECONDS))
        if exact is not None:
            plan_e, exact_bound, optimal = exact
            scored = _scored(problem, plan_e, group_of, cols.size)
            if scored.value >= best_value:
                best, best_value = scored, scored.value
            bound = max(best_value, min(bound, exact_bound))
            if optimal:
                bound = best_value
                note += "; CP-SAT proved the plan optimal"
    plan_out = (best.families.tolist(), best.vacancies.tolist())
    return _result("optimal", problem, cols, net, plan_out, start, bound=bound, note=note, iterations=iterations)


def greedy(problem: Problem) -> Result:
    """The queue: in input order, each family takes its best-scoring free vacancy whose quota has room.

    Ties between vacancies of equal score go to the class met first, then the earliest listed.
    """
    check(problem)
    start = time.perf_counter()
    cols = pairs_.columns(problem.families, problem.quota)
    net = pairs_.network(problem.families, problem.vacancies, problem.quota, problem.receiving, cols.groups)
    return _result("greedy", problem, cols, net, _queue(problem, cols, net), start, bound=None)


def _queue(problem: Problem, cols: Columns, net: Network) -> Plan:
    """The greedy plan on the class network."""
    # Each family class's candidates: (vacancy class, quota group, points), best first.
    by_node: dict[int, list[int]] = {}
    for b in range(len(net.b_node)):
        by_node.setdefault(int(net.b_node[b]), []).append(b)
    candidates: dict[int, list[tuple[int, int, int]]] = {}
    for a in range(len(net.a_class)):
        c, n = int(net.a_class[a]), int(net.a_node[a])
        pref, g = int(net.a_preference[a]), int(net.node_group[n])
        candidates.setdefault(c, []).extend(
            (int(net.b_vclass[b]), g, pref + int(net.b_points[b])) for b in by_node.get(n, [])
        )
    for cands in candidates.values():
        cands.sort(key=lambda t: (-t[2], t[0]))
    next_vacancy = net.vclass_start[:-1].tolist()
    end_vacancy = net.vclass_start[1:].tolist()
    members = net.vclass_members.tolist()
    left = cols.quota.tolist()
    fams: list[int] = []
    vacs: list[int] = []
    for f, family in enumerate(problem.families):
        c = int(net.family_class[f])
        if c < 0:
            continue
        s = family.size
        for vc, g, _ in candidates.get(c, ()):
            if next_vacancy[vc] < end_vacancy[vc] and left[g] >= s:
                fams.append(f)
                vacs.append(members[next_vacancy[vc]])
                next_vacancy[vc] += 1
                left[g] -= s
                break
    return fams, vacs


# --- results and reasons -------------------------------------------------------------------------


def _region_name(kato: str) -> str:
    region = BY_KATO.get(kato)
    return region.name_en if region else kato


def _result(
    method: str,
    problem: Problem,
    cols: Columns,
    net: Network,
    plan: Plan,
    start: float,
    *,
    bound: int | None,
    note: str = "",
    iterations: int = 0,
) -> Result:
    placements = []
    used = dict.fromkeys(cols.groups, 0)
    for f, v in zip(*plan, strict=True):
        family, vacancy = problem.families[f], problem.vacancies[v]
        parts = score_parts(family, vacancy, problem.receiving)
        assert parts is not None, "a planned pair must be feasible"
        placements.append(Placement(family.key, vacancy.key, sum(parts.values()), parts))
        used[(vacancy.region_kato, family.category)] += family.size
    placements.sort(key=lambda p: (p.family, p.vacancy))
    objective = sum(p.score for p in placements)
    left = cols.quota - np.array([used[g] for g in cols.groups], dtype=np.int64)
    if bool(np.any(left < 0)):
        raise AssertionError("a plan must keep within every quota")
    unmatched = _reasons(method, problem, cols, net, set(plan[0]), left)
    gap = None if bound is None else (0.0 if bound <= 0 else max(0.0, (bound - objective) / bound))
    return Result(
        method=method,
        placements=tuple(placements),
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=time.perf_counter() - start,
        pairs=net.pairs,
        persons=sum(problem.families[f].size for f in plan[0]),
        unmatched=unmatched,
        note=note,
        iterations=iterations,
        placed_by_group=used,
    )


def _reasons(method: str, problem: Problem, cols: Columns, net: Network, placed: set[int], left: I64) -> dict[str, str]:
    """Why each family left out was left out (English, one sentence, no personal data)."""
    # Per family class: does it have any pair, and any pair whose quota still has room for it?
    node_has_jobs = np.zeros(len(net.node_size), dtype=bool)
    node_has_jobs[net.b_node] = True
    arc_ok = node_has_jobs[net.a_node]
    has_pair = np.zeros(len(net.class_count), dtype=bool)
    has_pair[net.a_class[arc_ok]] = True
    room = arc_ok & (left[net.node_group[net.a_node]] >= net.node_size[net.a_node])
    has_room = np.zeros(len(net.class_count), dtype=bool)
    has_room[net.a_class[room]] = True
    index = {g: i for i, g in enumerate(cols.groups)}
    jobs: dict[tuple[str, int], int] = {}  # (region, ISCO sub-major group) -> largest housing (10**6: rents)
    elementary: dict[str, int] = {}
    for v in problem.vacancies:
        cap = 10**6 if v.housing_capacity is None else v.housing_capacity
        key = (v.region_kato, int(v.isco[:2]))
        jobs[key] = max(jobs.get(key, -1), cap)
        if v.isco[:1] == "9":
            elementary[v.region_kato] = max(elementary.get(v.region_kato, -1), cap)
    out: dict[str, str] = {}
    for f, family in enumerate(problem.families):
        if f in placed:
            continue
        c = int(net.family_class[f])
        if c >= 0 and has_pair[c]:
            if not has_room[c]:
                out[family.key] = (
                    f"quota exhausted: no region the family accepts has {family.size} places left for {family.category}"
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
